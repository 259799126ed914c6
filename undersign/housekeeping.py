"""Periodic upkeep run by the worker: recover jobs of dead workers, reconcile counters, queue
the reminders before the purge and apply the retention rules
(`undersign.signatures.retention`), resume mailings whose worker died and queue the daily
digests that are due (`undersign.mailings`).

django-tasks-db marks a job RUNNING when a worker claims it and leaves it so if that worker
is killed. A job RUNNING for longer than `JOB_TIMEOUT_SECONDS` is put back in the queue, on
worker start and then every `HOUSEKEEPING_SECONDS` by the `housekeeping` job, which schedules
its own next run through the same durable queue (no cron needed, any number of workers).

It marks a job FAILED for good whatever the error. One that failed on a transient error (the
database went away, a network or mail server timeout: `TRANSIENT`) is queued again after
`JOB_RETRY_SECONDS`, doubling each time, until it has run `JOB_MAX_ATTEMPTS` times: by the
worker right after the failure, and by each housekeeping round for any the worker missed.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from undersign.mailings.digest import claim_due_digests
from undersign.mailings.tasks import resume_stalled_mailings
from undersign.signatures.retention import purge, remind
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


# Errors after which the same job may well succeed later. OSError covers the network, socket
# timeouts and every smtplib error (SMTPException is an OSError).
TRANSIENT: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, OSError)


@cache
def is_transient(exception_class_path: str) -> bool:
    """Whether a job that failed with this exception (as django-tasks-db records it) may be
    tried again. Database drivers' own classes count by their DB-API names."""
    try:
        error = import_string(exception_class_path)
    except ImportError:
        return False
    if not isinstance(error, type):
        return False
    names = {cls.__name__ for cls in error.__mro__}
    return issubclass(error, TRANSIENT) or bool(names & {"OperationalError", "InterfaceError"})


def attempts(job: DBTaskResult) -> int:
    """How many times the job was claimed, that is, run or started."""
    return max(len(job.worker_ids or []), 1)


def retry_delay(attempt: int) -> timedelta:
    """`JOB_RETRY_SECONDS` after the first run, doubling after each one, at most an hour."""
    return timedelta(seconds=min(settings.JOB_RETRY_SECONDS * 2 ** (attempt - 1), 3600))


def retry_failed_jobs(ids: Iterable[object] | None = None) -> int:
    """Queue again the jobs that failed on a transient error and have runs left.

    Returns how many were queued. Mail jobs check `mail_sent_at` before sending, so running
    one again does not send its mail twice.
    """
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    if ids is not None:
        failed = failed.filter(pk__in=list(ids))
    paths = failed.order_by().values_list("exception_class_path", flat=True).distinct()
    transient = [path for path in paths if is_transient(path)]
    queued = 0
    now = timezone.now()
    candidates = failed.filter(exception_class_path__in=transient).only("worker_ids", "finished_at")
    for job in candidates:
        attempt = attempts(job)
        if attempt >= settings.JOB_MAX_ATTEMPTS:
            continue
        run_after = max(now, (job.finished_at or now) + retry_delay(attempt))
        queued += DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY, run_after=run_after, started_at=None, finished_at=None
        )
    if queued:
        logger.warning("queued again %s job(s) that failed on a transient error", queued)
    return queued


def requeue_interrupted_job(job: DBTaskResult) -> None:
    """Put back in the queue a job whose result the worker could not record."""
    now = timezone.now()
    DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY,
        started_at=None,
        run_after=now + retry_delay(attempts(job)),
    )


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
    retried = retry_failed_jobs()
    drift = reconcile_counts()
    reminded = remind()
    purged = purge()
    resumed = resume_stalled_mailings()
    digests = claim_due_digests()
    checkpoint_wal()
    return {
        "mailings_resumed": resumed,
        "digests": digests,
        "requeued": requeued,
        "retried": retried,
        "reconciled": len(drift),
        "reminded": reminded,
        "purged": purged.unconfirmed,
    }


@task()
def housekeeping() -> dict[str, int]:
    try:
        return run_housekeeping()
    finally:
        # Queue the next run even if this one failed: retention must not stop silently.
        schedule_housekeeping()
