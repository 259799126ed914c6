"""`undersign contacts export SLUG FILE` and `undersign contacts open FILE --key KEYFILE`."""

import getpass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from nacl.exceptions import CryptoError
from rich.progress import track

from undersign.signatures.contacts import ContactsErased
from undersign.signatures.exports import export_contacts, open_export, read_private_key
from undersign.statements.models import Statement


class Command(BaseCommand):
    help = "Export the contacts of a statement's confirmed signatures, or open a sealed export."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write contacts to a CSV file (sealed stay sealed).")
        export.add_argument("slug")
        export.add_argument("file", type=Path)
        export.add_argument("--volunteers", action="store_true", help="Only those ready to help.")
        export.add_argument("--country", default="", help="Only this country (e.g. DE).")
        export.add_argument("--user", default="", help="The organiser exporting (for the log).")
        opener = sub.add_parser("open", help="Open a sealed export with the private key.")
        opener.add_argument("file", type=Path)
        opener.add_argument("--key", type=Path, help="The private key file (keys new --out).")
        opener.add_argument("--out", type=Path, help="The plain CSV to write (default: beside).")

    def handle(self, *args, **options):
        if options["action"] == "export":
            self._export(options)
        else:
            self._open(options)

    def _export(self, options):
        statement = Statement.objects.select_related("sealing_key").filter(slug=options["slug"])
        found = statement.first()
        if found is None:
            raise CommandError(f"No statement {options['slug']!r}.")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['user']!r}.")
        try:
            n = export_contacts(
                found,
                options["file"],
                actor=actor,
                who=options["user"] or f"{getpass.getuser()} (console)",
                volunteers_only=options["volunteers"],
                country=options["country"],
                progress=lambda rows, total: track(
                    rows, total=total, description="Exporting", transient=True
                ),
            )
        except ContactsErased:
            raise CommandError(
                "The contacts of this statement were erased on its deletion date; "
                "there is nothing to export."
            ) from None
        except FileExistsError:
            raise CommandError(
                f"{options['file']} exists already; it is not overwritten."
            ) from None
        sealed = " (sealed: open with `undersign contacts open`)" if found.sealing_key else ""
        self.stdout.write(f"{n} contacts written to {options['file']}{sealed}.")

    def _open(self, options):
        source: Path = options["file"]
        target: Path = options["out"] or source.with_name(source.stem + "-opened.csv")
        key = read_private_key(options["key"]) if options["key"] else None
        try:
            n = open_export(source, target, key)
        except CryptoError:
            target.unlink(missing_ok=True)
            raise CommandError("This key does not open these contacts.") from None
        except ValueError as error:
            target.unlink(missing_ok=True)
            raise CommandError(str(error)) from None
        except FileExistsError:
            raise CommandError(f"{target} exists already; it is not overwritten.") from None
        self.stdout.write(f"{n} contacts written to {target}.")
