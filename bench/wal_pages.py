"""The pages a signing writes into SQLite's log, by the table or index each belongs to.

`.venv/bin/python bench/wal_pages.py [SIGNINGS]` (default 200): a throwaway data folder as
`make bench` builds it, 3,000 signings through the real form (Django's test client) to
give the tables some depth, the log emptied, then SIGNINGS more. Each page a transaction
changes is written whole into the log at its COMMIT (two `pwrite` calls) and copied again
by a checkpoint; the frames' headers name the page, and SQLite's `dbstat` names the b-tree
that holds it (issue 13: 23 pages a signing, 16.7 after the seventh round).
"""

import sqlite3
import struct
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench import IN_PROCESS_SIGNING, SLUG, Stack

SIGNINGS = int(sys.argv[1]) if len(sys.argv) > 1 else 200

SIGN = """
import shutil
from django.db import connection

connection.ensure_connection()
with connection.cursor() as cursor:
    cursor.execute('PRAGMA wal_autocheckpoint=0')  # as the server processes run
sign_many('warm', 3000)
with connection.cursor() as cursor:
    cursor.execute('PRAGMA wal_checkpoint(TRUNCATE)')
sign_many('counted', SIGNINGS)
shutil.copy(connection.settings_dict['NAME'] + '-wal', COPY)
print(connection.settings_dict['NAME'])
"""


def frames(log: bytes) -> tuple[Counter, int]:
    """Pages by number, and the commits, in a WAL file (its 32-byte header, then frames of
    a 24-byte header and a page; a commit frame gives the database's size, others 0)."""
    size = struct.unpack(">I", log[8:12])[0]
    pages: Counter = Counter()
    commits = 0
    at = 32
    while at + 24 + size <= len(log):
        page, after_commit = struct.unpack(">II", log[at : at + 8])
        pages[page] += 1
        commits += bool(after_commit)
        at += 24 + size
    return pages, commits


def main() -> None:
    stack = Stack()
    try:
        copy = stack.dir / "counted.wal"
        code = f"SIGNINGS = {SIGNINGS}\nPATH = '/s/{SLUG}/sign'\nCOPY = '{copy}'\n"
        code += IN_PROCESS_SIGNING + SIGN
        database = stack.python(code).strip().splitlines()[-1]
        with sqlite3.connect(database) as db:
            owner = dict(db.execute("SELECT pageno, name FROM dbstat"))
        pages, commits = frames(copy.read_bytes())
        by_tree: Counter = Counter()
        for page, n in pages.items():
            by_tree[owner.get(page, "(a page freed or added since)")] += n
        print(f"{sum(pages.values()) / commits:.1f} pages a signing ({commits} commits)")
        for name, n in by_tree.most_common():
            print(f"{n / commits:6.2f}  {name}")
    finally:
        stack.close()


if __name__ == "__main__":
    main()
