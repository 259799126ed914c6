"""Exports through one exporter per format: CSV, XLSX, JSON and the handover PDF, from the
installed `undersign export` as from the workspace; every one audited; spreadsheet cells
never run as formulas; memory flat at 100,000 rows."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import run_worker, sign
from tests.signers import UNDERSIGN, confirmed, database_env, organiser
from undersign.organisers.models import AuditEntry, SealingKey
from undersign.signatures import moderation, sealing
from undersign.signatures.contacts import new_key_pair
from undersign.signatures.exporters import ExportError, PdfExporter, exporter_for
from undersign.signatures.exporters.base import PUBLIC_COLUMNS
from undersign.statements.services import set_translation

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "@SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0"]


def _write(statement, fmt: str, tmp_path: Path, **options) -> Path:
    path = tmp_path / f"export-{len(list(tmp_path.iterdir()))}.{fmt}"
    exporter_for(fmt)(statement, **options).write(path)
    return path


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _xlsx_rows(path: Path) -> list[dict[str, object]]:
    sheet = load_workbook(path).worksheets[0]
    lines = list(sheet.iter_rows())
    columns = [c.value for c in lines[0]]
    for line in lines:
        for cell in line:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
    return [{c: cell.value for c, cell in zip(columns, line, strict=True)} for line in lines[1:]]


@pytest.fixture
def signed(client, statement):
    """Four counted signers, one pending, one hidden by a moderator."""
    confirmed(client, statement, name="Anna Petrova", city="Köln", volunteer="on", show_place="on")
    confirmed(client, statement, name="Ольга Смирнова", city="Koeln", country="DE")
    confirmed(client, statement, name="Hidden Person", display="hidden", email="h@example.org")
    abusive = confirmed(client, statement, name="Abusive Name", email="abuse@example.org")
    moderation.hide_signature(abusive, reason="insult")
    sign(client, statement, name="Pending Person", email="pending@example.org")
    return statement


def test_it_exports_what_the_public_page_shows(signed, tmp_path):
    path = _write(signed, "csv", tmp_path)
    rows = _csv_rows(path)
    assert list(rows[0]) == PUBLIC_COLUMNS
    assert [r["shown_as"] for r in rows] == ["Anna Petrova", "Ольга Смирнова"]
    # The place only where the signer asked for it, as on the public page.
    assert [r["city"] for r in rows] == ["Köln", ""] and rows[1]["country"] == ""
    assert rows[0]["revision"] == "1" and rows[0]["volunteer"] == "yes"
    text = path.read_text(encoding="utf-8-sig")
    for absent in ("@example.org", "Hidden", "Abusive", "Pending"):
        assert absent not in text
    entry = AuditEntry.objects.get(action="signatures.export")
    assert entry.data["rows"] == 2 and entry.data["format"] == "csv"
    assert "sealed" not in entry.data  # no contacts, nothing to be sealed


def test_csv_and_xlsx_cells_never_run_as_formulas_and_phones_stay_dialable(
    client, statement, tmp_path
):
    for n, name in enumerate(FORMULAS):
        confirmed(client, statement, name=name, phone=f"+49 30 123{n}", city="=1+1")
    csv_rows = _csv_rows(_write(statement, "csv", tmp_path, contacts=True))
    xlsx_rows = _xlsx_rows(_write(statement, "xlsx", tmp_path, contacts=True))
    for rows in (csv_rows, xlsx_rows):
        assert [r["shown_as"] for r in rows] == ["'" + f for f in FORMULAS]
        assert [r["name"] for r in rows] == ["'" + f for f in FORMULAS]
        assert {r["city"] for r in rows} == {"'=1+1"}
        assert [r["phone"] for r in rows] == ["+49 30 1230", "+49 30 1231", "+49 30 1232"]
    assert xlsx_rows[0]["revision"] == 1  # numbers stay numbers


def test_json_is_one_array_and_holds_contacts_only_when_asked(signed, tmp_path):
    public = json.loads(_write(signed, "json", tmp_path).read_text(encoding="utf-8"))
    assert [set(row) for row in public] == [set(PUBLIC_COLUMNS)] * 2
    assert "example.org" not in json.dumps(public)
    with_contacts = json.loads(
        _write(signed, "json", tmp_path, contacts=True).read_text(encoding="utf-8")
    )
    # Every counted signer, the not-listed and the hidden ones too, with contacts.
    assert {r["moderation"] for r in with_contacts} == {"", "hidden"}
    assert "h@example.org" in {r["email"] for r in with_contacts}
    assert len(with_contacts) == 4


def test_the_handover_pdf_holds_the_text_its_hash_the_names_and_the_totals(signed, tmp_path):
    set_translation(
        signed,
        language="de",
        title="Offener Brief zu politischen Gefangenen",
        clauses={1: "Lasst sie frei.", 2: "Gebt ihnen Visa.", 3: "Stoppt Auslieferungen."},
    )
    from undersign.statements.services import publish_changes

    publish_changes(signed)
    signed.refresh_from_db()
    path = _write(signed, "pdf", tmp_path, language="de")
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Offener Brief zu politischen Gefangenen" in text
    assert "Lasst sie frei." in text and "Stoppt Auslieferungen." in text
    assert signed.current_revision.content_hash[:16] in text.replace("\n", "")
    assert "Anna Petrova" in text and "Ольга Смирнова" in text
    assert "Abusive" not in text and "Hidden Person" not in text
    assert "example.org" not in text
    assert f"1 / {len(reader.pages)}" in text  # page numbers
    # The totals, in the text's language: the not named and the hidden count too.
    flat = " ".join(text.split())
    assert "4 Unterschriften insgesamt" in flat
    assert "1 Person wollte nicht öffentlich genannt werden." in flat
    assert "1 Name von der Moderation verborgen." in flat
    assert "0 Unterschriften auf Papier." in flat
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_pdf_never_holds_contacts(signed, tmp_path):
    with pytest.raises(ExportError, match="never holds contacts"):
        PdfExporter(signed, contacts=True)


def test_every_export_is_audited_with_an_honest_sealed_flag(client, statement, tmp_path):
    confirmed(client, statement, email="clear@example.org")  # stored before sealing
    _private, public = new_key_pair()
    key = sealing.add_key(name="team", public_key=public)
    sealing.use_key(statement, key)  # the re-sealing job is queued, not yet run
    confirmed(client, statement, email="sealed@example.org")
    _write(statement, "csv", tmp_path, contacts=True)
    mixed = AuditEntry.objects.filter(action="contacts.export").latest("id")
    assert mixed.data["rows"] == 2
    assert mixed.data["sealed"] is False and mixed.data["sealed_rows"] == 1
    run_worker()  # seals the contact stored in clear
    rows = _csv_rows(_write(statement, "csv", tmp_path, contacts=True))
    assert all(r["sealed"].startswith("sealed:v1:") and not r["email"] for r in rows)
    entry = AuditEntry.objects.filter(action="contacts.export").latest("id")
    assert entry.data["sealed"] is True and entry.data["sealed_rows"] == 2
    assert SealingKey.objects.count() == 1


def _undersign(env, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(UNDERSIGN), *args], env=env, capture_output=True, text=True, timeout=180, check=check
    )


@pytest.mark.django_db(transaction=True)
def test_the_installed_command_writes_the_filtered_set_privately_once(client, statement, tmp_path):
    organiser("exporter")
    for city in ("Köln", "Koeln", "Cologne", "Кёльн", "Berlin"):
        confirmed(client, statement, name=f"In {city}", city=city, volunteer="on")
    confirmed(client, statement, name="Not ready", city="Köln")
    env = database_env(tmp_path)
    out = tmp_path / "cologne.csv"
    args = ["export", "letter", "--format", "csv", "--as", "exporter", "--volunteers"]
    result = _undersign(env, *args, "--city", "Cologne", "-o", str(out))
    assert "4 rows written" in result.stderr
    names = sorted(r["shown_as"] for r in _csv_rows(out))
    assert names == ["In Cologne", "In Koeln", "In Köln", "In Кёльн"]
    assert out.stat().st_mode & 0o777 == 0o600
    again = _undersign(env, *args, "-o", str(out), check=False)
    assert again.returncode != 0 and "exists already" in again.stderr
    entries = AuditEntry.objects.filter(action="signatures.export")
    assert [e.data["filter"] for e in entries] == [{"volunteers": True, "city": "Cologne"}]
    assert entries[0].actor.username == "exporter"


@pytest.mark.django_db(transaction=True)
def test_the_command_asks_the_access_helper(client, statement, tmp_path):
    organiser("gone", is_active=False)
    organiser("signer", in_team=False)
    confirmed(client, statement)
    env = database_env(tmp_path)
    base = ["export", "letter", "--format", "json", "-o", str(tmp_path / "x.json")]
    gone = _undersign(env, *base, "--as", "gone", check=False)
    assert gone.returncode != 0 and "No active user 'gone'" in gone.stderr
    outsider = _undersign(env, *base, "--contacts", "--as", "signer", check=False)
    assert "No statement 'letter' that 'signer' may contacts" in outsider.stderr
    assert "Traceback" not in gone.stderr + outsider.stderr
    assert not (tmp_path / "x.json").exists()
    assert not AuditEntry.objects.filter(action__endswith=".export").exists()


@pytest.mark.django_db(transaction=True)
def test_without_pango_the_pdf_export_says_so_in_one_line_and_the_rest_works(
    client, statement, tmp_path
):
    organiser("exporter")
    confirmed(client, statement)
    fake = tmp_path / "fake" / "weasyprint"
    fake.mkdir(parents=True)
    # What WeasyPrint raises on a machine without Pango.
    (fake / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0': error 0x7e\")\n"
    )
    env = {**database_env(tmp_path), "PYTHONPATH": str(fake.parent)}
    assert _undersign(env, "check").returncode == 0
    pdf = _undersign(
        env, "export", "letter", "--format", "pdf", "--as", "exporter",
        "-o", str(tmp_path / "x.pdf"), check=False,
    )  # fmt: skip
    assert pdf.returncode != 0
    assert pdf.stderr.strip().splitlines() == [
        "CommandError: The PDF export needs WeasyPrint and the Pango library "
        "(cannot load library 'libpango-1.0-0': error 0x7e); on Debian or Ubuntu: "
        "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
    ]
    assert not (tmp_path / "x.pdf").exists()
    csv_out = _undersign(env, "export", "letter", "--as", "exporter", "-o", str(tmp_path / "x.csv"))
    assert "1 rows written" in csv_out.stderr


@pytest.mark.django_db(transaction=True)
def test_the_console_commands_of_the_readme_still_work(client, statement, tmp_path):
    confirmed(client, statement, name="Anna Petrova", volunteer="on", country="DE")
    env = database_env(tmp_path)
    stdout = _undersign(env, "export-signatures", "letter", "-").stdout
    assert "Anna Petrova" in stdout and "@" not in stdout
    out = tmp_path / "contacts.csv"
    _undersign(env, "contacts", "export", "letter", str(out), "--volunteers", "--country", "de")
    assert [r["email"].endswith("@example.org") for r in _csv_rows(out)] == [True]
    entry = AuditEntry.objects.get(action="contacts.export")
    assert entry.data["filter"] == {"volunteers": True, "country": "DE"}
    assert entry.data["who"].endswith("(console)")


FILL = """
import sys
from datetime import datetime, timedelta, UTC
from django.contrib.auth.models import User
from django.db import connection, transaction
from undersign.statements.services import create_statement, publish_statement
from undersign.signatures.services import reconcile_counts
from undersign.organisers.services import create_team
n = int(sys.argv[1])
exporter = User.objects.create_user('exporter')
team = create_team('Big team', owner=exporter, roles=('owner', 'contacts_viewer'), actor=None)
s = publish_statement(create_statement(slug='big', title='Big', clauses=['One.'], team=team))
adapt = connection.ops.adapt_datetimefield_value
base = datetime(2026, 1, 1, tzinfo=UTC)
rows = []
for i in range(n):
    when = adapt(base + timedelta(seconds=i))
    name = '=HYPERLINK("x")' if i % 1000 == 0 else f'Person {i}'
    rows.append((s.pk, s.current_revision_id, f'r{i}', 'confirmed', 'full', name, 'Berlin',
                 'berlin', 'DE', i % 10 == 0, 'en', 'test', 'web', '', 1, when, when))
