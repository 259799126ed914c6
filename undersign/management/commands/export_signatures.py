"""`undersign export-signatures SLUG FILE`: the public signature list as CSV ("-" for stdout)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from undersign.signatures.export import export_signatures
from undersign.signatures.services import signature_count
from undersign.statements.models import Statement


class Command(BaseCommand):
    help = "Write the public signatures of a statement (no contact data) to a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("file", help='Path of the CSV file to write, or "-" for stdout.')

    def handle(self, *args, **options):
        statement = Statement.objects.filter(slug=options["slug"]).first()
        if statement is None:
            raise CommandError(f"no statement {options['slug']!r}")
        to_stdout = options["file"] == "-"
        out = sys.stdout if to_stdout else open(options["file"], "w", encoding="utf-8")  # noqa: SIM115
        # The bar goes to stderr, so stdout can carry the CSV; hidden signers make the total
        # an upper bound.
        progress = Progress(
            "{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            disable=to_stdout or options["verbosity"] == 0,
        )
        try:
            with progress:
                bar = progress.add_task("signatures", total=signature_count(statement))
                for n, chunk in enumerate(export_signatures(statement)):
                    out.write(chunk)
                    # Lines, not rows, if a name held a line break: good enough for a bar.
                    progress.advance(bar, chunk.count("\n") - (1 if n == 0 else 0))
        finally:
            if not to_stdout:
                out.close()
        if not to_stdout:
            self.stderr.write(f"signatures written to {options['file']}")
