"""The worker finds its next job with a query compiled once (`management/next_job.py`): it
must take the same job as django-tasks-db's own query would, in the same order, and take
none that is not due, or that another backend's worker runs."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from tests.conftest import run_worker
from undersign.management.next_job import claim, next_ready

pytestmark = pytest.mark.django_db


def _job(name: str, *, priority: int = 0, run_after=None, backend: str = "default", **more):
    return DBTaskResult.objects.create(
        task_path="undersign.signatures.tasks.send_confirmation",
        args_kwargs={"args": [0], "kwargs": {}},
        priority=priority,
        run_after=run_after or get_date_max(),
        backend_name=backend,
        queue_name="default",
        exception_class_path="",
        traceback=name,  # the job's name, to tell them apart
        **more,
    )


def _library_pick(now):
    from unittest import mock

    with mock.patch("django_tasks_db.models.timezone.now", return_value=now):
        return DBTaskResult.objects.ready().filter(backend_name="default").get_locked()


def test_it_takes_the_jobs_in_the_librarys_order():
    now = timezone.now()
    _job("late", run_after=now + timedelta(minutes=5))
    _job("done", status=TaskResultStatus.SUCCESSFUL)
    _job("elsewhere", backend="other", priority=90)
    _job("soon")
    _job("due a minute ago", run_after=now - timedelta(minutes=1))
    _job("urgent", priority=10)
    _job("urgent, due", priority=10, run_after=now - timedelta(seconds=1))

    taken = []
    while (job := next_ready("default", now)) is not None:
        assert job == _library_pick(now)
        taken.append(job.traceback)
        job.claim("w")
    assert taken == ["urgent, due", "urgent", "due a minute ago", "soon"]
    # What the library's query gives back is the model's own instance, every column read.
    assert _library_pick(now + timedelta(minutes=6)).traceback == "late"
    job = next_ready("default", now + timedelta(minutes=6))
    assert job is not None and job.traceback == "late"
    assert job.args_kwargs == {"args": [0], "kwargs": {}} and job.worker_ids == []
    assert job.run_after == DBTaskResult.objects.get(pk=job.pk).run_after


def test_the_worker_runs_what_is_due_and_leaves_what_is_not():
    now = timezone.now()
    later = _job("later", run_after=now + timedelta(hours=1))
    due = _job("due")
    run_worker()
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == TaskResultStatus.SUCCESSFUL  # the signature is gone: "skipped"
    assert due.return_value == "skipped" and len(due.worker_ids) == 1
    assert later.status == TaskResultStatus.READY and later.worker_ids == []


def test_a_claim_reads_back_as_the_librarys_own():
    now = timezone.now()
    ours, theirs = _job("ours"), _job("theirs")
    job = next_ready("default", now)
    assert job is not None and job.pk == ours.pk
    claim(job, "worker-a", now)
    theirs.claim("worker-a")  # django-tasks-db's own claim, for comparison
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.status == theirs.status == TaskResultStatus.RUNNING
    assert ours.worker_ids == theirs.worker_ids == ["worker-a"]
    assert ours.started_at == now and theirs.started_at is not None
    assert (job.status, job.worker_ids, job.started_at) == ("RUNNING", ["worker-a"], now)
    # Taken: neither is offered again, and a second claim adds the next worker.
    assert next_ready("default", now) is None
    claim(ours, "worker-b", now)
    ours.refresh_from_db()
    assert ours.worker_ids == ["worker-a", "worker-b"]
