"""Django's SQLite backend, creating the database file readable by its owner only.

The file is made (mode 0600) just before SQLite opens it, and SQLite gives its -wal and -shm
files the same mode, so no contact ever sits in a file others on the machine can read. Made
at the first connection, not when the settings load: a command run before `migrate` leaves
no empty database behind.
"""

import os

from django.db.backends.sqlite3 import base


def private_file(name: object) -> None:
    if not name or str(name).startswith((":memory:", "file:")):
        return
    try:
        os.close(os.open(str(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # no such folder: SQLite says so when it opens it


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        private_file(conn_params.get("database"))
        return super().get_new_connection(conn_params)
