from django.core.management import call_command
from django.core.management.base import BaseCommand

from undersign.housekeeping import requeue_stale_jobs, run_housekeeping, schedule_housekeeping


class Command(BaseCommand):
    help = "Run the background worker: sends mails from the durable queue, with retries."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at an empty queue."
        )

    def handle(self, *args, **options):
        if options["batch"]:
            requeue_stale_jobs()
        else:
            # Recover what a killed worker left behind before taking new work, then keep
            # doing so (reconciling the counters and purging by the retention rules too)
            # from the queue itself.
            run_housekeeping()
            schedule_housekeeping()
        call_command(
            "db_worker",
            queue_name="*",
            interval=options["interval"],
            batch=options["batch"],
            reload=False,
            startup_delay=False,
            verbosity=options["verbosity"],
        )
