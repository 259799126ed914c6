"""The write-ahead log copied into the database by a thread of its own, outside the write turn.

SQLite copies its WAL back into the database file (a checkpoint: about a thousand pages
read and written, and two fsyncs) inside the COMMIT that makes the WAL pass a thousand
pages. Here that COMMIT is made while holding the write turn (`base._WriteTurn`), so every
writer in every process waited for each checkpoint: under a signing surge every fsync of
the server processes fell inside a write turn, and the longest turns went from 1.5 ms to
10-15 ms (strace, issue 13). A process that takes the checkpoints over (the web server's
WSGI module and the mail worker call `take_over`) turns SQLite's own off on its connections
and checkpoints from a thread every `EVERY` seconds instead, while its requests go on:
SQLite runs a checkpoint without holding the GIL or any writer's lock. Other processes (a
command, a test) keep SQLite's own.
"""

import logging
import os
import sqlite3
import threading
import time
from contextlib import closing

logger = logging.getLogger("undersign.sqlite")

EVERY = 0.25  # seconds: at a few thousand signings a second, a WAL of some tens of MB

_wanted = False
_lock = threading.Lock()
_running: dict[str, int] = {}  # database -> the process whose thread checkpoints it


def take_over() -> None:
    """This process's connections leave the checkpoints to a thread (started with the first
    connection, so a process forked after this call gets its own). A connection already
    open is closed: the next query opens one that does."""
    global _wanted
    _wanted = True
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            connection.close()


def connected(connection: sqlite3.Connection, database: str) -> None:
    """A new connection of Django's to `database` (a file)."""
    if not _wanted:
        return
    connection.execute("PRAGMA wal_autocheckpoint=0")
    with _lock:
        if _running.get(database) == os.getpid():
            return
        _running[database] = os.getpid()
    threading.Thread(
        target=_checkpoint, args=(database,), name="undersign-checkpoints", daemon=True
    ).start()


def _checkpoint(database: str) -> None:
    try:
        file = os.stat(database).st_ino
        with closing(sqlite3.connect(database, timeout=5, isolation_level=None)) as wal:
            wal.execute("PRAGMA synchronous=NORMAL")  # as Django's connections: settings.py
            while _same_file(database, file):
                time.sleep(EVERY)
                # PASSIVE: copies what no reader still needs, and waits for nobody.
                wal.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except (OSError, sqlite3.Error) as error:
        logger.warning("WAL checkpoints of %s stopped: %s", database, error)
    finally:
        # Django's next new connection to the database starts a thread again.
        with _lock:
            if _running.get(database) == os.getpid():
                del _running[database]


def _same_file(database: str, file: int) -> bool:
    """Whether `database` is still the file the thread opened (a test's database is
    removed, a restored one replaces it: the thread ends with it)."""
    try:
        return os.stat(database).st_ino == file
    except OSError:
        return False
