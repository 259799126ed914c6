"""Rows of a join read with a SQL string built once, turned into the ORM's own instances.

Building and compiling a queryset with `select_related` costs 0.5 to 2 ms of Python each
time (measured with cProfile in issue 13). The paths that run for each request or each mail
(the public statement, the contact a mail goes to) read their rows this way instead: the
columns come from the models' fields, every value passes through the database's own
converters, and `from_db` makes the instances, so they behave as the ORM's would (a column
left out is deferred and read when touched).
"""

from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.db.models.expressions import Col


class Columns:
    """One model's share of a row: its concrete fields but `skip`, under the table `alias`."""

    def __init__(self, model: type[Model], alias: str, skip: tuple[str, ...] = ()) -> None:
        self.model = model
        self.alias = alias
        self.fields: list[Field] = [f for f in model._meta.concrete_fields if f.name not in skip]
        self.attnames = [f.attname for f in self.fields]
        self._converters: list[list] | None = None

    @property
    def table(self) -> str:
        return f"{connection.ops.quote_name(str(self.model._meta.db_table))} {self.alias}"

    def names(self) -> list[str]:
        quote = connection.ops.quote_name
        return [f"{self.alias}.{quote(str(f.column))}" for f in self.fields]

    def converters(self) -> list[list]:
        # What the ORM would apply to each column, worked out on first use (the connection's
        # vendor is known by then).
        if self._converters is None:
            found = []
            for f in self.fields:
                expression = Col(self.model._meta.db_table, f)
                pairs = connection.ops.get_db_converters(expression) + f.get_db_converters(
                    connection
                )
                found.append([(c, expression) for c in pairs])
            self._converters = found
        return self._converters

    def instance(self, values: Any) -> Any:
        """The model instance of this share of a row (`values` in the order of `names()`)."""
        converted = []
        for value, found in zip(values, self.converters(), strict=True):
            for converter, expression in found:
                value = converter(value, expression, connection)
            converted.append(value)
        return self.model.from_db("default", self.attnames, converted)


def first_row(sql: str, params: list) -> Any:
    """The first row `sql` gives with `params` (as the database returns it), or None."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def split(row: Any, *shares: Columns) -> list[Any]:
    """`row` cut into one slice of values per share, in order."""
    out, start = [], 0
    for share in shares:
        out.append(row[start : start + len(share.fields)])
        start += len(share.fields)
    return out
