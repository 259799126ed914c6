"""INSERTs made ready before a write transaction, so that inside it only the SQL runs.

On SQLite the write lock is held for the whole transaction: the ORM's per-insert Python
(building the instance, the compiler, preparing each value) held it about a millisecond per
signing (issue 13). `Row` does that work first: the model's defaults, its `pre_save`
signal and each field's `pre_save` and database preparation (auto_now, JSON, dates), exactly
as `Model.save()` would; `insert` then runs one prepared string. A column whose value is the
id of a row inserted in the same transaction is named in `later` and filled in by `insert`.
"""

import logging
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Field, Model
from django.db.models.expressions import DatabaseDefault
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django_countries.fields import CountryField

_SQL: dict[tuple[type[Model], tuple[str | None, ...]], str] = {}

# Fields whose database value is the Python value itself when it has exactly one of these
# types (their `get_prep_value` is `to_python`, which gives such a value back unchanged);
# the preparation's calls were about a tenth of a signing (issue 13). Anything else (an
# enum member, a date, JSON) is prepared by the field as before.
_NONE = type(None)
_PLAIN: dict[type[Field], tuple[type, ...]] = {
    models.CharField: (str, _NONE),
    models.TextField: (str, _NONE),
    models.EmailField: (str, _NONE),
    models.SlugField: (str, _NONE),
    models.BooleanField: (bool, _NONE),
    models.IntegerField: (int, _NONE),
    models.BigIntegerField: (int, _NONE),
    models.PositiveIntegerField: (int, _NONE),
    models.PositiveSmallIntegerField: (int, _NONE),
    models.SmallIntegerField: (int, _NONE),
    models.ForeignKey: (int, _NONE),  # the id of an auto-increment key
    models.DateTimeField: (_NONE,),
    models.DateField: (_NONE,),
}


class Row:
    """One row of `model`, its values prepared for the database; `later` maps a field's
    name to a function of the ids `insert` is given (e.g. the new signature's id)."""

    def __init__(
        self,
        model: type[Model],
        values: dict[str, Any],
        later: dict[str, Callable[[int], Any]] | None = None,
        done: tuple[Callable, ...] = (),
    ) -> None:
        # `later` is keyed by the field's attname ("signature_id"); `done`: `pre_save`
        # receivers whose work the caller did in `values`.
        later = later or {}
        self.model = model
        self._instance: Model | None = None
        heard = _receivers(pre_save, model)
        plan = None if set(heard) - set(done) else _plan(model, tuple(values), tuple(later))
        if plan is None:
            pairs = self._from_instance(values, later)
        else:
            pairs = [
                (field, how if type(how) is _Constant else _python_value(how, field, values))
                for field, how in plan
            ]
        fields: list[Field] = []
        params: list[Any] = []
        self.constants: list[int] = []  # where in `params` a `_Constant` is
        self.later: list[tuple[int, Field, Callable[[int], Any]]] = []
        self.python: dict[str, Any] = {}
        # The connection itself, not the `connection` proxy: each attribute read through
        # the proxy is a thread-local lookup, a few percent of a signing (issue 13).
        db = connections[DEFAULT_DB_ALIAS]
        for field, value in pairs:
            if type(value) is _Constant:
                self.constants.append(len(params))
                fields.append(field)
                self.python[field.attname] = value.value
                params.append(value.value)  # its own database value (see `_Constant`)
                continue
            if isinstance(value, DatabaseDefault):
                continue  # the column's default in the database
            if field.attname in later:
                self.later.append((len(params), field, later[field.attname]))
            fields.append(field)
            self.python[field.attname] = value
            params.append(_prepared(field, value, db))
        self.params = params
        self.fields = fields
        key = (model, tuple(f.column for f in fields))
        if key not in _SQL:
            _SQL[key] = _insert_sql(model, fields)
        self.sql = _SQL[key]
        self.shape = (*key, tuple(self.constants))

    def _from_instance(
        self, values: dict[str, Any], later: dict[str, Callable[[int], Any]]
    ) -> list[tuple[Field, Any]]:
        # The general way, as `Model.save()` does it: an instance, the `pre_save` signal and
        # each field's `pre_save`.
        placeholder = {name: 0 for name in later}  # a value of the right kind until then
        instance = self._instance = self.model(**values, **placeholder)
        pre_save.send(sender=self.model, instance=instance, raw=False, using="default")
        return [
            (field, field.pre_save(instance, True))
            for field in self.model._meta.concrete_fields
            if not (field.primary_key and field.db_returning)  # the database gives the id
        ]

    @property
    def instance(self) -> Model:
        """The model instance of this row (made when first asked for)."""
        if self._instance is None:
            self._instance = self.model(**self.python)
        return self._instance

    def params_for(self, parent_id: int) -> list[Any]:
        """The INSERT's parameters, the `later` columns filled in from `parent_id`."""
        params = self.params
        if self.later:
            params = list(params)
            for index, field, value_of in self.later:
                value = value_of(parent_id)
                self.python[field.attname] = value
                if self._instance is not None:
                    setattr(self._instance, field.attname, value)
                params[index] = field.get_db_prep_save(value, connection)
        return params

    def insert(self, cursor: Any, parent_id: int = 0) -> int:
        """Run the INSERT (inside the caller's transaction); returns the new row's id when
        the database gives it (an auto-increment id), else 0."""
        cursor.execute(self.sql, self.params_for(parent_id))
        pk = self.model._meta.pk
        new_id = 0
        if pk is not None and pk.db_returning:
            row = cursor.fetchone() if _returning() else None
            new_id = int(row[0]) if row else int(cursor.lastrowid)
        self.inserted(new_id)
        return new_id

    def inserted(self, new_id: int) -> None:
        """The row is in the database (with the id the database gave it, if any)."""
        pk = self.model._meta.pk
        if new_id and pk is not None:
            self.python[pk.attname] = new_id
            if self._instance is not None:
                self._instance.pk = new_id
        if self._instance is not None:
            self._instance._state.adding = False
        if post_save.has_listeners(self.model):
            self.instance._state.adding = False
            post_save.send(
                sender=self.model,
                instance=self.instance,
                created=True,
                update_fields=None,
                raw=False,
                using="default",
            )


