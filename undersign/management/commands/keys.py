"""`undersign keys new --out FILE`: a key pair for sealed contacts, made where it is run.

Run it on your own computer: it needs no server and no database there. The private key
goes to FILE only; the public key is printed to paste in the workspace (Sealing). Where a
database is set up, the public key is also stored in it.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from undersign.organisers.models import SealingKey
from undersign.signatures.contacts import new_key_pair
from undersign.signatures.sealing import SealingError, add_key


class Command(BaseCommand):
    help = "Create a key pair for sealed contacts (keys new --out FILE), or list the keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        new = sub.add_parser("new", help="Write a new private key to FILE; print its public key.")
        new.add_argument("--out", required=True, type=Path, help="Where the private key goes.")
        new.add_argument("--name", default="", help="A name organisers recognise.")
        sub.add_parser("list", help="List the public keys the server holds.")

    def handle(self, *args, **options):
        if options["action"] == "list":
            for key in SealingKey.objects.all():
                self.stdout.write(f"{key.name}\t{key.fingerprint}\t{key.created_at:%Y-%m-%d}")
            return
        out: Path = options["out"]
        name = options["name"] or out.stem
        stored = _known_names()
        if stored is not None and name in stored:
            raise CommandError(f"A key named {name!r} exists already; choose another --name.")
        private, public = new_key_pair()
        fingerprint = SealingKey(public_key=public).fingerprint
        try:
            # Written once, readable by its owner only, never overwritten.
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{out} exists already; it is never overwritten.") from None
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(
                f"# undersign private key {name!r}, fingerprint {fingerprint}.\n"
                "# Whoever holds this file can read the sealed contacts. Keep it offline;\n"
                "# without it they cannot be read by anyone, the server included.\n"
                f"{private}\n"
            )
        self.stdout.write(
            f"Private key written to {out} (keep it safe; it is not stored anywhere else).\n"
            f"Public key {name!r}, fingerprint {fingerprint}:\n\n    {public}\n"
        )
        if stored is None:
            self.stdout.write(
                "\nPaste the public key in the workspace (the statement's Sealing page) "
                "to seal its contacts to it."
            )
            return
        try:
            add_key(name=name, public_key=public)
        except SealingError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(
            "\nStored in this server's database too: choose it on the statement's Sealing "
            "page in the workspace."
        )


def _known_names() -> set[str] | None:
    """The names of the stored keys, or None where there is no database (an organiser's
    own computer)."""
    try:
        return set(SealingKey.objects.values_list("name", flat=True))
    except DatabaseError:
        return None
