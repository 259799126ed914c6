"""The public statement at a slug, read with one prepared SQL statement.

Every public request (the page, each signing, the widget, the check-mail page) starts here,
so it is read fresh each time: a closed statement, a new sealing key or a new revision
counts from the next request in every process. Through the ORM this one row cost about
0.65 ms of Python per request (building and compiling the query, measured with cProfile in
issue 13); the same row read with a SQL string built once and turned into model instances
with `from_db` costs about 0.06 ms. The row is the ORM's: the columns come from the models'
fields and every value passes through the database's own converters.

The workspace reads its statement (any status) the same way, `statement_at`.
"""

from functools import cache

from django.db import connection

from undersign.rows import Columns, first_row, split
from undersign.statements.models import Revision, Statement

_PUBLIC = (Statement.Status.PUBLISHED, Statement.Status.CLOSED)


@cache
def _plan(vendor: str) -> tuple[str, Columns, Columns]:
    statement = Columns(Statement, "s")
    # The revision's text (every language) is read only where a page shows it.
    revision = Columns(Revision, "r", skip=("text",))
    # Names from the models; the slug is a parameter.
    sql = (
        f"SELECT {', '.join(statement.names() + revision.names())}"  # noqa: S608
        f" FROM {statement.table}"
        f" LEFT OUTER JOIN {revision.table} ON r.id = s.current_revision_id"
        " WHERE s.slug = %s AND s.status IN (%s, %s)"
    )
    return sql, statement, revision


@cache
def _any_status_plan(vendor: str) -> tuple[str, Columns]:
    statement = Columns(Statement, "s")
    sql = f"SELECT {', '.join(statement.names())} FROM {statement.table} WHERE s.slug = %s"  # noqa: S608
    return sql, statement


def public_statement_row(slug: str) -> Statement | None:
    """The published or closed statement at `slug` with its current revision (without its
    text) attached, or None."""
    sql, statements, revisions = _plan(connection.vendor)
    row = first_row(sql, [slug, *_PUBLIC])
    if row is None:
        return None
    mine, rest = split(row, statements, revisions)
    statement = statements.instance(mine)
    revision = None if rest[0] is None else revisions.instance(rest)
    Statement.current_revision.field.set_cached_value(statement, revision)  # type: ignore[attr-defined]
    return statement


def statement_at(slug: str) -> Statement | None:
    """The statement at `slug`, whatever its status, or None: for the workspace, which then
    asks the access rules whether this person may see it (on every page of a statement)."""
    sql, statements = _any_status_plan(connection.vendor)
    row = first_row(sql, [slug])
    return None if row is None else statements.instance(row)
