"""The public statement at a slug, read with one prepared SQL statement.

Every public request (the page, each signing, the widget, the check-mail page) starts here,
so it is read fresh each time: a closed statement, a new sealing key or a new revision
counts from the next request in every process. Through the ORM this one row cost about
0.65 ms of Python per request (building and compiling the query, measured with cProfile in
issue 13); the same row read with a SQL string built once and turned into model instances
with `from_db` costs about 0.06 ms. The row is the ORM's: the columns come from the models'
fields and every value passes through the database's own converters.
"""

from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.db.models.expressions import Col

from undersign.statements.models import Revision, Statement

_PUBLIC = (Statement.Status.PUBLISHED, Statement.Status.CLOSED)


def _columns(model: type[Model], skip: tuple[str, ...] = ()) -> list[Field]:
    return [f for f in model._meta.concrete_fields if f.name not in skip]


@cache
def _plan(vendor: str) -> tuple[str, list[Field], list[Field], list[list], list[list]]:
    statement = _columns(Statement)
    # The revision's text (every language) is read only where a page shows it.
    revision = _columns(Revision, skip=("text",))
    names = [f's."{f.column}"' for f in statement] + [f'r."{f.column}"' for f in revision]
    # Names from the models; the slug is a parameter.
    sql = (
        f"SELECT {', '.join(names)} FROM {Statement._meta.db_table} s"  # noqa: S608
        f" LEFT OUTER JOIN {Revision._meta.db_table} r ON r.id = s.current_revision_id"
        " WHERE s.slug = %s AND s.status IN (%s, %s)"
    )

    def converters(model: type[Model], fields: list[Field]) -> list[list]:
        out = []
        for f in fields:
            expression = Col(model._meta.db_table, f)
            found = connection.ops.get_db_converters(expression) + f.get_db_converters(connection)
            out.append([(c, expression) for c in found])
        return out

    return (
        sql,
        statement,
        revision,
        converters(Statement, statement),
        converters(Revision, revision),
    )


def _instance(model: type[Model], fields: list[Field], converters: list[list], row) -> Any:
    values = []
    for value, found in zip(row, converters, strict=True):
        for converter, expression in found:
            value = converter(value, expression, connection)
        values.append(value)
    return model.from_db("default", [f.attname for f in fields], values)


def public_statement_row(slug: str) -> Statement | None:
    """The published or closed statement at `slug` with its current revision (without its
    text) attached, or None."""
    sql, s_fields, r_fields, s_conv, r_conv = _plan(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug, *_PUBLIC])
        row = cursor.fetchone()
    if row is None:
        return None
    statement = _instance(Statement, s_fields, s_conv, row[: len(s_fields)])
    rest = row[len(s_fields) :]
    revision = None if rest[0] is None else _instance(Revision, r_fields, r_conv, rest)
    Statement.current_revision.field.set_cached_value(statement, revision)  # type: ignore[attr-defined]
    return statement
