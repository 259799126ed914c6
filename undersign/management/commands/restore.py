"""`undersign restore FILE`: put a backup back. Stop the server and the workers first."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from undersign.backups import BackupError, restore_database


class Command(BaseCommand):
    help = (
        "Replace the database with the backup in FILE (made by `undersign backup`). Stop every "
        "server and worker first: it refuses while one runs on this data folder or, on "
        "PostgreSQL, while another connection to the database is open. The background jobs "
        "keep the state the replaced database knew: a mail that went out after the backup was "
        "taken is not sent again, one still waiting still goes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        try:
            memory = restore_database(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"database restored from {options['file']}")
        self.stdout.write(memory.summary())
