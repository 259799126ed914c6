"""Granian against gunicorn on the statement page and signing, interleaved runs.

Needs `pip install gunicorn` (not a dependency). Run: `.venv/bin/python bench/servers.py`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bench

APP = "undersign.wsgi:application"


def granian(port: int) -> list[str]:
    args = [bench.PYTHON, "-m", "granian", "--interface", "wsgi", "--port", str(port)]
    return [*args, "--workers", "2", "--blocking-threads", "1", "--no-log", APP]


def gunicorn(port: int) -> list[str]:
    return [bench.PYTHON, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", APP]


def main() -> None:
    stack = bench.Stack()
    print("| server | statement page/s | p99 ms | signing/s | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    try:
        for name, command in [("gunicorn", gunicorn), ("granian", granian)] * 2:
            port = bench.free_port()
            with bench.Server(command(port), stack.env, port) as server:
                page = bench.reading(server, f"/s/{bench.SLUG}/")
                sign = bench.signing(
                    server, f"/s/{bench.SLUG}/", f"/s/{bench.SLUG}/sign", name + str(port)
                )
            print(
                f"| {name} | {page['rps']:.0f} | {page['p99']:.1f} | {sign['rps']:.0f} "
                f"| {sign['p99']:.1f} |",
                flush=True,
            )
    finally:
        stack.close()


if __name__ == "__main__":
    main()