def insert_together(parent: Row, children: list[Row], parent_id: int | None = None) -> int:
    """Insert `parent`, then `children` (their `later` columns take the parent's id), all
    or none; returns the parent's id.

    On PostgreSQL the parent's id is taken from its sequence first (unless the caller took
    it: `parent_id`, see `next_ids`) and the rows go as one statement (data-modifying WITH
    clauses), which is atomic by itself: two round trips instead of six (BEGIN, three
    INSERTs, COMMIT), each of which a thread waits out and a loaded machine stretches
    (issue 13). Elsewhere, one transaction (on SQLite the write lock's length: only the
    prepared INSERTs run in it).
    """
    if connection.vendor != "postgresql" or parent.later or not _returning():
        with transaction.atomic(), connection.cursor() as cursor:
            parent_id = parent.insert(cursor)
            for child in children:
                child.insert(cursor, parent_id)
        return parent_id
    if connection.in_atomic_block:
        # Inside someone's transaction a failed statement would spoil it: a savepoint.
        with transaction.atomic():
            return _insert_as_one(parent, children, parent_id)
    return _insert_as_one(parent, children, parent_id)


def next_ids(models: tuple[type[Model], ...]) -> str:
    """SQL for the next value of each model's id sequence, as columns of a SELECT list
    (PostgreSQL): a caller that runs a query before inserting takes the ids in it, one
    round trip fewer (issue 13)."""
    return ", ".join(
        f"nextval(pg_get_serial_sequence('{m._meta.db_table}', '{m._meta.pk.column}'))"  # type: ignore[union-attr]
        for m in models
    )


def _insert_as_one(parent: Row, children: list[Row], parent_id: int | None) -> int:
    pk = parent.model._meta.pk
    assert pk is not None
    table = parent.model._meta.db_table
    key = (parent.shape, *(child.shape for child in children))
    if key not in _STATEMENTS:
        _STATEMENTS[key] = _one_statement(parent, children)
    sql, variable = _STATEMENTS[key]
    with connection.cursor() as cursor:
        if parent_id is None:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))", [table, pk.column])
            parent_id = int(cursor.fetchone()[0])
        params = [parent_id, *parent.params]
        for child in children:
            params += child.params_for(parent_id)
        _bound_on_the_server(sql, [params[n] for n in variable])
    parent.inserted(parent_id)
    for child in children:
        child.inserted(0)
    return parent_id


