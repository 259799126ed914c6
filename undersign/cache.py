"""Django's two caches as undersign uses them, each with one more method, `count`.

`count` adds one to each of a signing attempt's rate-limit counters in one step and gives
their new values (undersign/abuse.py). Django's own way is an `add` and an `incr` for each
counter: with Redis four round trips, in memory four locks, picklings and key checks, about
a twentieth of a signing (issue 13).

Redis: Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache
call, and each builds its table of some two hundred reply handlers: a tenth of a signing's
time on PostgreSQL with Redis (issue 13; two calls per signing, the rate limit and the
questions). A `redis.Redis` over a connection pool is safe to share between threads (each
command takes a connection from the pool), so one is kept per pool.

In memory (one cache per process, without Redis): Django's default holds 300 entries, and a
full cache drops a third of them, the least recently used first. In a surge from thousands
of addresses, each signing adds two counters, so a counter was dropped within a fraction of
a second, and with it the limit of an address that came back a little later. The settings
give it room (`UNDERSIGN_CACHE_ENTRIES`).

Everything else is Django's.
"""

import pickle
from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
from typing import Any

from django.core.cache.backends import locmem
from django.core.cache.backends import redis as django_redis

Counters = list[tuple[str, int]]  # (key, seconds it lives from its first count)


class RedisCacheClient(django_redis.RedisCacheClient):
    _client: Any  # Django's own attribute (set by its __init__), which its stubs leave out

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}  # by the pool's id: Django keeps its pools

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count(self, counters: Counters) -> list[int]:
        """Add one to each counter, a new one living its seconds; their new values. One
        round trip: INCR (from 0 when missing), then EXPIRE, per counter."""
        keys = [(self.make_and_validate_key(key), seconds) for key, seconds in counters]
        client = self._cache.get_client(keys[0][0] if keys else "", write=True)
        with client.pipeline(transaction=False) as pipe:
            for key, seconds in keys:
                pipe.incr(key)
                pipe.expire(key, seconds)
            replies = pipe.execute()
        return [int(value) for value in replies[::2]]


class LocMemCache(locmem.LocMemCache):
    # Django's own attributes, which its stubs leave out.
    _cache: OrderedDict[str, bytes]
    _lock: Lock
    _has_expired: Callable[[str], bool]
    _set: Callable[[str, bytes, int], None]

    def count(self, counters: Counters) -> list[int]:
        """Add one to each counter, a new one living its seconds; their new values. Under
        the cache's lock once, as its `add` and `incr` each take it."""
        keys = [(self.make_key(key), seconds) for key, seconds in counters]  # our own keys
        values = []
        with self._lock:
            for key, seconds in keys:
                if self._has_expired(key):  # or missing
                    value = 1
                    self._set(key, pickle.dumps(value, self.pickle_protocol), seconds)
                else:
                    value = pickle.loads(self._cache[key]) + 1  # noqa: S301 (this process wrote it)
                    self._cache[key] = pickle.dumps(value, self.pickle_protocol)
                    self._cache.move_to_end(key, last=False)
                values.append(value)
        return values
