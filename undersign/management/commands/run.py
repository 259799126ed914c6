"""`undersign run`: the web server and the mail worker together; Ctrl-C stops both."""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from undersign.env import remember_site_url, served_url
from undersign.management.processes import require_migrated, supervise, using_database


class Command(BaseCommand):
    help = "Serve the site and run the mail worker beside it (for a laptop or a small server)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args, **options):
        require_migrated()
        connection.close()  # the children have their own
        base = [sys.executable, "-m", "undersign.cli"]
        address = f"{options['host']}:{options['port']}"
        # Links in mails point where this server listens, unless UNDERSIGN_URL says otherwise,
        # and so does what other commands print (`undersign import`).
        url = os.environ.setdefault("UNDERSIGN_URL", served_url(options["host"], options["port"]))
        remember_site_url(settings.DATA_DIR, url)
        children = {}
        if not options["no_worker"]:
            children["mail worker"] = [*base, "worker"]
        children["web server"] = [*base, "runserver", "--noreload", address]
        self.stdout.write(f"undersign is serving http://{address}/  (Ctrl-C stops it)")
        self.stdout.flush()
        with using_database():
            supervise(children)
