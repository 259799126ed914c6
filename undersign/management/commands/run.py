"""`undersign run`: the web server and the mail worker together; Ctrl-C stops both."""

import contextlib
import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


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
        # A service manager stops us with SIGTERM: take the children down with us then too.
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        self.stdout.write(f"undersign is serving http://{address}/  (Ctrl-C stops it)")
        try:
            while all(child.poll() is None for child in children):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    children[-1].wait(timeout=1)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
