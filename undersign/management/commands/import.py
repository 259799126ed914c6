"""`undersign import FILE.md [--lang ru] [--slug S] [--publish]`: a statement from Markdown."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from undersign.statements.links import third_party_links
from undersign.statements.services import StatementError, import_markdown


class Command(BaseCommand):
    help = (
        "Create a statement from a Markdown file, or, with --slug of an existing statement, "
        "replace its text (same language) or add a translation (another --lang)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a Markdown file, or - for standard input")
        parser.add_argument("--lang", help="language code of the text (else front matter)")
        parser.add_argument("--slug", help="the statement's address (else made from the title)")
        parser.add_argument("--publish", action="store_true", help="open it for signing")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        try:
            statement = import_markdown(
                text, slug=options["slug"], language=options["lang"], publish=options["publish"]
            )
        except StatementError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{statement.slug} {settings.SITE_URL}{statement.get_absolute_url()}")
        for url in third_party_links(text):
            self.stderr.write(
                f"warning: the text links a form or tracker on another site: {url} "
                "(signers who follow it leave this site's privacy)"
            )
