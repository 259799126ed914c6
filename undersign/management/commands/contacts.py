"""`undersign contacts export SLUG FILE` and `undersign contacts open FILE --key KEYFILE`.

`contacts export` is `undersign export SLUG --contacts` as CSV; `contacts open` opens a
sealed export (CSV, XLSX or JSON) on the organisers' own computer.
"""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from nacl.exceptions import CryptoError

from undersign.management.acting import acting_user, statement_as
from undersign.management.commands.export import add_flag_arguments, flags, write_export
from undersign.signatures.exporters import CsvExporter
from undersign.signatures.exporters.opening import open_export, read_private_key
from undersign.signatures.reporting import SignerFilter
from undersign.statements.models import Statement


class Command(BaseCommand):
    help = "Export the contacts of a statement's confirmed signatures, or open a sealed export."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write contacts to a CSV file (sealed stay sealed).")
        export.add_argument("slug")
        export.add_argument("file")
        add_flag_arguments(export)
        export.add_argument("--country", default="", help="Only this country (e.g. DE).")
        export.add_argument("--city", default="", help="Only this city, in any spelling.")
        export.add_argument(
            "--user", "--as", dest="user", default="", help="The account exporting."
        )
        opener = sub.add_parser("open", help="Open a sealed export with the private key.")
        opener.add_argument("file", type=Path)
        opener.add_argument("--key", type=Path, help="The private key file (keys new --out).")
        opener.add_argument("--out", type=Path, help="The file to write (default: beside).")

    def handle(self, *args, **options):
        if options["action"] == "export":
            self._export(options)
        else:
            self._open(options)

    def _export(self, options):
        where = SignerFilter(flags=flags(options), country=options["country"], city=options["city"])
        if options["user"]:
            user = acting_user(options["user"])
            statement = statement_as(user, options["slug"], "contacts")
            exporter = CsvExporter(statement, where=where, contacts=True, actor=user)
        else:
            # The operator at the console holds the database anyway: no account to check,
            # but the log says who it was.
            found = Statement.objects.filter(slug=options["slug"]).first()
            if found is None:
                raise CommandError(f"No statement {options['slug']!r}.")
            who = f"{getpass.getuser()} (console)"
            exporter = CsvExporter(found, where=where, contacts=True, who=who)
        n = write_export(exporter, options["file"], quiet=options["verbosity"] == 0)
        sealed = ""
        if exporter.sealed_rows:
            sealed = f" ({exporter.sealed_rows} sealed: open with `undersign contacts open`)"
        self.stdout.write(f"{n} contacts written to {options['file']}{sealed}.")

    def _open(self, options):
        source: Path = options["file"]
        target: Path = options["out"] or source.with_name(f"{source.stem}-opened{source.suffix}")
        try:
            key = read_private_key(options["key"]) if options["key"] else None
            n = open_export(source, target, key)
        except CryptoError:
            raise CommandError("This key does not open these contacts.") from None
        except FileExistsError:
            raise CommandError(f"{target} exists already; it is not overwritten.") from None
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{n} contacts written to {target}.")
