"""Sealed contacts: a stolen database reveals nobody; organisers open exports with their key."""

import csv
import os
import sqlite3
import subprocess
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from tests.conftest import links, path_of, run_worker, sign
from undersign.organisers.models import AuditEntry, SealingKey
from undersign.signatures.models import Contact, Signature

SECRETS = {
    "email": "olga.secret@example.org",
    "phone": "+49 170 5550123",
    "telegram": "@olga_hidden_handle",  # stored as olga_hidden_handle
    "signal": "olga.77",
    "name": "Olga Verysecretname",
    "volunteer_where": "Tbilisi, shelter logistics",
}


@pytest.fixture
def key_file(tmp_path, db):
    path = tmp_path / "organisers.key"
    call_command("keys", "new", "--out", str(path), "--name", "letter team")
    return path


@pytest.fixture
def sealed(statement, key_file):
    statement.sealing_key = SealingKey.objects.get()
    statement.save()
    return statement


def _sign_secretly(client, statement):
    sign(client, statement, display="hidden", volunteer="on", **SECRETS)


def _read(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_keys_new_writes_the_private_key_once_and_keeps_only_the_public_one(key_file):
    assert key_file.stat().st_mode & 0o777 == 0o600
    private = key_file.read_text().strip().splitlines()[-1]
    key = SealingKey.objects.get()
    assert key.public_key != private
    assert private not in str(list(SealingKey.objects.values()))
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("keys", "new", "--out", str(key_file), "--name", "other")


def test_a_sealed_contact_keeps_no_clear_text_once_the_mail_is_out(client, sealed, mailoutbox):
    _sign_secretly(client, sealed)
    contact = Contact.objects.get()
    assert contact.sealed.startswith("sealed:v1:")
    assert contact.phone == contact.telegram == contact.signal == contact.volunteer_where == ""
    run_worker()
    assert mailoutbox[0].to == [SECRETS["email"]]
    contact.refresh_from_db()
    assert contact.email == contact.name == ""


def _dump_whole_database() -> str:
    """What a thief who copied the database would read: SQLite's own dump of the file, or
    pg_dump of the PostgreSQL database."""
    db = connection.settings_dict
    connection.close()  # everything is on disk
    if connection.vendor == "sqlite":
        sqlite = sqlite3.connect(db["NAME"])
        try:
            return "\n".join(sqlite.iterdump())
        finally:
            sqlite.close()
    command = ["pg_dump", "--no-owner", "-h", db["HOST"] or "127.0.0.1", "-U", db["USER"]]
    command += ["-p", str(db["PORT"] or 5432), db["NAME"]]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout


@pytest.mark.django_db(transaction=True)
def test_a_dump_of_the_whole_database_shows_no_contact(client, sealed, mailoutbox):
    _sign_secretly(client, sealed)
    run_worker()
    client.post(path_of(links(mailoutbox[0].body)["confirm"]))
    sign(client, sealed, email=SECRETS["email"], name="Someone Else")  # a repeat attempt
    run_worker()
    assert Signature.objects.get().status == "confirmed"
    dump = _dump_whole_database()
    assert "statements_statement" in dump and "signatures_contact" in dump
    for field, value in SECRETS.items():
        assert value.lower().lstrip("@") not in dump.lower(), field
    assert "olga" not in dump.lower()


def test_the_export_stays_sealed_and_opens_with_the_key(client, sealed, key_file, tmp_path):
    _sign_secretly(client, sealed)
    sign(client, sealed, email="second@example.org", name='=HYPERLINK("http://x")')
    for s in Signature.objects.all():
        s.status, s.confirmed_at = "confirmed", timezone.now()
        s.save()
    exported = tmp_path / "export.csv"
    call_command("contacts", "export", "letter", str(exported))
    raw = exported.read_text()
    assert SECRETS["email"] not in raw and SECRETS["phone"] not in raw
    assert all(row["sealed"].startswith("sealed:v1:") for row in _read(exported))
    entry = AuditEntry.objects.get(action="contacts.export")
    assert entry.object_id == str(sealed.pk)
    assert entry.data["rows"] == 2 and entry.data["sealed"] is True
    assert entry.data["filter"] == {}

    opened = tmp_path / "opened.csv"
    call_command("contacts", "open", str(exported), "--key", str(key_file), "--out", str(opened))
    rows = {row["email"]: row for row in _read(opened)}
    # A phone number stays dialable: no apostrophe (it cannot carry a formula).
    assert rows[SECRETS["email"]]["phone"] == SECRETS["phone"]
    assert rows[SECRETS["email"]]["telegram"] == "olga_hidden_handle"  # kept without "@"
    assert rows[SECRETS["email"]]["signal"] == SECRETS["signal"]
    assert rows[SECRETS["email"]]["volunteer_where"] == SECRETS["volunteer_where"]
    # A spreadsheet shows the name as text, not as a formula.
    assert rows["second@example.org"]["name"] == '\'=HYPERLINK("http://x")'
    assert opened.stat().st_mode & 0o777 == 0o600


def test_another_key_does_not_open_the_export(client, sealed, tmp_path):
    _sign_secretly(client, sealed)
    Signature.objects.update(status="confirmed", confirmed_at=timezone.now())
    exported = tmp_path / "export.csv"
    call_command("contacts", "export", "letter", str(exported))
    other = tmp_path / "other.key"
    call_command("keys", "new", "--out", str(other), "--name", "other")
    with pytest.raises(CommandError, match="does not open"):
        call_command("contacts", "open", str(exported), "--key", str(other))


def test_an_open_statement_exports_clear_text_filtered_and_logged(client, statement, tmp_path):
    sign(
        client, statement, email="a@example.org", volunteer="on", country="DE", phone="+49 30 1234"
    )
    sign(client, statement, email="b@example.org", country="FR")
    sign(client, statement, email="c@example.org")  # never confirmed
    Signature.objects.exclude(contact__email="c@example.org").update(
        status="confirmed", confirmed_at=timezone.now()
    )
    out = tmp_path / "de.csv"
    call_command("contacts", "export", "letter", str(out), "--country", "de", "--volunteers")
    assert [row["email"] for row in _read(out)] == ["a@example.org"]
    assert AuditEntry.objects.get(action="contacts.export").data["filter"] == {
        "volunteers": True,
        "country": "DE",
    }


def test_exports_refuse_after_the_contacts_deletion_date(client, statement, tmp_path):
    sign(client, statement)
    Signature.objects.update(status="confirmed", confirmed_at=timezone.now())
    statement.contacts_delete_on = timezone.localdate() - timedelta(days=1)
    statement.save()
    with pytest.raises(CommandError, match="erased"):
        call_command("contacts", "export", "letter", str(tmp_path / "x.csv"))
    assert not (tmp_path / "x.csv").exists()
    assert not AuditEntry.objects.filter(action="contacts.export").exists()
