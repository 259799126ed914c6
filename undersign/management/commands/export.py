"""`undersign export SLUG --format csv|xlsx|json|pdf --as USER [filters] -o FILE`."""

import sys
from argparse import ArgumentTypeError
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from undersign.management.acting import acting_user, statement_as
from undersign.signatures import fields, questions
from undersign.signatures.contacts import ContactsErased
from undersign.signatures.exporters import EXPORTERS, ExportError, exporter_for
from undersign.signatures.reporting import SignerFilter


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date like 2026-11-30.") from None


def _answer(value: str) -> tuple[str, str]:
    key, _, wanted = value.partition("=")
    if not questions.KEY.fullmatch(key) or not wanted:
        raise ArgumentTypeError(f"{value!r} is not an answer like q12=c3 or q12=yes.")
    return key, wanted


def add_flag_arguments(parser) -> None:
    """--volunteers, …: one switch per declared yes/no filter (`signatures.fields`)."""
    for name, declared in fields.FILTERS.items():
        with translation.override("en"):
            described = f"Only: {str(declared.short_label).lower()}."
        parser.add_argument(f"--{name.replace('_', '-')}", action="store_true", help=described)


def flags(options) -> list[str]:
    return [name for name in fields.FILTERS if options.get(name)]


def add_filter_arguments(parser) -> None:
    add_flag_arguments(parser)
    parser.add_argument("--country", default="", help="Only this country (e.g. DE).")
    parser.add_argument("--city", default="", help="Only this city, in any spelling.")
    parser.add_argument("--revision", type=int, help="Only signers of this revision number.")
    parser.add_argument("--language", default="", help="Only signers who signed in it (ru).")
    parser.add_argument("--since", type=_date, help="Signed on or after this day (YYYY-MM-DD).")
    parser.add_argument("--until", type=_date, help="Signed on or before this day.")
    parser.add_argument("--name", default="", help="Names as shown containing this.")
    parser.add_argument(
        "--answer",
        action="append",
        default=[],
        type=_answer,
        metavar="q12=c3",
        help="Signers with this answer to one of the statement's questions: yes, a choice's "
        "key or a part of a text (repeatable; the keys are in the API's statement).",
    )


def signer_filter(options) -> SignerFilter:
    return SignerFilter(
        flags=flags(options),
        country=options["country"],
        city=options["city"],
        revision=options["revision"],
        language=options["language"],
        since=options["since"],
        until=options["until"],
        name=options["name"],
        answers=options["answer"],
    )


def progress_bar(quiet: bool):
    """A rich bar on stderr, so stdout can carry the export."""
    bar = Progress(
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=None,
        disable=quiet,
        transient=True,
    )

    def track(rows, total):
        with bar:
            task = bar.add_task("Exporting", total=total)
            for row in rows:
                yield row
                bar.advance(task)

    return track


def write_export(exporter, target: str, quiet: bool) -> int:
    """Write to a new file readable by its owner only, or to stdout for "-"."""
    track = progress_bar(quiet or target == "-")
    try:
        if target == "-":
            for chunk in exporter.export(track):
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return exporter.total
        return exporter.write(Path(target), track)
    except ContactsErased:
        raise CommandError(
            "The contacts of this statement were erased on its deletion date; "
            "there is nothing to export."
        ) from None
    except FileExistsError:
        raise CommandError(f"{target} exists already; it is not overwritten.") from None
    except ExportError as error:
        raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = (
        "Export a statement's signers (the public fields, or with --contacts their contacts) "
        "as CSV, XLSX, JSON or the handover PDF; recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", choices=sorted(EXPORTERS), default="csv")
        parser.add_argument("--as", dest="user", required=True, help="The account exporting.")
        parser.add_argument("-o", "--out", required=True, help='The file to write, or "-".')
        parser.add_argument(
            "--contacts", action="store_true", help="With contacts (sealed stay sealed)."
        )
        parser.add_argument("--lang", default="", help="The PDF's text language (e.g. de).")
        add_filter_arguments(parser)

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        cls = exporter_for(options["format"])
        statement = statement_as(user, options["slug"], cls.permission_for(options["contacts"]))
        try:
            exporter = cls(
                statement,
                where=signer_filter(options),
                contacts=options["contacts"],
                language=options["lang"] or None,
                actor=user,
            )
        except ExportError as error:
            raise CommandError(str(error)) from None
        n = write_export(exporter, options["out"], quiet=options["verbosity"] == 0)
        if options["out"] != "-":
            sealed = ""
            if exporter.contacts and exporter.sealed_rows:
                sealed = (
                    f" ({exporter.sealed_rows} sealed: open them with "
                    "`undersign contacts open FILE --key KEYFILE`)"
                )
            self.stderr.write(f"{n} rows written to {options['out']}{sealed}.")
