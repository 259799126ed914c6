"""`undersign run`: the web server and the mail worker together; Ctrl-C stops both."""

import os
import subprocess
import sys

from django.core.management.base import BaseCommand

from undersign.management.processes import supervise


class Command(BaseCommand):
    help = "Serve the site and run the mail worker beside it (for a laptop or a small server)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args, **options):
        base = [sys.executable, "-m", "undersign.cli"]
        address = f"{options['host']}:{options['port']}"
        # Links in mails point where this server listens, unless UNDERSIGN_URL says otherwise.
        os.environ.setdefault("UNDERSIGN_URL", f"http://{address}")
        children = []
        if not options["no_worker"]:
            children.append(subprocess.Popen([*base, "worker"]))  # noqa: S603
        children.append(
            subprocess.Popen(  # noqa: S603
                [*base, "runserver", "--noreload", address]
            )
        )
        self.stdout.write(f"undersign is serving http://{address}/  (Ctrl-C stops it)")
        supervise(children)
