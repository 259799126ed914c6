"""`undersign reconcile-counts`: set every public counter to its confirmed signatures."""

from django.core.management.base import BaseCommand

from undersign.signatures.services import reconcile_counts


class Command(BaseCommand):
    help = "Recount the confirmed signatures of every statement and repair the public counters."

    def handle(self, *args, **options):
        drift = reconcile_counts()
        for statement_id, (before, after) in drift.items():
            self.stdout.write(f"statement {statement_id}: counter {before} -> {after}")
        self.stdout.write(f"{len(drift)} counter(s) repaired")
