"""Export of the public signature list: what the page shows, as CSV, safe for spreadsheets."""

import csv
import io

from django.core.management import call_command

from tests.conftest import sign
from undersign.signatures import services
from undersign.signatures.models import Signature


def _signed_and_confirmed(client, statement, **overrides) -> None:
    sign(client, statement, **overrides)
    services.confirm_signature(Signature.objects.latest("id"))


def test_it_exports_the_public_fields_of_confirmed_signatures(client, statement, tmp_path):
    _signed_and_confirmed(client, statement, name="Anna Petrova", email="a@example.org")
    _signed_and_confirmed(client, statement, name="=HYPERLINK(1)", email="b@example.org")
    _signed_and_confirmed(
        client, statement, name="Hidden Person", display="hidden", email="c@example.org"
    )
    sign(client, statement, name="Pending Person", email="d@example.org")
    target = tmp_path / "out.csv"
    call_command("export_signatures", "letter", str(target), verbosity=0)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == ["name", "city", "country", "confirmed at", "revision"]
    assert [r[:3] for r in rows[1:]] == [
        ["Anna Petrova", "Köln", "DE"],
        ["'=HYPERLINK(1)", "Köln", "DE"],  # a spreadsheet shows it, never runs it
    ]
    assert rows[1][4] == "1"
    text = target.read_text(encoding="utf-8")
    assert "@example.org" not in text and "Hidden" not in text and "Pending" not in text
