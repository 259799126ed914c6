"""Backups of the whole database to one file, and back.

SQLite: the online backup API copies a consistent snapshot while the site keeps running.
PostgreSQL: `pg_dump` in its custom format, restored by `pg_restore --clean`. The data
folder's `secret_key` is not in the file: keep it with the backups (without it, confirmation
links in mails already sent stop working and duplicate emails are no longer recognised).
Nor is `transit_key`: without it, only mails still waiting in the queue cannot be sent.
Backup files are written readable by their owner only.
"""

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection


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


def restore_database(source: Path) -> None:
    """Replace the database's content with the backup in `source`.

    Stop the server and the workers first: they would keep writing to what is replaced.
    """
    if not source.exists():
        raise BackupError(f"{source} does not exist")
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
