"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call, and
each builds its table of some two hundred reply handlers: a tenth of a signing's time on
PostgreSQL with Redis (issue 13; two calls per signing, the rate limit and the questions).
A `redis.Redis` over a connection pool is safe to share between threads (each command takes
a connection from the pool), so one is kept per pool. Everything else is Django's.
"""

from collections.abc import Callable
from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    # Django's own attributes (set by its __init__), which its type stubs leave out.
    _client: Any
    _pools: dict[int, Any]
    _pool_class: Any
    _pool_options: dict[str, Any]
    _servers: list[str]
    _get_connection_pool_index: Callable[[bool], int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._pool(index))
        return client

    def _pool(self, index: int) -> Any:
        # Django's `_get_connection_pool` for a given server (it draws the index itself).
        if index not in self._pools:
            self._pools[index] = self._pool_class.from_url(
                self._servers[index], **self._pool_options
            )
        return self._pools[index]


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
