"""Breakdowns of the counted signatures, kept as they change: by day, country, city, language.

A dashboard that grouped a million signatures on every view would take a second a view.
Instead every change of the counter (`count`: confirm, withdraw, invalidate, validate) adds
±1 to one shard of each of the signature's values in the same transaction, like the public
counter (`counting.add_to_count`), and the dashboard sums a few hundred rows.
`reconcile` (run with `reconcile_counts`) rebuilds them from the signatures when their sums
disagree with the real count.
"""

import logging
import random
from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from undersign.signatures import counting, fields, questions
from undersign.signatures.models import Signature, SignatureTally
from undersign.signatures.places import place_key
from undersign.signatures.text import clean_line

logger = logging.getLogger(__name__)

# Fewer shards than the counter: a tally row is hot only for today's date or a big city, and
# every shard is a row the dashboard sums.
SHARDS = 4
SEP = "\x1f"  # between a city's key and its spelling; never in a cleaned line of text
# Every counted signature has exactly one value in each of these (maybe ""), so each sums to
# the count; "volunteer-city" holds only those ready to work together.
WHOLE = ("day", "country", "city", "spelling", "language", "source", "display")
FIELDS = (
    "statement_id",
    "revision_id",
    "confirmed_at",
    "country",
    "city",
    "volunteer",
    "language",
    "source",
    "display",
    # The declared yes/no fields the dashboard counts, each a dimension of its own (its
    # field's name) holding "yes" for those who ticked it.
    *(f.db_column for f in fields.COUNTED),
    # Public answers: "answer" holds "q12=yes", "q12=c3" for each yes and choice.
    "answers",
)
ANSWER = "answer"


def counted_row(signature_id: int) -> dict[str, Any] | None:
    """The tallied values of a signature, read under its row lock (call inside the
    transaction that changes it)."""
    return Signature.objects.select_for_update().filter(pk=signature_id).values(*FIELDS).first()


def _day(when) -> str:
    return timezone.localtime(when).date().isoformat() if when else ""


def _values(row: dict[str, Any]) -> dict[str, str]:
    key = place_key(row["city"])
    values = {
        "day": _day(row["confirmed_at"]),
        "country": str(row["country"] or ""),
        "city": key,
        "spelling": f"{key}{SEP}{clean_line(row['city'])}" if key else "",
        "language": row["language"] or "",
        "source": row["source"] or Signature.Source.WEB,
        "display": row["display"],
    }
    if row["volunteer"]:
        values["volunteer-city"] = key
    for declared in fields.COUNTED:
        if row[declared.db_column]:
            values[declared.name] = "yes"
    return values


def count(row: dict[str, Any], delta: int) -> None:
    """Move the counter and the tallies of one signature by `delta`, in the caller's
    transaction (which holds the signature's row)."""
    counting.add_to_count(row["statement_id"], row["revision_id"], delta)
    shard = random.randrange(SHARDS)  # noqa: S311 (spreading, not secrecy)
    tallied = [(dim, key, shard, delta) for dim, key in _values(row).items()]
    tallied += [
        (ANSWER, key, shard, delta) for key in answer_keys(row["statement_id"], row["answers"])
    ]
    _add(row["statement_id"], tallied)


def answer_keys(statement_id: int, answers: dict[str, Any] | None) -> list[str]:
    """The "answer" tallies of one signer's public answers: "q12=yes" for a ticked box,
    "q12=c3" for each choice; text answers are not counted."""
    if not answers:
        return []
    kinds = questions.countable(statement_id)
    keys = []
    for key, value in answers.items():
        if key not in kinds:
            continue
        if value is True:
            keys.append(f"{key}=yes")
        elif isinstance(value, str) and value:
            keys.append(f"{key}={value}")
        elif isinstance(value, list):
            keys += [f"{key}={v}" for v in value if isinstance(v, str) and v]
    return keys


def _add(statement_id: int, rows: list[tuple[str, str, int, int]]) -> None:
    """Add to tally rows, creating them: one INSERT … ON CONFLICT for all of them, in a
    fixed order so two transactions never wait for each other's rows crosswise."""
    if not rows:
        return
    table = connection.ops.quote_name(SignatureTally._meta.db_table)
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in ("statement_id", "dimension", "key", "shard", "count"))
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} ({cols}) VALUES {values} "  # noqa: S608 (names are ours)
        f"ON CONFLICT ({q('statement_id')}, {q('dimension')}, {q('key')}, {q('shard')}) "
        f"DO UPDATE SET {q('count')} = {table}.{q('count')} + excluded.{q('count')}"
    )
    params: list[Any] = []
    for dim, key, shard, delta in sorted(rows):
        params += [statement_id, dim, key, shard, delta]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def tallies(statement_id: int) -> dict[str, dict[str, int]]:
    """{dimension: {value: counted signatures}} for a statement, in one query."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        SignatureTally.objects.filter(statement_id=statement_id)
        .values_list("dimension", "key")
        .annotate(n=Sum("count"))
    )
    for dimension, key, n in rows:
        if n:
            found[dimension][key] = int(n)
    return dict(found)


def reconcile(statement_id: int, real_total: int) -> bool:
    """Rebuild a statement's tallies if any of them does not sum to `real_total`.
    Call inside `reconcile_count`'s transaction, which holds the counter. Returns whether
    it rebuilt them."""
    sums = dict(
        SignatureTally.objects.filter(statement_id=statement_id, dimension__in=WHOLE)
        .values_list("dimension")
        .annotate(n=Sum("count"))
    )
    if all(int(sums.get(dim) or 0) == real_total for dim in WHOLE):
        return False
    rebuild(statement_id)
    logger.warning("tallies of statement %s rebuilt", statement_id)
    return True


def rebuild(statement_id: int) -> None:
    """Recount every tally of a statement from its counted signatures (a few GROUP BYs)."""
    counted = Signature.objects.filter(
        statement_id=statement_id, status=Signature.Status.CONFIRMED
    ).order_by()
    totals: dict[tuple[str, str], int] = defaultdict(int)
    days = counted.annotate(day=TruncDate("confirmed_at")).values_list("day")
    for day, n in days.annotate(n=Count("id")):
        totals["day", day.isoformat() if day else ""] += n
    for dim in ("country", "language", "source", "display"):
        for value, n in counted.values_list(dim).annotate(n=Count("id")):
            totals[dim, str(value or "")] += n
    for city, volunteer, n in counted.values_list("city", "volunteer").annotate(n=Count("id")):
        key = place_key(city)
        totals["city", key] += n
        totals["spelling", f"{key}{SEP}{clean_line(city)}" if key else ""] += n
        if volunteer:
            totals["volunteer-city", key] += n
    for declared in fields.COUNTED:
        ticked = counted.filter(declared.ticked()).count()
        if ticked:
            totals[declared.name, "yes"] += ticked
    if questions.countable(statement_id):
        answered = counted.exclude(answers={}).values_list("answers", flat=True)
        for answers in answered.iterator(chunk_size=2000):
            for key in answer_keys(statement_id, answers):
                totals[ANSWER, key] += 1
    SignatureTally.objects.filter(statement_id=statement_id).delete()
    SignatureTally.objects.bulk_create(
        [
            SignatureTally(statement_id=statement_id, dimension=d, key=k, shard=0, count=n)
            for (d, k), n in sorted(totals.items())
        ],
        batch_size=1000,
    )
    counting.forget_public_data(statement_id)
