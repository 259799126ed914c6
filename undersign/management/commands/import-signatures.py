"""`undersign import-signatures SLUG FILE [--paper] --as USER [--mapping "Header=field"]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from undersign.management.acting import acting_user, statement_as
from undersign.signatures import imports
from undersign.signatures.imports import columns
from undersign.signatures.models import SignatureImport

SHOWN_PROBLEMS = 50


def _pair(value: str) -> tuple[str, str]:
    title, sep, target = value.rpartition("=")
    if not sep or not title.strip():
        raise CommandError(f'{value!r} is not a mapping like "Ваш город=city".')
    return title.strip(), target.strip()


class Command(BaseCommand):
    help = (
        "Import signatures from a CSV or XLSX file (a Google Form's export, or a list typed "
        "from paper): rows with an email are asked by mail to confirm, rows without one count "
        "as paper signatures with --paper. Rows with a problem are listed; recorded in the "
        "audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("file")
        parser.add_argument("--as", dest="user", required=True, help="The account importing.")
        parser.add_argument(
            "--paper",
            action="store_true",
            help="A paper list: rows without an email count as paper signatures.",
        )
        parser.add_argument(
            "--mapping",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="What a column holds, where it is not recognised: a field (name, email, "
            "display, city, country, …), a question's key (q12), language, or ignore. "
            "Repeatable.",
        )
        parser.add_argument(
            "--language", default="", help="Language of the mails for rows that say none."
        )
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Import the good rows even when some have problems (they are listed).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the rows; import nothing."
        )

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        statement = statement_as(user, options["slug"], "contacts")
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        language = options["language"] or (
            statement.language if statement.language in columns.LANGUAGES else "en"
        )
        if language not in columns.LANGUAGES:
            raise CommandError(f"--language must be one of {', '.join(columns.LANGUAGES)}.")
        kind = SignatureImport.Kind.PAPER if options["paper"] else SignatureImport.Kind.FORM
        named = dict(_pair(m) for m in options["mapping"])
        with translation.override("en"):
            try:
                upload = imports.upload_sheet(
                    statement, content, kind=kind, language=language, actor=user, mapping=named
                )
            except (imports.SheetError, imports.ImportError_) as error:
                raise CommandError(f"{path}: {error.message}") from None
            checked = imports.preview(upload)
            self._report(upload, checked)
            if checked.problems or not checked.good:
                imports.discard_import(upload, actor=user)
                raise CommandError(checked.problems[0] if checked.problems else "No row to import.")
            if options["dry_run"]:
                imports.discard_import(upload, actor=user)
                self.stderr.write("Dry run: nothing imported.")
                return
            if checked.bad and not options["skip_bad_rows"]:
                imports.discard_import(upload, actor=user)
                raise CommandError(
                    f"{len(checked.bad)} rows have problems: fix them, or pass "
                    "--skip-bad-rows to import the others."
                )
            counts = self._import(upload, user, len(checked.good), options["verbosity"] == 0)
        self.stdout.write(
            f"Imported: {counts['mailed']} asked by mail to confirm, {counts['paper']} paper "
            f"signatures, {counts['already']} addresses already here (no mail), "
            f"{counts['skipped']} rows with problems skipped."
        )

    def _report(self, upload: SignatureImport, checked: imports.Preview) -> None:
        targets = {t.key: t.label for t in columns.targets(upload.statement)}
        for title, target in zip(upload.columns, checked.mapping, strict=False):
            self.stderr.write(f"  {title or '—'} → {targets.get(target, target)}")
        for row in checked.bad[:SHOWN_PROBLEMS]:
            self.stderr.write(f"row {row.number}: {'; '.join(row.problems)}")
        if len(checked.bad) > SHOWN_PROBLEMS:
            self.stderr.write(f"… and {len(checked.bad) - SHOWN_PROBLEMS} more rows with problems")

    def _import(self, upload: SignatureImport, user, total: int, quiet: bool) -> dict[str, int]:
        bar = Progress(
            "{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=quiet,
            transient=True,
        )
        with bar:
            task = bar.add_task("Importing", total=total)
            try:
                return imports.run_import(
                    upload, actor=user, progress=lambda n: bar.advance(task, n)
                )
            except imports.ImportError_ as error:
                raise CommandError(error.message) from None
