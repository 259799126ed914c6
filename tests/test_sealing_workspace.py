"""Sealing that organisers run: the key pair made offline on their own computer, its public
half pasted in the workspace, the contacts already stored sealed to it, and a sealed download
opened at home with `undersign contacts open`."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import run_worker, sign
from tests.signers import UNDERSIGN, confirmed, organiser
from undersign.organisers.models import AuditEntry, SealingKey
from undersign.signatures.models import Contact


@pytest.fixture
def staff(client, team):
    """Signed in with every role in the statement's team."""
    client.force_login(organiser())
    return client


def _offline_env(tmp_path) -> dict[str, str]:
    """An organiser's own computer: undersign installed, no server, no database set up."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env["UNDERSIGN_DATA"] = str(tmp_path / "home")
    return env


def _new_key(tmp_path) -> tuple[str, str]:
    """(key file, public key) made by `undersign keys new` offline."""
    key_file = tmp_path / "team.key"
    result = subprocess.run(
        [str(UNDERSIGN), "keys", "new", "--out", str(key_file), "--name", "team"],
        env=_offline_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    public = re.search(r"^    ([A-Za-z0-9+/]{43}=)$", result.stdout, re.M)
    assert public, result.stdout
    assert "Paste the public key in the workspace" in result.stdout
    return str(key_file), public.group(1)


def test_keys_new_works_offline_and_keeps_the_private_key_to_itself(tmp_path):
    key_file, public = _new_key(tmp_path)
    assert os.stat(key_file).st_mode & 0o777 == 0o600
    private = Path(key_file).read_text().strip().splitlines()[-1]
    assert private != public and len(private) == 44


def test_pasting_the_public_key_seals_the_contacts_already_stored(
    client, staff, statement, tmp_path
):
    confirmed(client, statement, email="first@example.org", phone="+49 170 1")
    confirmed(client, statement, email="second@example.org", telegram="second_tg")
    page = staff.get("/workspace/s/letter/sealing")
    assert "0 of 2 contacts sealed." in page.content.decode()
    assert "undersign keys new --out team.key" in page.content.decode()

    bad = staff.post(
        "/workspace/s/letter/sealing",
        {"action": "add", "name": "team", "public_key": "not a key"},
    )
    assert bad.status_code == 400
    assert "This is not a public key" in bad.content.decode()
    key_file, public = _new_key(tmp_path)
    private_file = Path(key_file).read_text()
    refused = staff.post(
        "/workspace/s/letter/sealing",
        {"action": "add", "name": "team", "public_key": private_file},
    )
    assert "looks like the private key file" in refused.content.decode()
    assert not SealingKey.objects.exists()

    done = staff.post(
        "/workspace/s/letter/sealing",
        {"action": "add", "name": "team", "public_key": public},
    )
    assert done.status_code == 302
    statement.refresh_from_db()
    assert statement.sealing_key.public_key == public
    run_worker()  # the re-sealing job
    assert "2 of 2 contacts sealed." in staff.get("/workspace/s/letter/sealing").content.decode()
    for contact in Contact.objects.all():
        assert contact.sealed.startswith("sealed:v1:")
        assert contact.email == contact.phone == contact.telegram == contact.name == ""
    assert AuditEntry.objects.get(action="contacts.seal").data == {"sealed": 2}
    assert AuditEntry.objects.get(action="statement.sealing_key").actor.username == "organiser"

    sign(client, statement, email="third@example.org")  # sealed as it is stored
    assert Contact.objects.exclude(sealed="").count() == 3


def test_a_pending_signer_still_gets_the_confirmation_mail(
    client, staff, statement, tmp_path, mailoutbox
):
    sign(client, statement, email="waiting@example.org")
    _key_file, public = _new_key(tmp_path)
    staff.post("/workspace/s/letter/sealing", {"action": "add", "name": "t", "public_key": public})
    run_worker()  # sends the mail and seals the contact
    assert [m.to for m in mailoutbox] == [["waiting@example.org"]]
    contact = Contact.objects.get()
    assert contact.sealed and contact.email == ""


def test_a_contacts_viewer_opens_the_sealed_download_at_home(client, staff, statement, tmp_path):
    key_file, public = _new_key(tmp_path)
    staff.post("/workspace/s/letter/sealing", {"action": "add", "name": "t", "public_key": public})
    confirmed(client, statement, name="Olga", email="olga@example.org", phone="+49 170 2")
    response = staff.post("/workspace/s/letter/export", {"format": "xlsx", "contacts": "on"})
    download = tmp_path / "contacts.xlsx"
    download.write_bytes(b"".join(response.streaming_content))
    assert b"olga@example.org" not in download.read_bytes()
    subprocess.run(
        [str(UNDERSIGN), "contacts", "open", str(download), "--key", key_file],
        env=_offline_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    opened = tmp_path / "contacts-opened.xlsx"
    assert opened.stat().st_mode & 0o777 == 0o600
    sheet = load_workbook(opened).worksheets[0]
    rows = [[c.value for c in line] for line in sheet.iter_rows()]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["email"] == "olga@example.org" and row["phone"] == "+49 170 2"
    assert "sealed" not in rows[0]


def test_only_those_who_manage_the_statement_choose_its_key(client, statement):
    client.force_login(organiser("signer", in_team=False))
    assert client.get("/workspace/s/letter/sealing").status_code == 403
