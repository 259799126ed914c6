"""Periodic upkeep run by the worker: recover jobs of dead workers, reconcile counters, and
apply the retention rules (`undersign.signatures.retention.purge`).

django-tasks-db marks a job RUNNING when a worker claims it and leaves it so if that worker
is killed. A job RUNNING for longer than `JOB_TIMEOUT_SECONDS` is put back in the queue, on
worker start and then every `HOUSEKEEPING_SECONDS` by the `housekeeping` job, which schedules
its own next run through the same durable queue (no cron needed, any number of workers).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from undersign.signatures.retention import purge
from undersign.signatures.services import reconcile_counts

logger = logging.getLogger(__name__)


def requeue_stale_jobs(timeout: timedelta | None = None) -> int:
    """Put back in the queue the jobs that have been RUNNING for longer than the timeout.

    Mail jobs check `mail_sent_at` before sending, so a job whose worker died after its mail
    was recorded is not sent again; only a worker killed between the SMTP server's "250 OK"
    and the commit of `mail_sent_at` (a few milliseconds) leads to a second mail.
    """
    if timeout is None:
        timeout = timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)
    requeued = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - timeout
    ).update(status=TaskResultStatus.READY, started_at=None)
    if requeued:
        logger.warning("re-queued %s job(s) left running by a stopped worker", requeued)
    return requeued


def schedule_housekeeping(delay: timedelta | None = None) -> bool:
    """Queue the next housekeeping run unless one is queued already. Returns whether it did."""
    if delay is None:
        delay = timedelta(seconds=settings.HOUSEKEEPING_SECONDS)
    with transaction.atomic():
        queued = DBTaskResult.objects.filter(
            task_path=housekeeping.module_path, status=TaskResultStatus.READY
        )
        if queued.exists():
            return False
        housekeeping.using(run_after=timezone.now() + delay).enqueue()
    return True


def checkpoint_wal() -> None:
    """Copy SQLite's write-ahead log into the database file and empty it: pages of erased
    rows (withdrawals, mails sent) do not linger there. Nothing to do on PostgreSQL."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return  # (inside a transaction SQLite cannot checkpoint; the next round will)
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except OperationalError as error:  # busy: the next round tries again
        logger.warning("WAL checkpoint postponed: %s", error)


def run_housekeeping() -> dict[str, int]:
    requeued = requeue_stale_jobs()
    drift = reconcile_counts()
    purged = purge()
    checkpoint_wal()
    return {"requeued": requeued, "reconciled": len(drift), "purged": purged.unconfirmed}


@task()
def housekeeping() -> dict[str, int]:
    try:
        return run_housekeeping()
    finally:
        # Queue the next run even if this one failed: retention must not stop silently.
        schedule_housekeeping()
