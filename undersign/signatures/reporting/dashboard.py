"""A statement's dashboard: its counts and breakdowns, in a handful of queries at any size.

The counted signatures come from the sharded counter and the tallies (`signatures.tallies`);
the few pending, withdrawn, hidden and invalid ones are counted through indexes. The result
is kept for `PUBLIC_CACHE_SECONDS` and dropped whenever the counter moves.
"""

import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count

from undersign.signatures import contacts, counting, fields, questions
from undersign.signatures.models import Question, Signature
from undersign.signatures.tallies import ANSWER, SEP, tallies
from undersign.statements.models import Revision, Statement

# A chart bar per day for up to this many days, then a bar per week.
DAILY_UP_TO = 120
TOP_PLACES = 25


@dataclass(frozen=True)
class Place:
    name: str  # the spelling most signers used
    key: str  # what the list's city filter matches
    count: int


@dataclass(frozen=True)
class RevisionCount:
    number: int
    content_hash: str
    count: int
    current: bool


@dataclass
class Dashboard:
    confirmed: int = 0  # counted: confirmed, not withdrawn, not marked invalid
    pending: int = 0
    withdrawn: int = 0
    hidden: int = 0  # counted, name hidden by moderators
    invalid: int = 0
    paper: int = 0
    not_public: int = 0  # counted, the signer chose not to be listed
    volunteers: int = 0
    # Those who ticked each counted yes/no field (`fields.COUNTED`), by the field's name.
    flags: dict[str, int] = field(default_factory=dict)
    # Counted answers to the statement's questions, {"q12=c3": n, "q13=yes": n}: public
    # ones from the tallies, those for the organisers from clear contact data.
    answers: dict[str, int] = field(default_factory=dict)
    # (first day of the bar, signatures); one bar per day or per week (`per_week`).
    series: list[tuple[date, int]] = field(default_factory=list)
    per_week: bool = False
    countries: list[tuple[str, int]] = field(default_factory=list)
    cities: list[Place] = field(default_factory=list)
    other_cities: int = 0
    no_city: int = 0
    volunteer_cities: list[Place] = field(default_factory=list)
    revisions: list[RevisionCount] = field(default_factory=list)
    languages: list[tuple[str, int]] = field(default_factory=list)
    # When it was counted: names the rendered page parts kept in the cache with it.
    computed_at: float = 0.0

    @property
    def listed(self) -> int:
        """Counted signatures the public list shows by name."""
        return max(self.confirmed - self.hidden - self.not_public, 0)


def dashboard(statement: Statement) -> Dashboard:
    key = counting.dashboard_key(statement.pk)
    found = cache.get(key)
    if found is None:
        found = _compute(statement)
        cache.set(key, found, settings.PUBLIC_CACHE_SECONDS)
    return found


def _compute(statement: Statement) -> Dashboard:
    t = tallies(statement.pk)
    by_revision = counting.cached_count_by_revision(statement.pk)
    statuses = dict(
        Signature.objects.filter(
            statement=statement,
            status__in=[
                Signature.Status.PENDING,
                Signature.Status.WITHDRAWN,
                Signature.Status.INVALID,
            ],
        )
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    cities = _places(t.get("city", {}), t.get("spelling", {}))
    board = Dashboard(
        confirmed=sum(by_revision.values()),
        pending=statuses.get(Signature.Status.PENDING, 0),
        withdrawn=statuses.get(Signature.Status.WITHDRAWN, 0),
        invalid=statuses.get(Signature.Status.INVALID, 0),
        hidden=counting.hidden_count(statement.pk),
        paper=t.get("source", {}).get(Signature.Source.PAPER, 0),
        not_public=t.get("display", {}).get(Signature.Display.HIDDEN, 0),
        volunteers=sum(t.get("volunteer-city", {}).values()),
        flags={f.name: t.get(f.name, {}).get("yes", 0) for f in fields.COUNTED},
        countries=sorted(
            ((code, n) for code, n in t.get("country", {}).items() if code),
            key=lambda item: (-item[1], item[0]),
        ),
        cities=cities[:TOP_PLACES],
        other_cities=sum(p.count for p in cities[TOP_PLACES:]),
        no_city=t.get("city", {}).get("", 0),
        volunteer_cities=_places(t.get("volunteer-city", {}), t.get("spelling", {}))[:TOP_PLACES],
        revisions=_revisions(statement, by_revision),
        languages=sorted(t.get("language", {}).items(), key=lambda item: (-item[1], item[0])),
    )
    board.answers = dict(t.get(ANSWER, {}))
    if statement.sealing_key_id is None:
        private = [
            q
            for q in questions.of_statement(statement.pk)
            if q.visibility == Question.Visibility.ORGANISERS and q.kind != Question.Kind.TEXT
        ]
        board.answers.update(contacts.answer_counts(statement, private))
    board.series, board.per_week = _series(t.get("day", {}))
    board.computed_at = time.time()
    return board


def _places(counts: dict[str, int], spellings: dict[str, int]) -> list[Place]:
    """Places by count, each named by the spelling most of its signers used."""
    best: dict[str, tuple[int, str]] = {}
    for joined, n in spellings.items():
        key, _, spelling = joined.partition(SEP)
        if key in counts and (n, spelling) > best.get(key, (0, "")):
            best[key] = (n, spelling)
    places = [
        Place(name=best.get(key, (0, key))[1], key=key, count=n) for key, n in counts.items() if key
    ]
    return sorted(places, key=lambda p: (-p.count, p.name.casefold()))


def _revisions(statement: Statement, counts: dict[int, int]) -> list[RevisionCount]:
    rows = Revision.objects.filter(statement=statement).values_list("id", "number", "content_hash")
    return [
        RevisionCount(
            number=number,
            content_hash=content_hash,
            count=counts.get(pk, 0),
            current=pk == statement.current_revision_id,
        )
        for pk, number, content_hash in sorted(rows, key=lambda r: -r[1])
    ]


def _series(days: dict[str, int]) -> tuple[list[tuple[date, int]], bool]:
    """Signatures per day from the first to the last day, gaps as zeros; per week (from
    Monday) when that is more than `DAILY_UP_TO` days."""
    counts = {date.fromisoformat(d): n for d, n in days.items() if d}
    if not counts:
        return [], False
    first, last = min(counts), max(counts)
    per_week = (last - first).days >= DAILY_UP_TO
    if per_week:
        weekly: dict[date, int] = {}
        for day, n in counts.items():
            monday = day - timedelta(days=day.weekday())
            weekly[monday] = weekly.get(monday, 0) + n
        counts = weekly
        first = first - timedelta(days=first.weekday())
    step = timedelta(days=7 if per_week else 1)
    series = []
    day = first
    while day <= last:
        series.append((day, counts.get(day, 0)))
        day += step
    return series, per_week
