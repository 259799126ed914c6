"""Django's SQLite backend, creating the database file readable by its owner only.

The file is made (mode 0600) just before SQLite opens it, and SQLite gives its -wal and -shm
files the same mode, so no contact ever sits in a file others on the machine can read. Made
at the first connection, not when the settings load: a command run before `migrate` leaves
no empty database behind.

Write transactions take turns on a lock file (`_WriteTurn`) rather than on SQLite's
sleeping busy handler; a server process checkpoints from a thread, outside those turns
(`checkpoints`).
"""

import fcntl
import os
from functools import lru_cache

from django.db.backends.sqlite3 import base

from undersign.sqlite import checkpoints


def _is_file(name: object) -> bool:
    return bool(name) and not str(name).startswith((":memory:", "file:"))


def private_file(name: object) -> None:
    if not _is_file(name):
        return
    try:
        os.close(os.open(str(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # no such folder: SQLite says so when it opens it


class _WriteTurn:
    """A lock file beside the database, taken for the length of each write transaction.

    SQLite makes a writer that finds the database locked sleep and look again (1, 2, 5,
    10 ms … its busy handler), so under a signing load from several processes a waiting
    writer often sleeps while the lock is free, and the tail latency grew to hundreds of
    milliseconds (issue 13). Waiting on `flock` instead, the kernel wakes the next writer
    the moment the lock is released. The kernel drops the lock of a killed process.
    """

    def __init__(self, database: str) -> None:
        self.path = f"{database}.write-lock"
        self.fd: int | None = None
        self.held = False

    def take(self) -> None:
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        self.held = True

    def give_back(self) -> None:
        if self.held and self.fd is not None:
            self.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.give_back()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _turn_of(connection: "DatabaseWrapper") -> "_WriteTurn | None":
    name = str(connection.settings_dict.get("NAME") or "")
    if not _is_file(name):
        return None
    turn = connection.__dict__.get("_write_turn")
    if turn is None or turn.path != f"{name}.write-lock":
        if turn is not None:
            turn.close()
        turn = connection.__dict__["_write_turn"] = _WriteTurn(name)
    return turn


class _Turns:
    def _start_transaction_under_autocommit(self):
        turn = _turn_of(self)  # type: ignore[arg-type]
        if turn is not None:
            turn.take()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            if turn is not None:
                turn.give_back()
            raise

    def _commit(self):
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._give_back_turn()

    def _rollback(self):
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._give_back_turn()

    def close(self):
        try:
            return super().close()  # type: ignore[misc]
        finally:
            turn = self.__dict__.get("_write_turn")
            if turn is not None:
                turn.close()

    def _give_back_turn(self) -> None:
        turn = self.__dict__.get("_write_turn")
        if turn is not None:
            turn.give_back()


@lru_cache(maxsize=1024)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class _Cursor(base.SQLiteCursorWrapper):
    """Django's cursor, with each query's "%s" turned into SQLite's "?" once per distinct
    query rather than by a regular expression on every execution: the same few queries run
    for every signing and every mail, and that substitution was 4% of a signing's CPU
    (py-spy, issue 13). Queries with named parameters go Django's way."""

    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(_Turns, base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=_Cursor)

    def get_new_connection(self, conn_params):
        database = conn_params.get("database")
        private_file(database)
        connection = super().get_new_connection(conn_params)
        if _is_file(database):
            checkpoints.connected(connection, str(database))
        return connection
