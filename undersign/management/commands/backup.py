"""`undersign backup FILE`: a consistent copy of the database, taken while it runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from undersign.backups import BackupError, backup_database


class Command(BaseCommand):
    help = "Back up the database to FILE (SQLite online backup, or pg_dump for PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        try:
            backup_database(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"backup written to {options['file']}")
