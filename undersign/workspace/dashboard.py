"""A statement's dashboard: counts, signatures over time as an SVG drawn here, places."""

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Field
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from undersign.organisers.models import AuditEntry
from undersign.rows import Columns
from undersign.signatures import fields, questions
from undersign.signatures.models import Question
from undersign.signatures.reporting import Dashboard
from undersign.signatures.reporting import dashboard as dashboard_of
from undersign.statements.access import can, statement_for
from undersign.statements.models import Statement
from undersign.workspace.pages import workspace_view

AUDIT_ENTRIES = 10
User = get_user_model()
# The chart's drawing area in SVG units; the image scales with the page.
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 220, 44, 28, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    count: int
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class DayLabel:
    x: float
    text: str
    anchor: str = "middle"  # the first and last keep inside the picture


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[DayLabel]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM

    @property
    def first(self) -> str:
        return self.bars[0].label

    @property
    def last(self) -> str:
        return self.bars[-1].label


def _nice_top(peak: int) -> int:
    """A round number (1, 2 or 5 times a power of ten) at or above `peak`."""
    magnitude = 10 ** (len(str(max(peak, 1))) - 1)
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= peak)


def chart(series: list[tuple[date, int]]) -> Chart | None:
    """Bars for the series, scaled into the drawing area, with a few axis ticks and dates."""
    if not series:
        return None
    peak = max(n for _, n in series)
    top = _nice_top(max(peak, 1))
    area_w = WIDTH - LEFT - 4
    area_h = HEIGHT - BOTTOM - TOP
    slot = area_w / len(series)
    gap = min(2.0, slot * 0.2)
    bars = []
    for i, (day, n) in enumerate(series):
        h = area_h * n / top
        bars.append(
            Bar(
                x=round(LEFT + i * slot + gap / 2, 2),
                y=round(HEIGHT - BOTTOM - h, 2),
                width=round(max(slot - gap, 0.5), 2),
                height=round(h, 2),
                day=day,
                count=n,
                label=formats.date_format(day, "SHORT_DATE_FORMAT"),
            )
        )
    ticks = [
        Tick(y=round(HEIGHT - BOTTOM - area_h * v / top, 2), value=v)
        for v in sorted({0, top // 2, top})
    ]
    # Up to six dates under the bars, evenly spread, the first and last among them.
    count = min(6, len(series))
    picks = sorted({round(i * (len(series) - 1) / max(count - 1, 1)) for i in range(count)})
    labels = [_label(bars[i], first=i == 0, last=i == len(bars) - 1) for i in picks]
    return Chart(bars=bars, ticks=ticks, labels=labels)


class Figures:
    """What the dashboard draws from its counts: the chart and the named countries."""

    def __init__(self, board: Dashboard) -> None:
        self.chart = chart(board.series)
        self.countries = [(code, countries.name(code) or code, n) for code, n in board.countries]


def _label(bar: Bar, *, first: bool, last: bool) -> DayLabel:
    if first:
        return DayLabel(x=bar.x, text=bar.label, anchor="start")
    if last:
        return DayLabel(x=round(bar.x + bar.width, 2), text=bar.label, anchor="end")
    return DayLabel(x=round(bar.x + bar.width / 2, 2), text=bar.label)


def flag_counts(statement: Statement, board: Dashboard) -> list[tuple[str, int, str]]:
    """(label, how many ticked it, the list's filter) of each counted yes/no field the
    statement asks, or that someone ticked."""
    return [
        (str(f.short_label), board.flags.get(f.name, 0), f.filter)
        for f in fields.COUNTED
        if f.is_asked(statement) or board.flags.get(f.name)
    ]


@dataclass(frozen=True)
class AnswerTable:
    """One question's counted answers: (label, signers, the list's filter) per answer, or
    a note saying why they are not counted."""

    label: str
    rows: list[tuple[str, int, str]]
    note: str = ""


def answer_tables(statement: Statement, board: Dashboard) -> list[AnswerTable]:
    tables = []
    language = get_language()
    for question in questions.of_statement(statement.pk):
        said = questions.wording(question, language)
        if question.visibility == Question.Visibility.CONTACTS:
            note = _("Only the organisers who may see contacts see these answers: not counted.")
            tables.append(AnswerTable(said.label, [], note))
            continue
        if question.visibility == Question.Visibility.ORGANISERS and statement.sealing_key_id:
            note = _("Sealed with the contacts: the server cannot read or count them.")
            tables.append(AnswerTable(said.label, [], note))
            continue
        if question.kind == Question.Kind.TEXT:
            note = _("Text answers are not counted; the list of signers searches them.")
            tables.append(AnswerTable(said.label, [], note))
            continue
        labels = [("yes", _("Yes"))] if question.kind == Question.Kind.YES_NO else said.choices
        rows = [
            (
                label,
                board.answers.get(f"{question.key}={value}", 0),
                f"{question.key}={value}",
            )
            for value, label in labels
        ]
        tables.append(AnswerTable(said.label, rows))
    return tables


@dataclass(frozen=True)
class AuditLine:
    """One entry of the dashboard's audit log, its texts made here (as the template would:
    local time, localized values): template tags on every cell cost more than the query."""

    iso: str
    when: str
    who: str
    action: str
    details: str


@cache
def _entries_plan(vendor: str) -> tuple[str, Columns]:
    entries = Columns(AuditEntry, "a", skip=("actor", "object_type", "object_id", "team"))
    quote = connection.ops.quote_name
    username = quote(str(cast(Field, User._meta.get_field(User.USERNAME_FIELD)).column))
    # Names from the models; the statement and the number of entries are parameters.
    sql = (
        f"SELECT {', '.join(entries.names())}, u.{username} FROM {entries.table}"  # noqa: S608
        f" LEFT OUTER JOIN {quote(User._meta.db_table)} u ON u.id = a.actor_id"
        " WHERE a.object_type = %s AND a.object_id = %s"
        " ORDER BY a.created_at DESC, a.id DESC LIMIT %s"
    )
    return sql, entries


def latest_entries(statement: Statement) -> list[AuditLine]:
    # Read with SQL written once (undersign/rows.py): the ORM's query (a join, an order)
    # cost about half a millisecond of every dashboard.
    sql, entries = _entries_plan(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [Statement._meta.label_lower, str(statement.pk), AUDIT_ENTRIES])
        found = cursor.fetchall()
    rows = []
    for row in found:
        entry = entries.instance(row[:-1])
        rows.append((entry.created_at, entry.action, entry.data, row[-1]))
    lines = []
    for created_at, action, data, username in rows:
        when = timezone.localtime(created_at)
        items = list(data.items())
        details = "".join(
            f"{key}: {formats.localize(value)}{'' if i == len(items) - 1 else '; '}"
            for i, (key, value) in enumerate(items)
            if key != "who"
        )
        lines.append(
            AuditLine(
                iso=when.isoformat(),  # what the "c" format gives
                when=formats.date_format(when, "j M Y H:i"),
                who=username if username is not None else (data.get("who") or "—"),
                action=action,
                details=details,
            )
        )
    return lines


@workspace_view
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    statement = statement_for(request.user, slug, "view")
    board = dashboard_of(statement)
    context = {
        "statement": statement,
        "board": board,
        # Made only when the page's cached part (keyed by `board.computed_at`) is missing.
        "figures": lambda: Figures(board),
        "cache_seconds": settings.PUBLIC_CACHE_SECONDS,
        "flag_counts": flag_counts(statement, board),
        "answer_tables": answer_tables(statement, board),
        "entries": latest_entries(statement),
        "may_see_contacts": can(request.user, statement, "contacts"),
        "may_manage": can(request.user, statement, "manage"),
    }
    return render(request, "workspace/dashboard.html", context)
