"""Queries and CPU per workspace page, for a logged-in organiser at a realistic database.

`.venv/bin/python bench/workspace_profile.py [ROWS] [REQUESTS]` (defaults 200,000 and 200):
builds a throwaway data folder as `make bench` does, then asks each page REQUESTS times
through Django's test client in one process and prints, per page, the queries of one
request and the CPU milliseconds per request (time.process_time, so the machine's other
load counts less than in a throughput figure). BENCH_PROFILE=1 adds a cProfile of each.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench import SLUG, Stack, bulk_insert, organiser_session

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
REQUESTS = int(sys.argv[2]) if len(sys.argv) > 2 else 200

MEASURE = """
import cProfile, os, pstats, time
from django.conf import settings
from django.db import connection
from django.test import Client
client = Client(HTTP_HOST='127.0.0.1')
client.cookies[settings.SESSION_COOKIE_NAME] = SESSION
SAVE = os.environ.get('BENCH_SAVE')
for n, path in enumerate(PATHS):
    if SAVE:
        # Twice each: the first may fill a cache the second reads.
        for language in ('en', 'ru', 'en', 'ru'):
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            name = f'{SAVE}/{n}-{language}.html'
            name = name + '.again' if os.path.exists(name) else name
            with open(name, 'wb') as f:
                f.write(client.get(path).content)
        del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    for _ in range(5):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
    assert b'bench' in answer.content and b'logout' in answer.content.lower(), answer.content[:3000]
    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        client.get(path)
    started = time.process_time()
    profile = cProfile.Profile() if os.environ.get('BENCH_PROFILE') else None
    if profile:
        profile.enable()
    for _ in range(REQUESTS):
        client.get(path)
    if profile:
        profile.disable()
    ms = (time.process_time() - started) * 1000 / REQUESTS
    print(f'{path}: {len(queries)} queries, {ms:.2f} ms CPU per request')
    if os.environ.get('BENCH_VERBOSE'):
        for sql in queries:
            print('   ', sql[:200])
    if profile:
        pstats.Stats(profile).sort_stats('cumulative').print_stats(30)
        if os.environ.get('BENCH_PROFILE').endswith('/'):
            profile.dump_stats(f"{os.environ['BENCH_PROFILE']}{n}.prof")
"""


def main() -> None:
    stack = Stack()
    try:
        bulk_insert(stack, ROWS)
        session = organiser_session(stack)
        paths = [
            "/workspace/",
            f"/workspace/s/{SLUG}/dashboard",
            f"/workspace/s/{SLUG}/signers/?volunteers=on",
            f"/workspace/s/{SLUG}/signers/?volunteers=on&city=Cologne",
        ]
        code = f"SESSION = {session!r}\nPATHS = {paths!r}\nREQUESTS = {REQUESTS}\n" + MEASURE
        print(stack.python(code), end="")
    finally:
        stack.close()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
