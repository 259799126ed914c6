"""`undersign worker`: django-tasks-db's worker loop, kept alive through database outages.

django-tasks-db lets a lost connection escape its loop in two places: while claiming a job
(the worker process dies) and while recording a job's result (the worker dies and the job
stays RUNNING until `JOB_TIMEOUT_SECONDS` have passed). Here the loop waits for the database
and goes on, and a job whose result could not be recorded goes back in the queue. A job that
failed on a transient error (database, network, mail server) is queued again with a growing
pause, up to `JOB_MAX_ATTEMPTS` runs (`undersign.housekeeping.retry_failed_jobs`).
"""

import contextlib
import logging
import time

from django.core.management.base import BaseCommand
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from undersign.housekeeping import (
    requeue_interrupted_job,
    requeue_stale_jobs,
    retry_failed_jobs,
    run_housekeeping,
    schedule_housekeeping,
)
from undersign.management.next_job import claim, next_ready
from undersign.management.processes import using_database
from undersign.sqlite import checkpoints

logger = logging.getLogger("undersign.worker")

# Pauses between two looks at a database that does not answer: doubling from the first to
# the longest.
FIRST_PAUSE = 0.5
LONGEST_PAUSE = 30.0
# What a lost or refused connection raises; anything else (a missing table) still ends the
# worker, loudly.
LOST = (OperationalError, InterfaceError)


def _drop_connections() -> None:
    """Forget connections the server ended; the next query opens a new one."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):
            connection.close()


class ResilientWorker(Worker):
    def run(self) -> None:
        if not self.batch:  # a running worker, on SQLite: a thread checkpoints
            checkpoints.take_over()
        pause = FIRST_PAUSE
        while True:
            started = time.monotonic()
            try:
                self._take_jobs()
                return
            except LOST as error:
                if time.monotonic() - started > 5:
                    pause = FIRST_PAUSE  # it had been working: a new outage starts short
                logger.warning(
                    "database unavailable (%s); trying again in %.1f s",
                    type(error).__name__,
                    pause,
                )
                _drop_connections()
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)

    def _take_jobs(self) -> None:
        """django-tasks-db's `Worker.run` loop, step for step, but for how it finds the next
        job and writes its claim (`next_job`: queries prepared once, not for every job). Any
        other choice of queues than all of them goes the library's own way."""
        if not self.process_all_queues or self.excluded_queue_names:
            super().run()
            return
        # The library's words (operators and `undersign run` look for them).
        logging.getLogger("django_tasks_db").info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        while self.running:
            close_old_connections()  # dropped or expired connections, right after waking up
            with exclusive_transaction(DBTaskResult.objects.db):
                try:
                    now = timezone.now()
                    task_result = next_ready(self.backend_name, now)
                    retrieved = True
                    if task_result is not None:
                        claim(task_result, self.worker_id, now)  # no other worker takes it
                except OperationalError as error:
                    retrieved = False
                    if not is_locked_database_exception(error):
                        raise
                    task_result = None  # a locked database: it frees up, try again
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved and task_result is None:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except LOST as error:
            # The job ran, but the database went away before its result was written.
            logger.warning(
                "job %s: result not recorded (%s); it goes back in the queue",
                db_task_result.pk,
                type(error).__name__,
            )
            self._put_back(db_task_result)
            return
        if db_task_result.status == TaskResultStatus.FAILED:
            try:
                retry_failed_jobs(ids=[db_task_result.pk])
            except DatabaseError:
                # Left FAILED: the next housekeeping round takes it up.
                _drop_connections()

    def _put_back(self, db_task_result: DBTaskResult) -> None:
        pause = FIRST_PAUSE
        while self.running:
            _drop_connections()
            try:
                requeue_interrupted_job(db_task_result)
                return
            except LOST:
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
        # Stopped meanwhile: the job stays RUNNING and is re-queued after the job timeout.


class Command(BaseCommand):
    help = (
        "Run the background worker: sends mails from the durable queue; survives database "
        "outages and retries jobs that failed on a transient error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at an empty queue."
        )

    def handle(self, *args, **options):
        with using_database():
            if options["batch"]:
                requeue_stale_jobs()
            else:
                # Recover what a killed worker left behind before taking new work, then keep
                # doing so (reconciling the counters, retrying transient failures, purging by
                # the retention rules) from the queue itself.
                run_housekeeping()
                schedule_housekeeping()
            DBWorkerCommand().configure_logging(options["verbosity"])
            worker = ResilientWorker(
                queue_names=["*"],
                interval=options["interval"],
                batch=options["batch"],
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=get_random_string(32),
                excluded_queue_names=[],
            )
            worker.configure_signals()
            worker.run()
