"""INSERTs made ready before a write transaction, so that inside it only the SQL runs.

On SQLite the write lock is held for the whole transaction: the ORM's per-insert Python
(building the instance, the compiler, preparing each value) held it about a millisecond per
signing (issue 13). `Row` does that work first: the model's defaults, its `pre_save`
signal and each field's `pre_save` and database preparation (auto_now, JSON, dates), exactly
as `Model.save()` would; `insert` then runs one prepared string. A column whose value is the
id of a row inserted in the same transaction is named in `later` and filled in by `insert`.
"""

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.db.models.expressions import DatabaseDefault
from django.db.models.signals import post_save, pre_save

_SQL: dict[tuple[type[Model], tuple[str | None, ...]], str] = {}


class Row:
    """One row of `model`, its values prepared for the database; `later` maps a field's
    name to a function of the ids `insert` is given (e.g. the new signature's id)."""

    def __init__(
        self,
        model: type[Model],
        values: dict[str, Any],
        later: dict[str, Callable[[int], Any]] | None = None,
    ) -> None:
        # `later` is keyed by the field's attname ("signature_id").
        later = later or {}
        placeholder = {name: 0 for name in later}  # a value of the right kind until then
        self.instance = model(**values, **placeholder)
        pre_save.send(sender=model, instance=self.instance, raw=False, using="default")
        fields: list[Field] = []
        params: list[Any] = []
        self.later: list[tuple[int, Field, Callable[[int], Any]]] = []
        for field in model._meta.concrete_fields:
            if field.primary_key and field.db_returning:
                continue  # an auto-increment id: the database gives it
            value = field.pre_save(self.instance, True)
            if isinstance(value, DatabaseDefault):
                continue  # the column's default in the database
            if field.attname in later:
                self.later.append((len(params), field, later[field.attname]))
            fields.append(field)
            params.append(field.get_db_prep_save(value, connection))
        self.params = params
        self.model = model
        key = (model, tuple(f.column for f in fields))
        if key not in _SQL:
            _SQL[key] = _insert_sql(model, fields)
        self.sql = _SQL[key]

    def insert(self, cursor: Any, parent_id: int = 0) -> int:
        """Run the INSERT (inside the caller's transaction); returns the new row's id when
        the database gives it (an auto-increment id), else 0."""
        params = self.params
        if self.later:
            params = list(params)
            for index, field, value_of in self.later:
                value = value_of(parent_id)
                setattr(self.instance, field.attname, value)
                params[index] = field.get_db_prep_save(value, connection)
        cursor.execute(self.sql, params)
        pk = self.model._meta.pk
        new_id = 0
        if pk is not None and pk.db_returning:
            row = cursor.fetchone() if _returning() else None
            new_id = int(row[0]) if row else int(cursor.lastrowid)
            self.instance.pk = new_id
        self.instance._state.adding = False
        if post_save.has_listeners(self.model):
            post_save.send(
                sender=self.model,
                instance=self.instance,
                created=True,
                update_fields=None,
                raw=False,
                using="default",
            )
        return new_id


def _returning() -> bool:
    return bool(connection.features.can_return_columns_from_insert)


def _insert_sql(model: type[Model], fields: list[Field]) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608 (names from the model; values are parameters)
    pk = model._meta.pk
    if pk is not None and pk.db_returning and _returning():
        sql += f" RETURNING {quote(str(pk.column))}"
    return sql


def task_row(task: Any, args_of: Callable[[int], list[Any]]) -> Row:
    """The queue row `task.enqueue(*args_of(parent_id))` would write (django-tasks-db's
    `DatabaseBackend._task_to_db_task`, the same columns), made ready now."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        raise TypeError("the signing path queues its mail in the database queue")
    backend.validate_task(task)
    values = {
        "id": backend._get_id(),
        "priority": task.priority,
        "task_path": task.module_path,
        "queue_name": task.queue_name,
        "run_after": task.run_after,
        "backend_name": backend.alias,
    }
    later = {"args_kwargs": lambda parent: normalize_json({"args": args_of(parent), "kwargs": {}})}
    return Row(DBTaskResult, values, later)


def enqueued(row: Row) -> None:
    """What `enqueue` tells after writing the row (django-tasks' `task_enqueued` signal)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import task_enqueued

    task_enqueued.send(DatabaseBackend, task_result=row.instance.task_result)  # type: ignore[attr-defined]
