"""Backups of the whole database to one file, and back.

SQLite: the online backup API copies a consistent snapshot while the site keeps running.
PostgreSQL: `pg_dump` in its custom format, restored by `pg_restore --clean`. The data
folder's `secret_key` is not in the file: keep it with the backups (without it, confirmation
links in mails already sent stop working and duplicate emails are no longer recognised).
Nor is `transit_key`: without it, only mails still waiting in the queue cannot be sent.
Backup files are written readable by their owner only.

A restore brings the data back to the backup's time, but not the queue of background jobs:
a mail that was waiting in the backup and went out afterwards must not go out again, and one
still waiting in the database being replaced must still go. So the jobs' state in the
database being replaced wins (`QueueMemory`). Only with no such database (a restore onto an
empty one) does the backup's queue run as it was.
"""

import json
import os
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class BackupError(Exception):
    pass


def _postgres_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # not on the command line, where ps shows it
    return env


def _run(args: list[str], db: dict[str, Any]) -> None:
    try:
        subprocess.run(args, env=_postgres_env(db), check=True, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{args[0]} is not installed (PostgreSQL client tools)") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(error.stderr.strip() or f"{args[0]} failed") from error


def _private(target: Path) -> None:
    """Make `target` a file only its owner reads, before anything is written to it: a backup
    holds everything the database does."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT
    finally:
        os.close(fd)


def backup_database(target: Path) -> None:
    """Write a consistent copy of the database to `target`, readable by its owner only."""
    db = connection.settings_dict
    _private(target)
    if connection.vendor == "sqlite":
        source = sqlite3.connect(db["NAME"])
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
    elif connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), db["NAME"]], db)
    else:
        raise BackupError(f"no backup for {connection.vendor}")


def restore_database(source: Path) -> "QueueMemory":
    """Replace the database's content with the backup in `source`; keep the job queue's
    state of the database being replaced (see the module's docstring).

    Refuses while a server or worker runs: they would keep writing into what is replaced, and
    on PostgreSQL their locks can deadlock with the restore.
    """
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    _refuse_while_in_use()
    with tempfile.TemporaryDirectory(prefix="undersign-restore-") as scratch:
        memory = QueueMemory.take(Path(scratch) / "jobs.sqlite3")
        _replace(source)
        memory.apply()
    return memory


def _replace(source: Path) -> None:
    db = connection.settings_dict
    connection.close()
    if connection.vendor == "sqlite":
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(db["NAME"])
        try:
            with live:
                backup.backup(live)
        finally:
            live.close()
            backup.close()
    elif connection.vendor == "postgresql":
        restore = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _run([*restore, "--dbname", db["NAME"], str(source)], db)
    else:
        raise BackupError(f"no restore for {connection.vendor}")


def _refuse_while_in_use() -> None:
    from undersign.management.processes import database_in_use

    if database_in_use():
        raise BackupError(
            "a server or worker is running on this data folder (undersign run, serve or "
            "worker): stop it first"
        )
    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                (others,) = cursor.fetchone()
        except DatabaseError:
            return  # no database yet: nothing to protect
        if others:
            raise BackupError(
                f"{others} other connection(s) to the database (servers or workers on any "
                "machine): stop them first"
            )


_PENDING = [TaskResultStatus.READY, TaskResultStatus.RUNNING]
_FINISHED_FIELDS = ["status", "finished_at", "return_value", "exception_class_path", "worker_ids"]


@dataclass
class QueueMemory:
    """What the database being replaced knows about its jobs, kept across the restore: the
    jobs it finished (in a scratch SQLite file, as there may be millions) and the ones still
    waiting (in memory: a queue is short)."""

    scratch: Path
    known: bool = False  # there was a job table to remember
    waiting: list[dict[str, Any]] = field(default_factory=list)
    done_since: int = 0  # waiting in the backup, finished since: not run again
    carried: int = 0  # waiting in the replaced database, not in the backup: kept
    replayed: int = 0  # waiting in the backup, unknown to the replaced database: will run

    @classmethod
    def take(cls, scratch: Path) -> "QueueMemory":
        memory = cls(scratch)
        jobs = DBTaskResult.objects.all()
        try:
            memory.waiting = [dict(job) for job in jobs.filter(status__in=_PENDING).values()]
            finished = (
                jobs.exclude(status__in=_PENDING)
                .values_list("id", *_FINISHED_FIELDS)
                .iterator(chunk_size=10_000)
            )
            with sqlite3.connect(scratch) as side:
                side.execute(
                    "CREATE TABLE finished (id TEXT PRIMARY KEY, status TEXT, finished_at TEXT,"
                    " return_value TEXT, exception_class_path TEXT, worker_ids TEXT)"
                )
                side.executemany(
                    "INSERT INTO finished VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        (str(i), st, at and at.isoformat(), json.dumps(rv), ex, json.dumps(w))
                        for i, st, at, rv, ex, w in finished
                    ),
                )
        except DatabaseError:
            connection.close()
            return memory  # an empty database: nothing to remember
        memory.known = True
        return memory

    def apply(self) -> None:
        """Give the restored jobs the state the replaced database knew them in."""
        from django.utils.dateparse import parse_datetime

        try:
            restored = list(
                DBTaskResult.objects.filter(status__in=_PENDING).values_list("id", flat=True)
            )
        except DatabaseError:
            return  # a backup without a job table
        if not self.known:
            self.replayed = len(restored)
            return
        waiting = {str(job["id"]): job for job in self.waiting}
        with sqlite3.connect(self.scratch) as side:
            for job_id in restored:
                row = side.execute(
                    "SELECT status, finished_at, return_value, exception_class_path, worker_ids"
                    " FROM finished WHERE id = ?",
                    (str(job_id),),
                ).fetchone()
                if row is None:
                    if str(job_id) not in waiting:
                        self.replayed += 1
                    continue
                status, finished_at, return_value, exception, worker_ids = row
                self.done_since += DBTaskResult.objects.filter(
                    pk=job_id, status__in=_PENDING
                ).update(
                    status=status,
                    finished_at=parse_datetime(finished_at) if finished_at else None,
                    return_value=json.loads(return_value),
                    exception_class_path=exception,
                    worker_ids=json.loads(worker_ids),
                    traceback="",
                )
        present = set(
            DBTaskResult.objects.filter(pk__in=list(waiting)).values_list("id", flat=True)
        )
        missing = [job for job in waiting.values() if job["id"] not in present]
        for job in waiting.values():
            if job["id"] in present:
                fields = {k: v for k, v in job.items() if k != "id"}
                DBTaskResult.objects.filter(pk=job["id"]).update(**fields)
        DBTaskResult.objects.bulk_create([DBTaskResult(**job) for job in missing])
        self.carried = len(missing)

    def summary(self) -> str:
        if not self.known:
            return (
                f"{self.replayed} job(s) waiting in the backup will run: with no database "
                "to replace, mails that went out after the backup was taken may go out again"
            )
        told = (
            f"{self.done_since} job(s) waiting in the backup had run since: not run again; "
            f"{self.carried} job(s) waiting in the replaced database kept"
        )
        if self.replayed:
            told += f"; {self.replayed} job(s) waiting in the backup and unknown since will run"
        return told
