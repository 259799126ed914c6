"""When a statement's public page must be rendered again: the markers its cached copies
are checked against (the copies themselves are the public face's, `public/page_cache.py`).

Two markers per statement, in Django's cache (shared by every process with Redis; per
process otherwise, where a copy lives at most `PUBLIC_CACHE_SECONDS`):
- its generation: dropped by anything that changes what the page shows besides the counter
  (publishing, a new revision, closing, an event window, a moderator hiding a name, a
  withdrawal); every copy made before is dead at once;
- the time of its last counted confirmation: a copy older than that is served only while it
  is younger than `PAGE_COUNTER_LAG_SECONDS` (1 s), so in a surge of confirmations the
  page is rendered again at most about once a second, and the counter is never further
  behind than that.
Domain services call `changed` and `counted`; nothing here knows a face.
"""

import secrets
import time

from django.core.cache import cache
from django.db import transaction


def _generation_key(statement_id: int) -> str:
    return f"page:generation:{statement_id}"


def _counted_key(statement_id: int) -> str:
    return f"page:counted:{statement_id}"


def changed(statement_id: int) -> None:
    """Every cached copy of the statement's page is stale: now, and after commit (a reader
    in between must not keep what the transaction is changing)."""

    def forget() -> None:
        cache.delete(_generation_key(statement_id))

    forget()
    transaction.on_commit(forget)


def counted(statement_id: int) -> None:
    """The counter moved (a confirmation): copies rendered before are served at most
    `PAGE_COUNTER_LAG_SECONDS` longer."""

    def stamp() -> None:
        cache.set(_counted_key(statement_id), time.time(), None)

    stamp()
    transaction.on_commit(stamp)


def state(statement_id: int) -> tuple[str, float]:
    """(generation, time of the last counted confirmation) of the statement's page."""
    keys = [_generation_key(statement_id), _counted_key(statement_id)]
    found = cache.get_many(keys)
    generation = found.get(keys[0])
    if generation is None:
        cache.add(keys[0], secrets.token_hex(6), None)
        generation = cache.get(keys[0]) or "none"
    return str(generation), float(found.get(keys[1]) or 0.0)