def _bound_on_the_server(sql: str, params: list[Any]) -> None:
    """Run the rows' statement with its parameters sent apart from it, not quoted into it
    in Python as Django's client-side binding does (2% of a signing's instructions on
    PostgreSQL, issue 13). Django's own server-binding cursor, wrapped as Django wraps
    every cursor (its errors, `execute_wrapper`, the debug log); not prepared, as the
    connection is set up (a pooler may give each transaction another connection)."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    raw = ServerBindingCursor(connection.connection)  # type: ignore[call-arg]
    with connection._prepare_cursor(raw) as cursor:  # type: ignore[attr-defined]
        cursor.execute(sql, params)


# The rows' one statement by their shapes (`Row.shape`), and which of the rows' parameters
# it takes: the constants are written into it as SQL literals. psycopg parses a statement
# with more than 50 parameters anew on every execution, and quotes each parameter into it
# (client-side binding, Django's default); the three rows of a signing have 53, 11 of them
# the same in every signing. That parsing and quoting were about a tenth of a signing's
# Python on PostgreSQL (issue 13).
_STATEMENTS: dict[tuple, tuple[str, list[int]]] = {}


def _one_statement(parent: Row, children: list[Row]) -> tuple[str, list[int]]:
    from psycopg import sql

    pk = parent.model._meta.pk
    raw = connection.connection
    parts: list[str] = []
    variable: list[int] = []
    at = 0
    # The parent's id comes first in its row: its sequence's next value, as a parameter.
    rows = [(parent.model, [pk, *parent.fields], [None, *parent.params], parent.constants, 1)]
    rows += [(c.model, c.fields, c.params, c.constants, 0) for c in children]
    for model, fields, params, constants, shift in rows:
        literals = {n + shift: _literal(sql, params[n + shift], raw) for n in constants}
        parts.append(_insert_sql(model, fields, returning=False, literals=literals))
        variable += [at + n for n in range(len(fields)) if n not in literals]
        at += len(fields)
    clauses = ", ".join(f"row{n} AS ({part})" for n, part in enumerate(parts[:-1]))
    return f"WITH {clauses} {parts[-1]}", variable


def _literal(sql: Any, value: Any, raw: Any) -> str:
    # psycopg's own quoting; a "%" doubled, as the statement still holds placeholders.
    return sql.Literal(value).as_string(raw).replace("%", "%%")


def _receivers(signal: Any, sender: type) -> list[Callable]:
    if not signal.has_listeners(sender):
        return []
    receivers = signal._live_receivers(sender)
    return list(receivers[0] if isinstance(receivers, tuple) else receivers)  # sync, async


def _prepared(field: Field, value: Any, db: Any) -> Any:
    if type(value) in _PLAIN.get(type(field), ()):
        return value  # what the field's preparation would give back
    return field.get_db_prep_save(value, db)


class _Constant:
    """A column's default that is the same in every row and is its own database value (a
    None, a string, a number, a boolean the field passes through as it is: `_PLAIN`): the
    plan holds it, and a row takes it as it is. About a third of a signing's columns are
    such defaults (the dates not yet reached, the empty reasons, the status)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _constant_default(field: Field) -> "_Constant | None":
    if field.has_default() and callable(field.default):
        return None  # made anew for each row (a dict, a list, an id, a date)
    value = field.get_default()
    if type(value) not in _PLAIN.get(type(field), ()):
        return None  # the field prepares it (an enum member, a DatabaseDefault)
    return _Constant(value)


# How each column of a row gets its value, per model and set of given names: "value" (given),
# "later" (an id filled in by `insert`), "now" (auto_now, auto_now_add), "default" or a
# `_Constant`; "given" and "given default" for a field whose `pre_save` prepares the value
# (django-countries).
_PLANS: dict[tuple[type[Model], tuple[str, ...], tuple[str, ...]], list | None] = {}


