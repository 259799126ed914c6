"""Rows read with SQL written once from the models, made into the ORM's own instances.

A few rows are read on every request (the statement of a page, the organiser's roles).
Through the ORM each such query cost 0.3 to 0.65 ms of Python on the bench's box, most of it
building and compiling the query (issue 13). Written once per process from the models'
fields, the same SELECT costs a tenth of that; every value still passes through the
database's and the field's converters, and `Model.from_db` makes the instance, so what the
caller gets is what the ORM would have given (tests/test_statement_lookup.py compares).
"""

from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Field, Model
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)
Converters = list[list[tuple[Any, Col]]]


def columns(model: type[Model], skip: tuple[str, ...] = ()) -> list[Field]:
    return [f for f in model._meta.concrete_fields if f.name not in skip]


def select_list(alias: str, fields: list[Field]) -> str:
    """The fields' columns, quoted, of the table named `alias` in the query."""
    return ", ".join(f'{alias}."{f.column}"' for f in fields)


def converters(model: type[Model], fields: list[Field]) -> Converters:
    """The conversions the ORM applies to each column's value, found once."""
    out = []
    for f in fields:
        expression = Col(model._meta.db_table, f)
        found = connection.ops.get_db_converters(expression) + f.get_db_converters(connection)
        out.append([(c, expression) for c in found])
    return out


def values(found: Converters, row: Any) -> list[Any]:
    """The row's values as the ORM gives them (`values_list`)."""
    out = []
    for value, conversions in zip(row, found, strict=True):
        for converter, expression in conversions:
            value = converter(value, expression, connection)
        out.append(value)
    return out


def instance(model: type[M], fields: list[Field], found: Converters, row: Any) -> M:
    return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], values(found, row))
