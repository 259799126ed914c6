"""Issue 10, item 6 (the signer's side): on a statement that came out of an assembly, its
organisers turn on "I took part in the assembly"; signers who took part say so, and the
dashboard counts them, the signers list filters by it and the exports carry it."""

import csv
import json

import pytest

from tests.signers import confirmed, organiser
from undersign.organisers.models import AuditEntry
from undersign.signatures import services
from undersign.signatures.exporters import exporter_for
from undersign.signatures.models import Signature
from undersign.signatures.reporting import SignerFilter, dashboard, signers

LABEL = "I took part in the assembly"


@pytest.fixture
def asked(client, statement, editor):
    """The editor turns the question on from the statement's Signing form page."""
    client.force_login(editor)
    r = client.post("/workspace/s/letter/form", {"ask_took_part": "on", "options": "1"})
    assert r.status_code == 302
    client.logout()
    statement.refresh_from_db()
    return statement


def test_the_form_asks_only_where_the_organisers_turned_it_on(client, statement, editor):
    assert LABEL not in client.get("/s/letter/").content.decode()
    assert LABEL not in client.get("/s/letter/embed").content.decode()
    client.force_login(editor)
    client.post("/workspace/s/letter/form", {"ask_took_part": "on", "options": "1"})
    entry = AuditEntry.objects.get(action="statement.signing_form")
    assert entry.data == {"ask_took_part": True} and entry.actor == editor
    client.logout()
    for path in ("/s/letter/", "/s/letter/embed"):
        html = client.get(path).content.decode()
        assert LABEL in html and "Seen only by the organisers, who count it." in html


def test_a_box_ticked_where_it_is_not_asked_is_not_stored(client, statement):
    confirmed(client, statement, took_part="on")
    assert Signature.objects.get().took_part is False


def test_signers_who_took_part_are_counted_filtered_and_exported(client, asked, tmp_path):
    confirmed(client, asked, name="Anna Forum", took_part="on")
    confirmed(client, asked, name="Boris Home")
    body = {"name": "Clara Api", "email": "c@example.org", "consent": True, "took_part": True}
    r = client.post(
        "/api/v1/statements/letter/signatures", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 202
    services.confirm_signature(Signature.objects.get(public_name="Clara Api"))

    assert dashboard(asked).flags["took_part"] == 2
    found = signers(asked, SignerFilter(took_part=True)).values_list("public_name", flat=True)
    assert sorted(found) == ["Anna Forum", "Clara Api"]

    client.force_login(organiser())
    board = client.get("/workspace/s/letter/dashboard").content.decode()
    assert "Took part in the assembly" in board and "?took_part=on" in board
    listed = client.get("/workspace/s/letter/signers/?took_part=on").content.decode()
    assert "Anna Forum" in listed and "Boris Home" not in listed

    path = tmp_path / "signers.csv"
    exporter_for("csv")(asked).write(path)
    with path.open(encoding="utf-8-sig") as f:
        rows = {r["shown_as"]: r["took_part"] for r in csv.DictReader(f)}
    assert rows == {"Anna Forum": "yes", "Boris Home": "", "Clara Api": "yes"}


def test_withdrawing_erases_it_and_takes_it_off_the_count(client, asked):
    signature = confirmed(client, asked, took_part="on")
    services.withdraw_signature(signature)
    signature.refresh_from_db()
    assert signature.took_part is False
    assert dashboard(asked).flags["took_part"] == 0
