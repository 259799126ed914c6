from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker: sends mails from the durable queue, with retries."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at an empty queue."
        )

    def handle(self, *args, **options):
        if not options["batch"]:
            # The retention purge runs as a recurring job in the queue (see retention.py).
            from undersign.signatures.retention import ensure_purge_scheduled

            ensure_purge_scheduled()
        call_command(
            "db_worker",
            queue_name="*",
            interval=options["interval"],
            batch=options["batch"],
            reload=False,
            startup_delay=False,
            verbosity=options["verbosity"],
        )
