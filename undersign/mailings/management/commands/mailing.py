"""`undersign mailing send FILE --key KEYFILE --subject … --body-file …`: a mailing to the
signers of a sealed statement, sent from the organisers' own computer.

The server cannot read sealed addresses, so it cannot send to them. A contacts viewer
exports the contacts (`undersign contacts export SLUG FILE --contactable`, or the workspace's
export with contacts), and this command opens each sealed box here with the private key and
sends through the mail server configured here (`EMAIL_URL`), at `--rate` mails a second.
Only rows that agreed to be contacted get a mail. Each mail carries the same one-click
unsubscribe as the server's own mailings: its token is made from the sealed box, which the
server holds too, so it unsubscribes without ever reading the address. Needs no database.

Who got the mail is written as it goes to FILE.sent (digests of the boxes, no address), so a
run stopped halfway and started again sends nobody twice.
"""

import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import get_connection
from django.core.management.base import BaseCommand, CommandError
from nacl.exceptions import CryptoError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from undersign.mailings import services
from undersign.mailings.emails import mailing_mail
from undersign.signatures import contacts
from undersign.signatures.exporters.opening import read_export, read_private_key
from undersign.signatures.text import clean_line


class Command(BaseCommand):
    help = "Send a mailing to the sealed contacts of an export, from this computer."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="Open a sealed export here and send the mailing.")
        send.add_argument("file", type=Path, help="The export with contacts (CSV, XLSX, JSON).")
        send.add_argument("--key", type=Path, required=True, help="The private key file.")
        send.add_argument("--subject", required=True)
        send.add_argument("--body-file", type=Path, required=True, help="The text, UTF-8.")
        send.add_argument(
            "--language", default="", help="The mailing's language (default: the site's)."
        )
        send.add_argument(
            "--translation",
            nargs=3,
            action="append",
            default=[],
            metavar=("LANG", "SUBJECT", "BODY_FILE"),
            help="The mailing in another language, for those who signed in it (repeatable).",
        )
        send.add_argument("--title", default="", help="The statement's title, for the footer.")
        send.add_argument(
            "--rate", type=float, default=settings.MAILING_RATE, help="Mails a second, at most."
        )

    def handle(self, *args, **options):
        host = urlsplit(settings.SITE_URL).hostname or ""
        if host in ("127.0.0.1", "localhost", "::1"):
            raise CommandError(
                "Set UNDERSIGN_URL to the site's public address: each mail's link to get no "
                "more mails leads there."
            )
        self._title = options["title"]
        language = options["language"] or settings.LANGUAGE_CODE
        wordings = {language: self._wording(options["subject"], options["body_file"])}
        for lang, subject, body_file in options["translation"]:
            wordings[lang] = self._wording(subject, Path(body_file))
        try:
            key = read_private_key(options["key"])
            columns, rows = read_export(options["file"])
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from None
        if "sealed" not in columns or "contact_consent" not in columns:
            raise CommandError(f"{options['file']} is not an export with contacts.")
        journal_path = Path(f"{options['file']}.sent")
        done = set(journal_path.read_text().split()) if journal_path.exists() else set()
        wanted = [r for r in rows if str(r.get("contact_consent") or "") and r.get("sealed")]
        clear = sum(1 for r in rows if str(r.get("contact_consent") or "") and not r.get("sealed"))
        counts = {"sent": 0, "before": 0, "failed": 0, "no address": 0}
        interval = 1.0 / max(options["rate"], 0.001)
        connection = get_connection()
        bar = Progress(
            "{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            disable=options["verbosity"] == 0,
            transient=True,
        )
        try:
            connection.open()
        except OSError as error:
            raise CommandError(f"The mail server does not answer: {error}") from None
        try:
            with bar, journal_path.open("a") as journal:
                task = bar.add_task("Sending", total=len(wanted))
                for row in wanted:
                    started = time.monotonic()
                    self._send(connection, row, key, wordings, language, done, journal, counts)
                    bar.advance(task)
                    pause = interval - (time.monotonic() - started)
                    if pause > 0 and counts["sent"]:
                        time.sleep(pause)
        finally:
            connection.close()
        self.stdout.write(
            f"{counts['sent']} sent, {counts['before']} sent before, {counts['failed']} failed, "
            f"{counts['no address']} without an address; {clear} not sealed (the workspace "
            f"sends those)."
        )

    def _wording(self, subject: str, body_file: Path) -> tuple[str, str]:
        subject = clean_line(subject)
        try:
            body = body_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise CommandError(str(error)) from None
        if not subject or not body:
            raise CommandError("The subject and the text must not be empty.")
        return subject, body

    def _send(self, connection, row, key, wordings, language, done, journal, counts) -> None:
        blob = str(row["sealed"])
        digest = contacts.sealed_digest(blob)
        if digest in done:
            counts["before"] += 1
            return
        try:
            opened = contacts.unseal(key, blob)
        except CryptoError:
            raise CommandError("This key does not open these contacts.") from None
        if not opened.email:
            counts["no address"] += 1
            return
        signed_in = str(row.get("language") or "")
        lang = signed_in if signed_in in wordings else language
        subject, body = wordings[lang]
        token = services.sealed_unsubscribe_token(blob)
        message = mailing_mail(
            subject=subject,
            body=body,
            language=lang,
            to=opened.email,
            unsubscribe_url=services.unsubscribe_url(token, signed_in or lang),
            title=self._title,
        )
        message.connection = connection
        try:
            message.send()
        except OSError:  # every smtplib error; the address is never printed
            counts["failed"] += 1
            return
        journal.write(digest + "\n")
        journal.flush()
        done.add(digest)
        counts["sent"] += 1
