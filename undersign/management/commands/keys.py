"""`undersign keys new`: a key pair for sealed contacts; the server keeps the public half."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from undersign.organisers.models import SealingKey
from undersign.organisers.services import log_action
from undersign.signatures.contacts import new_key_pair


class Command(BaseCommand):
    help = "Create a key pair for sealed contacts (keys new --out FILE), or list the keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        new = sub.add_parser("new", help="Write a new private key to FILE; keep its public key.")
        new.add_argument("--out", required=True, type=Path, help="Where the private key goes.")
        new.add_argument("--name", default="", help="A name organisers recognise in the admin.")
        sub.add_parser("list", help="List the public keys the server holds.")

    def handle(self, *args, **options):
        if options["action"] == "list":
            for key in SealingKey.objects.all():
                self.stdout.write(f"{key.name}\t{key.fingerprint}\t{key.created_at:%Y-%m-%d}")
            return
        out: Path = options["out"]
        private, public = new_key_pair()
        name = options["name"] or out.stem
        if SealingKey.objects.filter(name=name).exists():
            raise CommandError(f"A key named {name!r} exists already; choose another --name.")
        try:
            # Written once, readable by its owner only, never overwritten.
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{out} exists already; it is never overwritten.") from None
        with transaction.atomic():
            key = SealingKey.objects.create(name=name, public_key=public)
            log_action("keys.new", obj=key, data={"fingerprint": key.fingerprint})
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(
                f"# undersign private key {name!r}, fingerprint {key.fingerprint}.\n"
                "# Whoever holds this file can read the sealed contacts. Keep it offline;\n"
                "# without it they cannot be read by anyone, the server included.\n"
                f"{private}\n"
            )
        self.stdout.write(
            f"Private key written to {out} (keep it safe; it is not stored anywhere else).\n"
            f"Public key {name!r} ({key.fingerprint}) stored: choose it for a statement in "
            "the admin to seal its contacts."
        )
