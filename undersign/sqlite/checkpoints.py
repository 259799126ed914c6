"""The write-ahead log copied into the database by a thread of its own, outside the write turn.

SQLite copies its WAL back into the database file (a checkpoint: about a thousand pages
read and written, and two fsyncs) inside the COMMIT that makes the WAL pass a thousand
pages. Here that COMMIT is made while holding the write turn (`base._WriteTurn`), so every
writer in every process waited for each checkpoint: under a signing surge every fsync of
the server processes fell inside a write turn (strace, issue 13). SQLite's documentation
offers the way out: turn the automatic checkpoints off and run them from a separate thread.
A process that takes them over (the web server's WSGI module and the running mail worker
call `take_over`) does that on its connections, and one such thread per database, whichever
process it is in, checkpoints every `EVERY` seconds while the requests go on. Other
processes (a command, a test) keep SQLite's own.

Such a process must not open and close the database file other than through SQLite: closing
any descriptor of a file drops every POSIX lock the process holds on it, SQLite's included.
The test suite's byte-for-byte reads of its database did just that under a checkpointing
thread in the test process (a "disk I/O error" next), so a test process never takes over.
"""

import fcntl
import logging
import os
import sqlite3
import threading
import time
from contextlib import closing
from typing import Any

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
    from undersign.sqlite.base import _WriteTurn

    turn = _WriteTurn(database)  # a lock file descriptor of its own
    alone: int | None = None
    try:
        file = os.stat(database).st_ino
        alone = _one_at_a_time(database)
        with closing(sqlite3.connect(database, timeout=5, isolation_level=None)) as wal:
            wal.execute("PRAGMA synchronous=NORMAL")  # as Django's connections: settings.py
            last = None
            while _same_file(database, file):
                time.sleep(EVERY)
                try:
                    last = _copy(wal, turn, last)
                except (OSError, sqlite3.Error) as error:
                    # Busy past the timeout, a full disk: the next round tries again (this
                    # thread must go on, its process's connections checkpoint no more).
                    logger.warning("WAL checkpoint postponed: %s", error)
                    last = None
    except (OSError, sqlite3.Error) as error:
        logger.warning("WAL checkpoints of %s stopped: %s", database, error)
    finally:
        turn.close()
        if alone is not None:
            os.close(alone)  # another process's thread may go on
        # Django's next new connection to the database starts a thread again.
        with _lock:
            if _running.get(database) == os.getpid():
                del _running[database]


def _copy(wal: sqlite3.Connection, turn: Any, last: tuple | None) -> tuple:
    """One round: the bulk of the log while the writers go on (PASSIVE waits for nobody),
    then, in a write turn, what they wrote meanwhile. Only a checkpoint that nobody writes
    during ends with the whole log copied, and only then does the next writer start the log
    again from its beginning: under a steady load, rounds without the turn left a log that
    grew by 120 MB a second. The turn is held for the last few pages and the fsyncs, a few
    times a second, where SQLite's own held it for a thousand pages and two fsyncs at
    every thousand pages written (some thirty times a second in a surge)."""
    state = tuple(wal.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
    _busy, log, copied = state
    if log != copied or state != last:  # something was written since the last round
        turn.take()
        try:
            state = tuple(wal.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
        finally:
            turn.give_back()
    return state


def _same_file(database: str, file: int) -> bool:
    """Whether `database` is still the file the thread opened (a test's database is
    removed, a restored one replaces it: the thread ends with it)."""
    try:
        return os.stat(database).st_ino == file
    except OSError:
        return False


def _one_at_a_time(database: str) -> int:
    """Wait until no other process's thread checkpoints `database`: one is enough, and two
    would take write turns for each other's work. The kernel drops the lock of a process
    that ends, and the thread of another goes on. Returns the descriptor holding it."""
    fd = os.open(f"{database}.checkpoint-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        os.close(fd)
        raise
    return fd
