"""`undersign restore FILE`: put a backup back. Stop the server and the workers first."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from undersign.backups import BackupError, restore_database


class Command(BaseCommand):
    help = "Replace the database with the backup in FILE (made by `undersign backup`)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        try:
            restore_database(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"database restored from {options['file']}")
