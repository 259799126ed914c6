"""CPU per signing through the real form, in one process (the README's profile method).

`.venv/bin/python bench/signing_profile.py [SIGNINGS]` (default 1,000): a throwaway data
folder as `make bench` builds it, then SIGNINGS posts of the signing form by Django's test
client, urlencoded as a browser sends it, each with a new address, and the CPU milliseconds
per signing (time.process_time).
It also prints how long each write transaction held the lock (BEGIN to COMMIT).
BENCH_PROFILE=1 prints a cProfile of a second run of the same size.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench import IN_PROCESS_SIGNING, SLUG, Stack

SIGNINGS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000

MEASURE = """
import cProfile, os, pstats, time

def run(tag):
    sign_many(tag, SIGNINGS)

# How long each write transaction holds the database's write lock (BEGIN to COMMIT).
from django.db import connection
held = []
begin, commit = connection._start_transaction_under_autocommit, connection._commit

def timed_begin():
    connection._began = time.perf_counter()
    begin()

def timed_commit():
    result = commit()
    if getattr(connection, '_began', None):
        held.append(time.perf_counter() - connection._began)
        connection._began = None
    return result

connection._start_transaction_under_autocommit, connection._commit = timed_begin, timed_commit
run('warm')
held.clear()
started = time.process_time()
run('timed')
print(f'{(time.process_time() - started) * 1000 / SIGNINGS:.3f} ms CPU per signing, '
      f'write transaction held {sum(held) * 1000 / len(held):.3f} ms each ({len(held)})')
if os.environ.get('BENCH_PROFILE'):
    profile = cProfile.Profile()
    profile.enable()
    run('profiled')
    profile.disable()
    pstats.Stats(profile).sort_stats('cumulative').print_stats(45)
"""


def main() -> None:
    stack = Stack()
    try:
        code = f"SIGNINGS = {SIGNINGS}\nPATH = '/s/{SLUG}/sign'\n" + IN_PROCESS_SIGNING + MEASURE
        print(stack.python(code), end="")
    finally:
        stack.close()


if __name__ == "__main__":
    main()
