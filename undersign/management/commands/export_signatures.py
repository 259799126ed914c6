"""`undersign export-signatures SLUG FILE`: the public signatures as CSV ("-" for stdout).

Kept for the operator at the console; `undersign export` does this and more, as a user.
"""

import getpass

from django.core.management.base import BaseCommand, CommandError

from undersign.management.commands.export import write_export
from undersign.signatures.exporters import CsvExporter
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
        # The operator at the console reads the database anyway; the log says who it was.
        exporter = CsvExporter(statement, who=f"{getpass.getuser()} (console)")
        n = write_export(exporter, options["file"], quiet=options["verbosity"] == 0)
        if options["file"] != "-":
            self.stderr.write(f"{n} signatures written to {options['file']}")
