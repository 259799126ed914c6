"""`undersign serve`: the production server (granian, WSGI) and the mail worker beside it.

Granian's WSGI mode was measured against gunicorn's sync workers on this project's 2-core
box (see bench/README.md): faster on small pages, the same where the app's work dominates,
and one process tree with no Python in the HTTP parsing path. One blocking thread per
worker process on SQLite: it has one writer at a time, and more threads only queue on its
lock. Four on PostgreSQL, where a signing waits on round trips and the WAL flush: the
measured tail latency halved (bench/README.md, issue 13).
"""

import fcntl
import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from undersign.env import remember_site_url, served_url
from undersign.management.processes import require_migrated, supervise, using_database


def default_threads(vendor: str) -> int:
    return 4 if vendor == "postgresql" else 1


class Command(BaseCommand):
    help = "Run the production web server and the mail worker beside it."

    def add_arguments(self, parser):
        env = os.environ.get
        parser.add_argument("--host", default=env("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(env("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(env("WORKERS", "0")) or os.cpu_count() or 1,
            help="Web server processes (default: WORKERS, else one per CPU core).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(env("THREADS", "0")) or default_threads(connection.vendor),
            help="Threads per web server process (default: THREADS, else 1 on SQLite, "
            "4 on PostgreSQL).",
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the mail worker here."
        )

    def handle(self, *args, **options):
        require_migrated()
        connection.close()  # the children have their own
        base = [sys.executable, "-m", "undersign.cli"]
        # Hashed, compressed static files, collected into the data folder by this version
        # (in a child: this process read its settings before the variable was set).
        os.environ["UNDERSIGN_COLLECTED_STATIC"] = "1"
        # Several servers sharing a data folder take turns, or they trip over each other's files.
        with (settings.DATA_DIR / "collectstatic.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            subprocess.run([*base, "collectstatic", "--noinput", "-v0"], check=True)  # noqa: S603
        address = f"{options['host']}:{options['port']}"
        url = os.environ.setdefault("UNDERSIGN_URL", served_url(options["host"], options["port"]))
        remember_site_url(settings.DATA_DIR, url)
        children = {}
        if not options["no_worker"]:
            children["mail worker"] = [*base, "worker"]
        children["web server"] = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--workers",
            str(options["workers"]),
            "--blocking-threads",
            str(options["threads"]),
            "--respawn-failed-workers",
            "--no-log",
            "undersign.wsgi:application",
        ]
        self.stdout.write(
            f"undersign is serving http://{address}/ with {options['workers']} process(es)"
            f"{'' if options['no_worker'] else ' and the mail worker'}",
        )
        self.stdout.flush()
        with using_database():
            sys.exit(supervise(children))
