"""`undersign purge`: apply the retention rules now (the worker also runs this regularly)."""

from django.core.management.base import BaseCommand

from undersign.signatures.retention import purge


class Command(BaseCommand):
    help = (
        "Delete unconfirmed signatures past their retention time and erase the contacts of "
        "statements whose deletion date has come. Counts stay."
    )

    def handle(self, *args, **options):
        result = purge()
        self.stdout.write(
            f"Deleted {result.unconfirmed} unconfirmed signatures; erased {result.contacts} "
            f"contacts of {result.statements} statements."
        )
