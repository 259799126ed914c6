"""The `undersign` console command: every Django management command plus ours."""

import os
import sys
from pathlib import Path


def _command_name(name: str) -> str:
    """`reconcile-counts` runs the module reconcile_counts; `export-text` is its own module."""
    commands = Path(__file__).resolve().parent / "management" / "commands"
    if (commands / f"{name}.py").exists():
        return name
    return name.replace("-", "_")


def _database_file() -> Path | None:
    """The SQLite file of the default database (None on PostgreSQL)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "undersign.sqlite":
        return None
    return Path(db["NAME"])


def _where() -> str:
    from django.conf import settings

    path = _database_file()
    if path is not None:
        return str(path)
    db = settings.DATABASES["default"]  # no password: this line goes to a terminal or a log
    return f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _is_missing_table(error: BaseException) -> bool:
    # SQLite says so in words; PostgreSQL (psycopg) with its own exception class.
    return "no such table" in str(error) or type(error.__cause__).__name__ == "UndefinedTable"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "undersign.settings")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        args[0] = _command_name(args[0])
    try:
        existed = (path := _database_file()) is None or path.exists()
    except Exception:  # broken settings: let Django's own error show
        existed, path = True, None
    try:
        execute_from_command_line(["undersign", *args])
    except DatabaseError as error:
        if not _is_missing_table(error):
            raise
        if not existed and path is not None:
            # Opening it made an empty file: leave no trace of the attempt.
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
        sys.exit(f"undersign: no database at {_where()}: run `undersign migrate` first")


if __name__ == "__main__":
    main()
