"""The public counter: sharded rows summed for display, reconciled with the real rows.

A single counter row would make every confirmation on PostgreSQL wait for the one before it
(measured: about 400 signings a second at most). Each revision of a statement has up to
`SIGNATURE_COUNT_SHARDS` rows instead; a confirmation adds 1 to a random one in the same
transaction that confirms, so the sums are exact after every commit, and `reconcile_counts`
(run by the worker periodically and by `undersign reconcile-counts`) repairs any drift, e.g.
after rows were changed by hand. Counting per revision keeps "how many signed each wording"
as cheap as the total: a few counter rows, whatever the number of signatures.
"""

import logging
import random
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import transaction
from django.db.models import Count, F, Sum

from undersign import pagecache
from undersign.signatures.models import Signature, SignatureCount, SignatureTally

logger = logging.getLogger(__name__)


def _cache_key(kind: str, statement_id: int) -> str:
    return f"signatures:{kind}:{statement_id}"


def first_page_key(statement_id: int, limit: int) -> str:
    return f"{_cache_key('first-page', statement_id)}:{limit}"


def forget_public_data(statement_id: int, *, counted_only: bool = False) -> None:
    """Drop the cached counter and first list page of a statement, now and after commit.

    Now, so this process sees the change at once (tests run inside one transaction that
    never commits); after commit, so a reader who cached the old values in between does not
    keep them. The statement's shared page goes too: at once, or, when a confirmation only
    added to the counter (`counted_only`), within `PAGE_COUNTER_LAG_SECONDS`.
    """

    keys = [
        _cache_key("count", statement_id),
        _cache_key("by-revision", statement_id),
        _cache_key("hidden", statement_id),
        _cache_key("paper", statement_id),
        _cache_key("dashboard", statement_id),
        _cache_key("version", statement_id),
        first_page_key(statement_id, settings.SIGNATURES_PER_PAGE),
        # The statement page's rendered list, one per language.
        *(
            make_template_fragment_key("signature-list", [statement_id, code, False])
            for code, _name in settings.LANGUAGES
        ),
    ]

    def forget() -> None:
        cache.delete_many(keys)

    forget()
    transaction.on_commit(forget)
    if counted_only:
        pagecache.counted(statement_id)
    else:
        pagecache.changed(statement_id)


def add_to_count(statement_id: int, revision_id: int, delta: int) -> None:
    """Add `delta` to a random shard of the revision's counter; call inside the changing
    transaction."""
    shard = random.randrange(settings.SIGNATURE_COUNT_SHARDS)  # noqa: S311 (spreading, not secrecy)
    rows = SignatureCount.objects.filter(
        statement_id=statement_id, revision_id=revision_id, shard=shard
    )
    if not rows.update(count=F("count") + delta):
        _create_shards(statement_id, revision_id)
        rows.update(count=F("count") + delta)
    # A confirmation adds a name and one to the counter: shown within a second. A name
    # taken off (a withdrawal, a fake one) leaves the shared page at once.
    forget_public_data(statement_id, counted_only=delta > 0)


def _create_shards(statement_id: int, revision_id: int) -> None:
    SignatureCount.objects.bulk_create(
        [
            SignatureCount(statement_id=statement_id, revision_id=revision_id, shard=n, count=0)
            for n in range(settings.SIGNATURE_COUNT_SHARDS)
        ],
        ignore_conflicts=True,
    )


def counted(statement_id: int) -> int:
    """The counter as stored: the sum of the statement's shards (a fixed number of rows)."""
    total = SignatureCount.objects.filter(statement_id=statement_id).aggregate(n=Sum("count"))
    return int(total["n"] or 0)


def counted_by_revision(statement_id: int) -> dict[int, int]:
    """{revision id: confirmed signatures}, from the counter rows."""
    rows = (
        SignatureCount.objects.filter(statement_id=statement_id)
        .values("revision_id")
        .annotate(n=Sum("count"))
    )
    return {row["revision_id"]: int(row["n"] or 0) for row in rows}


def cached_count_by_revision(statement_id: int) -> dict[int, int]:
    key = _cache_key("by-revision", statement_id)
    value = cache.get(key)
    if value is None:
        value = counted_by_revision(statement_id)
        cache.set(key, value, settings.PUBLIC_CACHE_SECONDS)
    return dict(value)


