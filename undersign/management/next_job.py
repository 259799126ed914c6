"""The next job a worker takes, read with a SQL string compiled once.

django-tasks-db's worker builds and compiles the same queryset for every job it takes
(`DBTaskResult.objects.ready().filter(backend_name=...).get_locked()`), then saves its
claim through `Model.save`: together about a quarter of a mail's CPU in the worker (py-spy,
issue 13). Here that queryset is compiled once per database and backend, with a stand-in
for "now" that each call replaces; the row becomes the library's own model instance
(`undersign.rows`), and the claim is one UPDATE prepared once. `tests/test_worker_claim.py`
checks that it picks what the library's query picks, and that the claim reads back as the
library's.
"""

from datetime import UTC, datetime
from functools import cache

from django.db import connection
from django.db.models import Q
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from undersign.rows import Columns, first_row

# Stands for "now" while the query is compiled; no job is due at that moment.
_NOW = datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


def _ready(backend_name: str):
    # As the library's `DBTaskResultQuerySet.ready()` (run after the far-off date means "as
    # soon as possible"), with "now" given.
    return (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        .filter(Q(run_after=get_date_max()) | Q(run_after__lte=_NOW))
        .filter(backend_name=backend_name)
        .select_for_update(skip_locked=True)[:1]
    )


def _prepared(value: datetime) -> object:
    return DBTaskResult._meta.get_field("run_after").get_db_prep_value(value, connection)


@cache
def _plan(vendor: str, backend_name: str) -> tuple[str, tuple, int, Columns]:
    compiler = _ready(backend_name).query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    (now_at,) = [i for i, p in enumerate(params) if p == _prepared(_NOW)]
    columns = Columns(DBTaskResult, "")
    if [col.target for col, _sql, _alias in compiler.select] != columns.fields:
        raise RuntimeError("the job's columns are not its model's")  # the library changed
    return sql, tuple(params), now_at, columns


def next_ready(backend_name: str, now: datetime) -> DBTaskResult | None:
    """The job a worker takes next (locked, on PostgreSQL, skipping jobs others hold), or
    None: the same row as `DBTaskResult.objects.ready().filter(backend_name=...)
    .get_locked()`. Call it inside the worker's exclusive transaction."""
    sql, params, now_at, columns = _plan(connection.vendor, backend_name)
    given = list(params)
    given[now_at] = _prepared(now)
    row = first_row(sql, given)
    return None if row is None else columns.instance(row)


_CLAIMED = ("status", "started_at", "worker_ids", "id")


@cache
def _claim_plan(vendor: str) -> tuple[str, list]:
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    sql = f"UPDATE {table} SET status = %s, started_at = %s, worker_ids = %s WHERE id = %s"  # noqa: S608
    fields = {f.name: f for f in DBTaskResult._meta.concrete_fields}
    return sql, [fields[name] for name in _CLAIMED]


def claim(job: DBTaskResult, worker_id: str, now: datetime) -> None:
    """What the library's `DBTaskResult.claim` writes (running, since when, by which
    workers), as one UPDATE prepared once; the instance says the same."""
    job.status = TaskResultStatus.RUNNING
    job.started_at = now
    job.worker_ids = [*job.worker_ids, worker_id]
    sql, fields = _claim_plan(connection.vendor)
    params = [f.get_db_prep_save(getattr(job, f.name), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
