"""A stolen database holds no contact, not even for a minute: in sealed mode no contact
reaches a file at rest in clear (the SQLite file, its write-ahead log, a backup, a pg_dump),
before the mail, after it, and after confirming. Files are the owner's only."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tests.conftest import links, path_of, run_worker, sign
from undersign.organisers.models import SealingKey
from undersign.signatures.contacts import _unlock
from undersign.signatures.models import Contact, Question, Signature, SigningNotice
from undersign.signatures.questions import QuestionInput, add_question

UNDERSIGN = Path(sys.executable).parent / "undersign"

FIRST = {
    "email": "olga.secret@example.org",
    "phone": "+49 170 5550123",
    "telegram": "olga_hidden_handle",
    "signal": "olga.77",
    "name": "Olga Verysecretname",
    "volunteer_where": "shelter logistics in Tbilisi",
}
# A second submission from the same address while pending (a notice, then a replacement),
# and a third after confirming (a notice only).
LATER = {
    "phone": "+49 151 7770042",
    "telegram": "olga_second_handle",
    "signal": "olga.secondsignal",
    "name": "Olga Othersecretname",
    "volunteer_where": "night shifts at the border",
}
AFTER = {"name": "Olga Thirdsecretname", "phone": "+49 160 3330077"}
# Answers to a question only the organisers see: contact data too.
ANSWERS = {"first": "safehouse on Rustaveli", "later": "the night ferry crew"}


def _needles() -> dict[str, bytes]:
    values = {**{f"first {k}": v for k, v in FIRST.items()}}
    values.update({f"later {k}": v for k, v in LATER.items()})
    values.update({f"after {k}": v for k, v in AFTER.items()})
    values.update({f"{k} answer": v for k, v in ANSWERS.items()})
    values["local part"] = "olga.secret"
    values["phone digits"] = "5550123"
    values["surname"] = "Verysecretname"
    return {k: v.lower().encode("utf-8") for k, v in values.items()}


def _backup(tmp_path: Path, n: int) -> Path:
    """A backup made as an operator makes it: `undersign backup` in its own process."""
    db = connection.settings_dict
    target = tmp_path / f"backup-{n}"
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        user, password = db["USER"], db["PASSWORD"] or ""
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        env["DATABASE_URL"] = f"postgres://{user}:{password}@{host}:{port}/{db['NAME']}"
    subprocess.run([UNDERSIGN, "backup", str(target)], env=env, check=True, capture_output=True)
    assert target.stat().st_mode & 0o777 == 0o600
    return target


def _pg_dump() -> bytes:
    db = connection.settings_dict
    command = ["pg_dump", "--no-owner", "-h", db["HOST"] or "127.0.0.1", "-U", db["USER"]]
    command += ["-p", str(db["PORT"] or 5432), db["NAME"]]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    return subprocess.run(command, capture_output=True, env=env, check=True).stdout


def _files_at_rest(tmp_path: Path, stage: str) -> dict[str, bytes]:
    """Every file a thief could copy, as raw bytes."""
    files: dict[str, bytes] = {}
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        for path in (name, Path(f"{name}-wal")):
            files[path.name] = path.read_bytes() if path.exists() else b""
        files["backup (sqlite)"] = _backup(tmp_path, len(list(tmp_path.iterdir()))).read_bytes()
        # The grep reads the right bytes: a public field just written is there to be found.
        assert b"tbilisi-public" in b"".join(files.values()).lower(), stage
    else:
        files["pg_dump"] = _pg_dump()
        assert b"tbilisi-public" in files["pg_dump"].lower(), stage
    return files


def _assert_no_contact(tmp_path: Path, stage: str) -> list[str]:
    found = [
        f"{label} in {file} ({stage})"
        for file, data in _files_at_rest(tmp_path, stage).items()
        for label, needle in _needles().items()
        if needle in data.lower()
    ]
    assert not found, found
    return found


@pytest.fixture
def sealed(statement, tmp_path):
    call_command("keys", "new", "--out", str(tmp_path / "organisers.key"), "--name", "team")
    statement.sealing_key = SealingKey.objects.get()
    statement.save()
    (tmp_path / "organisers.key").unlink()  # the private key never stays on the server
    add_question(
        statement,
        QuestionInput(label="Where can you help", kind="text", visibility="organisers"),
    )
    return statement


@pytest.mark.django_db(transaction=True)
def test_it_keeps_no_contact_in_any_file_at_rest(client, sealed, mailoutbox, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    answer = Question.objects.get().key
    sign(
        client,
        sealed,
        display="hidden",
        volunteer="on",
        city="Tbilisi-public",
        **FIRST,
        **{answer: ANSWERS["first"]},
    )
    _assert_no_contact(backups, "signed, before the mail")

    later = {**LATER, "email": FIRST["email"].upper()}
    sign(
        client,
        sealed,
        display="initials",
        city="Tbilisi-public",
        **later,
        **{answer: ANSWERS["later"]},
    )
    assert SigningNotice.objects.exclude(transit="").count() == 1
    _assert_no_contact(backups, "signed again, notice queued")

    run_worker()
    assert [m.to for m in mailoutbox] == [[FIRST["email"]]]
    # Until the one reminder before the purge, the box keeps the address and the name the
    # mail greets, nothing else, under the transit key (which is not in the database).
    assert set(_unlock(Contact.objects.get().transit) or {}) == {"email", "name"}
    assert Signature.objects.get().public_name == "O. O."  # the later submission decided
    _assert_no_contact(backups, "after the mail")

    confirm = path_of(links(mailoutbox[0].body)["confirm"])
    client.post(confirm, {"shown": "2"})
    assert Signature.objects.get().status == "confirmed"
    assert Contact.objects.get().transit == ""  # confirmed: no reminder, the address went
    sign(client, sealed, email=FIRST["email"], city="Tbilisi-public", **AFTER)
    run_worker()
    _assert_no_contact(backups, "after confirming and a repeat attempt")


def test_sqlite_overwrites_what_it_deletes(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db(transaction=True)
def test_the_housekeeping_round_empties_the_write_ahead_log(client, statement):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its own write-ahead log")
    from undersign.housekeeping import run_housekeeping

    wal = Path(f"{connection.settings_dict['NAME']}-wal")
    sign(client, statement)
    assert wal.stat().st_size > 0
    run_housekeeping()
    assert wal.stat().st_size == 0


def test_the_database_its_log_backups_and_keys_are_the_owners_only(tmp_path):
    """Through the installed command, in a fresh data folder, as an operator meets it."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.pop("DATABASE_URL", None)
    env["UNDERSIGN_DATA"] = str(data)

    def run(*args: str) -> None:
        subprocess.run([UNDERSIGN, *args], env=env, check=True, capture_output=True, timeout=120)

    run("migrate", "-v0")
    run("demo")  # writes, so the write-ahead log exists
    wal = sqlite3.connect(data / "undersign.sqlite3")  # keep a connection: the -wal stays
    try:
        wal.execute("PRAGMA journal_mode=WAL")
        wal.execute("create table if not exists probe (x)")
        wal.commit()
        modes = {
            name: (data / name).stat().st_mode & 0o777
            for name in ("undersign.sqlite3", "undersign.sqlite3-wal", "transit_key", "secret_key")
        }
    finally:
        wal.close()
    run("backup", str(tmp_path / "backup"))
    modes["backup"] = (tmp_path / "backup").stat().st_mode & 0o777
    assert modes == dict.fromkeys(modes, 0o600)


def test_a_transit_key_from_the_environment_must_be_a_real_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(UNDERSIGN_DATA=str(tmp_path), UNDERSIGN_TRANSIT_KEY="too-short")
    r = subprocess.run([UNDERSIGN, "check"], env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "UNDERSIGN_TRANSIT_KEY must be 32 random bytes" in r.stderr
    assert settings.TRANSIT_KEY != b"" and len(settings.TRANSIT_KEY) == 32