with transaction.atomic(), connection.cursor() as c:
    c.executemany(
        'INSERT INTO signatures_signature (statement_id, revision_id, ref, status, display,'
        ' public_name, city, city_key, country, volunteer, language, consent_version, source,'
        ' hidden_reason, submissions, created_at, confirmed_at) VALUES'
        ' (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)', rows)
reconcile_counts()
"""


# Runs the installed console script and reports its own high-water mark. Measured inside:
# a child's rusage also counts the memory of the process it was forked from (the test run).
PEAK = """
import runpy, sys
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    status = open("/proc/self/status").read()
    sys.stderr.write("PEAK " + status.split("VmHWM:")[1].split()[0] + "\\n")
"""


def _peak_mb(env, *args: str) -> float:
    """Run the installed command in a fresh process; its peak resident memory in MB."""
    result = subprocess.run(
        [sys.executable, "-c", PEAK, str(UNDERSIGN), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return int(result.stderr.split("PEAK ")[1].split()[0]) / 1024


def test_memory_stays_flat_from_2000_to_100000_rows(tmp_path, capsys):
    peaks = {}
    for n in (2_000, 100_000):
        folder = tmp_path / str(n)
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        env["UNDERSIGN_DATA"] = str(folder)
        _undersign(env, "migrate", "-v0")
        _undersign(env, "shell", "-c", FILL.replace("int(sys.argv[1])", str(n)))
        for fmt in ("csv", "xlsx"):
            out = folder / f"big.{fmt}"
            args = ["export", "big", "--format", fmt, "--as", "exporter", "-o", str(out), "-v0"]
            peaks[fmt, n] = _peak_mb(env, *args)
        rows = _csv_rows(folder / "big.csv")
        assert len(rows) == n
        assert rows[0]["shown_as"] == '\'=HYPERLINK("x")'
        if n == 100_000:
            sheet = load_workbook(folder / "big.xlsx", read_only=True).worksheets[0]
            first = next(sheet.iter_rows(min_row=2, max_row=2))
            assert first[1].value == '\'=HYPERLINK("x")' and first[1].data_type == "s"
    with capsys.disabled():
        print(
            "\npeak memory of `undersign export` (MB): "
            + ", ".join(f"{fmt} {n:,} rows {mb:.0f}" for (fmt, n), mb in sorted(peaks.items()))
        )
    for fmt in ("csv", "xlsx"):
        assert peaks[fmt, 100_000] - peaks[fmt, 2_000] < 25, peaks