def _plan(
    model: type[Model], given: tuple[str, ...], later: tuple[str, ...]
) -> list[tuple[Field, Any]] | None:
    """The columns of a row of `model` with the fields `given`, each with how it gets its
    value; None when a field needs the model instance (a field with its own `pre_save`, or
    a value given by a relation's name rather than its id): then `Row` makes the instance."""
    key = (model, given, later)
    if key in _PLANS:
        return _PLANS[key]
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    plan: list[tuple[Field, Any]] | None = []
    if not set(given) <= set(by_attname) or set(given) & set(later):
        plan = None
    for field in model._meta.concrete_fields:
        if plan is None:
            break
        own = type(field).pre_save
        if own not in _KNOWN_PRE_SAVE:
            plan = None
        elif field.primary_key and field.db_returning:
            continue  # an auto-increment id: the database gives it
        elif isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
            plan.append((field, "now"))
        elif field.attname in later:
            plan.append((field, "later"))
        elif field.attname in given:
            plan.append((field, "given" if own is CountryField.pre_save else "value"))
        elif own is CountryField.pre_save:
            plan.append((field, "given default"))
        else:
            plan.append((field, _constant_default(field) or "default"))
    _PLANS[key] = plan
    return plan


# The `pre_save` methods a plan stands in for: the field's value as it is, auto_now and
# auto_now_add, and django-countries' (the value given, by its `get_prep_value`).
_KNOWN_PRE_SAVE = (
    Field.pre_save,
    models.DateField.pre_save,
    models.DateTimeField.pre_save,
    CountryField.pre_save,
)


def _python_value(how: str, field: Field, values: dict[str, Any]) -> Any:
    if how == "value":
        return values[field.attname]
    if how == "given":
        return field.get_prep_value(values[field.attname])
    if how == "given default":
        return field.get_prep_value(field.get_default())
    if how == "later":
        return 0  # a value of the right kind until then
    if how == "now":
        return timezone.now() if isinstance(field, models.DateTimeField) else date.today()
    return field.get_default()  # a DatabaseDefault for a column with the database's own


def _returning() -> bool:
    return bool(connection.features.can_return_columns_from_insert)


def _insert_sql(
    model: type[Model],
    fields: list[Field],
    returning: bool = True,
    literals: dict[int, str] | None = None,
) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    literals = literals or {}
    values = ", ".join(literals.get(n, "%s") for n in range(len(fields)))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608 (names from the model; values are parameters)
    pk = model._meta.pk
    if returning and pk is not None and pk.db_returning and _returning():
        sql += f" RETURNING {quote(str(pk.column))}"
    return sql


def task_row(task: Any, args_of: Callable[[int], list[Any]]) -> Row:
    """The queue row `task.enqueue(*args_of(parent_id))` would write (django-tasks-db's
    `DatabaseBackend._task_to_db_task`, the same columns), made ready now."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.signal_handlers import set_run_after

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        raise TypeError("the signing path queues its mail in the database queue")
    values = {"id": backend._get_id(), **_task_columns(task, backend)}
    later = {"args_kwargs": lambda parent: normalize_json({"args": args_of(parent), "kwargs": {}})}
    return Row(DBTaskResult, values, later, done=(set_run_after,))


@lru_cache(maxsize=64)
def _task_columns(task: Any, backend: Any) -> dict[str, Any]:
    """The columns of `task`'s queue row that are the same for each run, the task checked as
    `enqueue` checks it: once per task and backend (the check inspects the task's function,
    a few percent of a signing, issue 13). A task and a backend are immutable."""
    from django_tasks_db.models import get_date_max

    backend.validate_task(task)
    return {
        "priority": task.priority,
        "task_path": task.module_path,
        "queue_name": task.queue_name,
        # What django-tasks-db's `set_run_after` receiver does before a save.
        "run_after": task.run_after if task.run_after is not None else get_date_max(),
        "backend_name": backend.alias,
    }


def enqueued(row: Row) -> None:
    """What `enqueue` tells after writing the row (django-tasks' `task_enqueued` signal)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import task_enqueued

    if not _heard(task_enqueued, DatabaseBackend):
        return
    task_enqueued.send(DatabaseBackend, task_result=row.instance.task_result)  # type: ignore[attr-defined]


def _heard(signal: Any, sender: type) -> bool:
    """Whether sending `signal` does anything. Its only receiver by default is django-tasks'
    own, which logs at DEBUG; the `TaskResult` it is sent cost about 3% of a signing (issue
    13), so it is built only when that line would be written or someone else listens."""
    from django_tasks.signals import log_task_enqueued

    if any(receiver is not log_task_enqueued for receiver in _receivers(signal, sender)):
        return True
    return logging.getLogger("django_tasks").isEnabledFor(logging.DEBUG)