def cached_count(statement_id: int) -> int:
    key = _cache_key("count", statement_id)
    value = cache.get(key)
    if value is None:
        value = counted(statement_id)
        cache.set(key, value, settings.PUBLIC_CACHE_SECONDS)
    return int(value)


def hidden_count(statement_id: int) -> int:
    """How many counted signatures moderators hid from the public list (a partial index)."""
    key = _cache_key("hidden", statement_id)
    value = cache.get(key)
    if value is None:
        value = Signature.objects.filter(
            statement_id=statement_id,
            status=Signature.Status.CONFIRMED,
            hidden_at__isnull=False,
        ).count()
        cache.set(key, value, settings.PUBLIC_CACHE_SECONDS)
    return int(value)


def paper_count(statement_id: int) -> int:
    """How many counted signatures were signed on paper (imported without an email): the
    "source" tallies, a few rows."""
    key = _cache_key("paper", statement_id)
    value = cache.get(key)
    if value is None:
        value = (
            SignatureTally.objects.filter(
                statement_id=statement_id, dimension="source", key=Signature.Source.PAPER
            ).aggregate(n=Sum("count"))["n"]
            or 0
        )
        cache.set(key, value, settings.PUBLIC_CACHE_SECONDS)
    return int(value)


def dashboard_key(statement_id: int) -> str:
    return _cache_key("dashboard", statement_id)


def data_version(statement_id: int) -> str:
    """A token that changes whenever a statement's signatures do (confirm, withdraw,
    moderation): what the organisers' rendered lists are cached under."""
    key = _cache_key("version", statement_id)
    value = cache.get(key)
    if value is None:
        cache.add(key, secrets.token_hex(6), None)
        value = cache.get(key) or "none"
    return str(value)


def reconcile_count(statement_id: int) -> tuple[int, int]:
    """Set a statement's counters to its confirmed signatures, per revision.
    Returns (total before, total after).

    Every shard exists and is locked before the signatures are counted: a confirmation that
    commits first is in the count and its shard is overwritten; one still running waits for
    its shard and then adds to the reconciled value. The breakdowns (`tallies`) move with
    the counter, so they are checked under the same lock.
    """
    from undersign.signatures import tallies

    confirmed = Signature.objects.filter(
        statement_id=statement_id, status=Signature.Status.CONFIRMED
    )
    revision_ids = set(confirmed.values_list("revision_id", flat=True).distinct())
    revision_ids |= set(
        SignatureCount.objects.filter(statement_id=statement_id)
        .values_list("revision_id", flat=True)
        .distinct()
    )
    for revision_id in revision_ids:
        _create_shards(statement_id, revision_id)
    with transaction.atomic():
        shards = list(
            SignatureCount.objects.select_for_update()
            .filter(statement_id=statement_id)
            .order_by("revision_id", "shard")
        )
        before: dict[int, int] = {}
        for s in shards:
            before[s.revision_id] = before.get(s.revision_id, 0) + s.count
        real = dict(confirmed.values_list("revision_id").annotate(n=Count("id")))
        if any(before.get(r, 0) != real.get(r, 0) for r in revision_ids):
            counters = SignatureCount.objects.filter(statement_id=statement_id)
            counters.exclude(shard=0).update(count=0)
            for revision_id in revision_ids:
                counters.filter(revision_id=revision_id, shard=0).update(
                    count=real.get(revision_id, 0)
                )
            forget_public_data(statement_id)
            logger.warning(
                "counter of statement %s was %s, reconciled to %s",
                statement_id,
                sum(before.values()),
                sum(real.values()),
            )
        tallies.reconcile(statement_id, sum(real.values()))
    return sum(before.values()), sum(real.values())


def reconcile_counts() -> dict[int, tuple[int, int]]:
    """Reconcile the counter of every statement that has signatures or counter rows.

    Returns {statement id: (counter before, real count)} for the statements that were off.
    """
    statement_ids = set(Signature.objects.values_list("statement_id", flat=True).distinct())
    statement_ids |= set(SignatureCount.objects.values_list("statement_id", flat=True).distinct())
    drift = {}
    for statement_id in sorted(statement_ids):
        before, after = reconcile_count(statement_id)
        if before != after:
            drift[statement_id] = (before, after)
    return drift
