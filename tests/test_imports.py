"""Imports: a Google Form's export and a paper list, through the workspace and the CLI."""

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from openpyxl import Workbook

from tests.conftest import links, path_of, run_worker
from tests.test_sealed_contacts import _dump_whole_database
from undersign.organisers.models import AuditEntry, SealingKey
from undersign.signatures import services
from undersign.signatures.models import Contact, Signature, SignatureImport
from undersign.signatures.questions import QuestionInput, add_question

UNDERSIGN = str(Path(sys.executable).parent / "undersign")

# A Google Form's export in Russian, as it comes: its time stamp, Google's own email column,
# the group's questions as they wrote them.
HEADER = [
    "Отметка времени",
    "Адрес электронной почты",
    "Имя и фамилия",
    "Как показывать имя?",
    "Город",
    "Страна",
    "Готовы ли вы работать вместе?",
    "Язык",
    "Вы были на форуме в Кёльне?",
    "Чем можете помочь?",
]


@pytest.fixture
def asked(statement):
    """The statement's own questions, translated into Russian."""
    forum = add_question(
        statement,
        QuestionInput(
            label="Were you at the forum in Cologne?",
            kind="yes_no",
            visibility="public",
            translations={"ru": ("Вы были на форуме в Кёльне?", [])},
        ),
    )
    skills = add_question(
        statement,
        QuestionInput(
            label="How can you help?",
            kind="several",
            visibility="organisers",
            choices=["Translation", "Legal help, advice", "Events"],
            translations={
                "ru": (
                    "Чем можете помочь?",
                    ["Перевод", "Юридическая помощь, советы", "Мероприятия"],
                )
            },
        ),
    )
    return forum, skills


def form_rows(n: int) -> list[list[str]]:
    rows = []
    for i in range(n):
        rows.append(
            [
                f"15.11.2026 12:{i % 60:02d}:00",
                f"signer{i}@example.org",
                f"Подписант Номер{i}",
                ["Полностью", "Только инициалы", "Не показывать"][i % 3],
                "Кёльн",
                "Германия",
                "Да" if i % 2 else "",
                ["Русский", "", "Українська", "English"][i % 4],
                "Да" if i % 5 == 0 else "",
                "Перевод, Юридическая помощь, советы" if i % 7 == 0 else "",
            ]
        )
    return rows


BROKEN = [
    # row 1002: a bad email; 1003: no name; 1004: an address twice in the file;
    # 1005: a choice the question does not have; 1006: an unknown country
    ["", "not-an-email", "Плохой Адрес", "Полностью", "", "", "", "", "", ""],
    ["", "noname@example.org", "", "Полностью", "", "", "", "", "", ""],
    ["", "Signer1@Example.org", "Двойник", "Полностью", "", "", "", "", "", ""],
    ["", "choice@example.org", "Выбор", "Полностью", "", "", "", "", "", "Астрология"],
    ["", "country@example.org", "Страна", "Полностью", "", "Атлантида", "", "", "", ""],
]


def as_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def chosen_targets(html: str) -> dict[str, str]:
    """Each column's select in the preview, and the target it has selected."""
    found = {}
    for name, options in re.findall(r'<select name="(col_\d+)"[^>]*>(.*?)</select>', html, re.S):
        found[name] = re.search(r'<option value="([^"]*)" selected>', options).group(1)
    return found


def problem_rows(html: str) -> dict[int, str]:
    """The preview's rows with a problem: row number → what is wrong."""
    table = re.search(r'<table class="data-table import-problems">(.*?)</table>', html, re.S)
    if table is None:
        return {}
    rows = re.findall(r"<tr><td>(\d+)</td>.*?<ul>(.*?)</ul></td></tr>", table.group(1), re.S)
    return {int(n): re.sub(r"<[^>]+>", " ", text) for n, text in rows}


def upload(client: Client, slug: str, content: bytes, name="responses.csv", **more):
    data = {"file": io.BytesIO(content), "kind": "form", "language": "ru", **more}
    data["file"].name = name
    return client.post(f"/workspace/s/{slug}/import/", data)


@pytest.fixture
def viewer(client, contacts_viewer):
    client.force_login(contacts_viewer)
    return client


def test_it_imports_a_russian_google_form_of_1000_rows_with_its_broken_ones(
    viewer, statement, asked, smtp, contacts_viewer
):
    forum, skills = asked
    content = as_csv(HEADER, form_rows(1000) + BROKEN)
    response = upload(viewer, statement.slug, content)
    assert response.status_code == 302
    page = viewer.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert chosen_targets(html) == {
        "col_0": "timestamp",
        "col_1": "email",
        "col_2": "name",
        "col_3": "display",
        "col_4": "city",
        "col_5": "country",
        "col_6": "volunteer",
        "col_7": "language",
        "col_8": forum.key,
        "col_9": skills.key,
    }
    problems = problem_rows(html)
    assert sorted(problems) == [1002, 1003, 1004, 1005, 1006]
    assert "valid email" in problems[1002]
    assert "name" in problems[1003].lower()
    assert "row 3" in problems[1004]  # signer1 is on row 3
    assert "valid choice" in problems[1005]
    assert "Country" in problems[1006]
    assert Signature.objects.count() == 0  # nothing saved by the preview
    assert re.search(r'value="import"[^>]*>Import 1000 rows<', html)

    upload_id = SignatureImport.objects.get().pk
    done = viewer.post(f"/workspace/s/{statement.slug}/import/{upload_id}/", {"action": "import"})
    assert done.status_code == 302
    # The button only queues the import: the page then follows the worker.
    waiting = viewer.get(done["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in waiting
    assert "Waiting for the worker" in waiting and "0 of 1005 rows done" in waiting
    assert Signature.objects.count() == 0
    run_worker()
    result = viewer.get(done["Location"]).content.decode()
    assert "http-equiv" not in result
    assert "1000 signers were asked by mail to confirm" in result
    assert "5 rows with a problem were not imported" in result

    pending = Signature.objects.filter(status="pending", source="import")
    assert pending.count() == 1000
    assert services.signature_count(statement) == 0  # not counted until confirmed
    assert Signature.objects.filter(language="uk").count() == 250
    assert Signature.objects.filter(language="en").count() == 250
    assert Signature.objects.filter(language="ru").count() == 500  # the sheet's default too
    assert Signature.objects.filter(display="initials").count() == 333
    first = Signature.objects.get(contact__email="signer0@example.org")
    assert first.answers == {forum.key: True}
    assert first.country == "DE" and first.city == "Кёльн"
    assert Contact.objects.get(signature=first).answers == {skills.key: ["c1", "c2"]}

    entry = AuditEntry.objects.get(action="signatures.import")
    assert entry.actor == contacts_viewer
    assert entry.data == {
        "import": upload_id,
        "kind": "form",
        "rows": 1005,
        "mailed": 1000,
        "already": 0,
        "paper": 0,
        "skipped": 5,
    }
    assert "@" not in str(entry.data)
    uploaded = AuditEntry.objects.get(action="signatures.import_upload")
    assert uploaded.data == {"import": upload_id, "kind": "form", "rows": 1005}
    assert not SignatureImport.objects.get().rows  # the boxed rows are gone

    run_worker()
    assert len(smtp.messages) == 1000
    by_address = {m["X-Envelope-To"]: m for m in smtp.messages}
    russian = smtp.text(by_address["signer0@example.org"])
    assert "собрана в форме командой Letter team" in russian
    ukrainian = smtp.text(by_address["signer2@example.org"])
    assert "зібрала у формі команда Letter team" in ukrainian and "?lang=uk" in ukrainian
    english = smtp.text(by_address["signer3@example.org"])
    assert "was collected in a form by Letter team" in english
    assert "ignore this mail" in english

    # Confirming counts it, like any signature.
    client = Client()
    confirm = path_of(links(english)["confirm"])
    client.post(confirm)
    assert services.signature_count(statement) == 1


def test_an_address_that_signed_is_neither_doubled_nor_told(viewer, statement, smtp):
    client = Client()
    client.post(
        f"/s/{statement.slug}/sign",
        {"name": "Web", "display": "full", "email": "signer1@example.org", "consent": "on"},
    )
    run_worker()
    smtp.messages.clear()
    response = upload(viewer, statement.slug, as_csv(HEADER[:3], [r[:3] for r in form_rows(3)]))
    upload_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    viewer.post(response["Location"], {"action": "import"})
    run_worker()
    assert Signature.objects.filter(contact__email="signer1@example.org").count() == 1
    assert Signature.objects.count() == 3
    assert SignatureImport.objects.get(pk=upload_id).counts["already"] == 1
    run_worker()
    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        "signer0@example.org",
        "signer2@example.org",
    ]


def test_a_paper_list_counts_at_once_apart_and_lists_only_who_said_how(
    viewer, statement, mailoutbox
):
    header = ["ФИО", "Как показывать имя", "Город", "Email"]
    rows = [
        ["Мария Иванова", "полностью", "Берлин", ""],
        ["Пётр Сидоров", "", "Берлин", ""],  # the sheet does not say: not public
        ["Анна Смирнова", "инициалы", "", ""],
        ["Олег Мейл", "полностью", "", "oleg@example.org"],  # has an email: asked by mail
    ]
    response = upload(
        viewer, statement.slug, as_xlsx(header, rows), "paper.xlsx", kind="paper", language="en"
    )
    assert response.status_code == 302
    page = viewer.get(response["Location"]).content.decode()
    assert "3 rows without an email: counted as paper signatures" in page
    viewer.post(response["Location"], {"action": "import"})
    run_worker()
    assert services.signature_count(statement) == 3
    assert services.paper_count(statement) == 3
    paper = Signature.objects.filter(source="paper", status="confirmed")
    assert sorted(paper.values_list("public_name", flat=True)) == ["", "А. С.", "Мария Иванова"]
    assert sorted(paper.values_list("display", flat=True)) == ["full", "hidden", "initials"]
    public = Client().get(f"/s/{statement.slug}/").content.decode()
    assert "Мария Иванова" in public and "Пётр" not in public and "Сидоров" not in public
    assert "3 of them on paper" in public
    embed = Client().get(f"/s/{statement.slug}/embed").content.decode()
    assert "3 of them on paper" in embed
    board = viewer.get(f"/workspace/s/{statement.slug}/dashboard").content.decode()
    assert re.search(r"On paper</dt>\s*<dd>3<", board)
    run_worker()
    assert [m.to for m in mailoutbox] == [["oleg@example.org"]]
    assert "collected on paper by Letter team" in mailoutbox[0].body
    assert "collected on paper by Letter team" in mailoutbox[0].alternatives[0][0]

    # Exports keep them apart.
    exported = viewer.post(
        f"/workspace/s/{statement.slug}/export", {"format": "csv", "contacts": "on"}
    )
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    sources = [row["source"] for row in csv.DictReader(io.StringIO(text))]
    assert sorted(sources) == ["paper", "paper", "paper"]


@pytest.mark.django_db(transaction=True)
def test_a_sealed_statement_keeps_no_imported_contact_in_clear(
    client, statement, contacts_viewer, tmp_path, mailoutbox
):
    call_command("keys", "new", "--out", str(tmp_path / "k.key"), "--name", "team")
    statement.sealing_key = SealingKey.objects.get()
    statement.save()
    client.force_login(contacts_viewer)
    header = ["Имя", "Email", "Телефон", "Как показывать имя"]
    rows = [
        ["Ольга Секретная", "olga.secret@example.org", "+49 170 5550123", "инициалы"],
        ["Бумажный Подписант", "", "+49 170 5550999", "не показывать"],
    ]
    response = upload(client, statement.slug, as_csv(header, rows), kind="paper")
    # Between the preview and the import, the rows are boxed.
    waiting = SignatureImport.objects.get()
    assert waiting.rows.startswith("transit:v1:") and "olga" not in waiting.rows.lower()
    client.post(response["Location"], {"action": "import"})
    run_worker()
    assert mailoutbox[0].to == ["olga.secret@example.org"]
    assert Contact.objects.filter(sealed__startswith="sealed:v1:").count() == 2
    raw = b""
    if connection.vendor == "sqlite":  # the file itself and its write-ahead log, byte by byte
        name = connection.settings_dict["NAME"]
        connection.close()
        for suffix in ("", "-wal"):
            if Path(f"{name}{suffix}").exists():
                raw += Path(f"{name}{suffix}").read_bytes()
    dump = _dump_whole_database()  # SQLite's dump, or pg_dump on PostgreSQL
    for secret in ("olga.secret", "Ольга", "Секретная", "5550123", "5550999", "Бумажный"):
        assert secret.encode() not in raw, secret
        assert secret not in dump, secret


def test_bad_files_get_a_clear_answer_in_the_organisers_language(viewer, statement, settings):
    viewer.cookies["django_language"] = "ru"
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
    answer = upload(viewer, statement.slug, png, "photo.png")
    assert answer.status_code == 400
    assert "Это не файл CSV или XLSX" in answer.content.decode()
    empty = upload(viewer, statement.slug, b"", "empty.csv")
    assert empty.status_code == 400
    assert "пуст" in empty.content.decode()
    header_only = upload(viewer, statement.slug, as_csv(HEADER, []))
    assert header_only.status_code == 400
    broken_xlsx = upload(viewer, statement.slug, b"PK\x03\x04" + b"junk" * 50, "x.xlsx")
    assert broken_xlsx.status_code == 400
    assert "XLSX" in broken_xlsx.content.decode()
    settings.IMPORT_MAX_BYTES = 1000
    huge = upload(viewer, statement.slug, as_csv(HEADER, form_rows(100)))
    assert huge.status_code == 400
    assert "больше" in huge.content.decode()
    settings.IMPORT_MAX_BYTES = 10**7
    settings.IMPORT_MAX_ROWS = 50
    many = upload(viewer, statement.slug, as_csv(HEADER, form_rows(100)))
    assert many.status_code == 400
    assert "50" in many.content.decode()
    assert SignatureImport.objects.count() == 0 and Signature.objects.count() == 0


def test_the_organiser_maps_a_column_nobody_could_guess(viewer, statement):
    header = ["Кто", "Куда писать"]
    rows = [["Анна Петрова", "anna@example.org"]]
    response = upload(viewer, statement.slug, as_csv(header, rows))
    page = viewer.get(response["Location"]).content.decode()
    assert "No column holds the names" in page
    assert 'value="import"' not in page
    viewer.post(response["Location"], {"action": "map", "col_0": "name", "col_1": "email"})
    page = viewer.get(response["Location"]).content.decode()
    assert "Import 1 row" in page
    viewer.post(response["Location"], {"action": "discard"})
    assert not SignatureImport.objects.get().rows
    assert Signature.objects.count() == 0
    assert AuditEntry.objects.filter(action="signatures.import_discard").count() == 1


def _cli(env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([UNDERSIGN, *args], env=env, capture_output=True, text=True, timeout=180)


def test_the_command_imports_with_a_progress_bar_and_says_what_is_wrong(database_env, tmp_path):
    env = database_env
    assert _cli(env, "migrate", "-v0").returncode == 0
    assert _cli(env, "demo").returncode == 0
    sheet = tmp_path / "form.csv"
    sheet.write_bytes(as_csv(HEADER[:4], [r[:4] for r in form_rows(30)] + [b[:4] for b in BROKEN]))
    who = "organiser"
    refused = _cli(env, "import-signatures", "demo", str(sheet), "--as", who)
    assert refused.returncode != 0
    assert (
        "row 32: Email: Enter a valid email address" in refused.stderr
        and "--skip-bad-rows" in refused.stderr
    )
    done = _cli(env, "import-signatures", "demo", str(sheet), "--as", who, "--skip-bad-rows")
    assert done.returncode == 0, done.stderr
    assert "32 asked by mail to confirm" in done.stdout  # 30, and two of BROKEN
    assert "3 rows with problems skipped" in done.stdout
    again = _cli(env, "import-signatures", "demo", str(sheet), "--as", who, "--skip-bad-rows")
    assert (
        "0 asked by mail to confirm" in again.stdout and "32 addresses already here" in again.stdout
    )

    paper = tmp_path / "paper.csv"
    paper.write_bytes(as_csv(["Wer", "Anzeige"], [["Hans Paper", "voll"]]))
    mapped = _cli(
        env, "import-signatures", "demo", str(paper), "--as", who, "--paper",
        "--mapping", "Wer=name", "--mapping", "Anzeige=display",
    )  # fmt: skip
    assert mapped.returncode == 0, mapped.stderr
    assert "1 paper signatures" in mapped.stdout

    for bad, message in [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV or XLSX"),
    ]:
        path = tmp_path / "bad.bin"
        path.write_bytes(bad)
        result = _cli(env, "import-signatures", "demo", str(path), "--as", who)
        assert result.returncode != 0 and message in result.stderr
        assert "Traceback" not in result.stderr
    missing = _cli(env, "import-signatures", "demo", str(tmp_path / "nope.csv"), "--as", who)
    assert missing.returncode != 0 and "Cannot read" in missing.stderr
    nobody = _cli(env, "import-signatures", "demo", str(sheet), "--as", "nobody")
    assert nobody.returncode != 0 and "No active user" in nobody.stderr

    counted = _cli(
        env,
        "shell",
        "-v0",
        "-c",
        "from undersign.organisers.models import AuditEntry as A; "
        "from undersign.signatures.models import Signature as S; "
        "print(A.objects.filter(action='signatures.import').count(), "
        "S.objects.filter(source='paper', status='confirmed').count(), "
        "S.objects.filter(source='import', status='pending').count())",
    )
    assert counted.stdout.splitlines()[-1].split() == ["3", "1", "32"], counted.stderr


@pytest.mark.parametrize(
    "header",
    [
        ["Timestamp", "Email Address", "Full name", "How your name is shown", "City", "Country"],
        [
            "Позначка часу",
            "Електронна адреса",
            "Ім'я та прізвище",
            "Як показувати ім'я",
            "Місто",
            "Країна",
        ],
        [
            "Zeitstempel",
            "E-Mail-Adresse",
            "Vor- und Nachname",
            "Wie Ihr Name erscheint",
            "Stadt",
            "Land",
        ],
        ["Отметка времени", "Электронная почта", "ФИО", "Как показать имя", "Город", "Страна"],
    ],
    ids=["en", "uk", "de", "ru"],
)
def test_it_recognises_a_google_forms_headers_in_each_language(statement, header):
    from undersign.signatures.imports.columns import guess

    assert guess(statement, header) == [
        "timestamp", "email", "name", "display", "city", "country"
    ]  # fmt: skip


def test_it_reads_answers_as_people_write_them(statement, asked):
    from undersign.signatures.imports.columns import answer_of, country_of, display_of, ticked

    forum, skills = asked
    assert [ticked(v) for v in ("Да", "так", "Ja", "x", "", "Нет", "nein", "не готов")] == [
        True, True, True, True, False, False, False, False
    ]  # fmt: skip
    assert [display_of(v) for v in ("Полностью", "initials", "Nicht öffentlich", "")] == [
        "full", "initials", "hidden", "hidden"
    ]  # fmt: skip
    assert [country_of(v) for v in ("Германия", "Німеччина", "Deutschland", "de", "Атлантида")] == [
        "DE", "DE", "DE", "DE", "Атлантида"
    ]  # fmt: skip
    assert answer_of(skills, "Юридическая помощь, советы, Events") == ["c2", "c3"]
    assert answer_of(skills, "Перевод, Астрология") == ["c1", "Перевод, Астрология"]
    assert answer_of(forum, "Вы были на форуме в Кёльне?") == "on"


def test_an_upload_left_in_the_preview_loses_its_rows_after_a_day(statement):
    from datetime import timedelta

    from django.utils import timezone

    from undersign.signatures.imports import upload_sheet
    from undersign.signatures.retention import purge

    left = upload_sheet(
        statement, as_csv(["Name", "Email"], [["A", "a@example.org"]]), kind="form", language="en"
    )
    fresh = upload_sheet(
        statement, as_csv(["Name", "Email"], [["B", "b@example.org"]]), kind="form", language="en"
    )
    SignatureImport.objects.filter(pk=left.pk).update(created_at=timezone.now() - timedelta(days=2))
    purge()
    left.refresh_from_db()
    fresh.refresh_from_db()
    assert left.rows == "" and left.discarded_at is not None
    assert fresh.rows.startswith("transit:v1:")


def test_a_consent_naming_the_email_is_a_consent_and_a_contact_phone_a_phone(statement):
    from undersign.signatures.imports.columns import guess

    header = ["Name", "E-mail", "Contact phone", "May the organisers contact you by email?"]
    assert guess(statement, header) == ["name", "email", "phone", "contact_consent"]
    header = ["Ваше имя", "Телеграм", "Согласны ли вы, что подпись будет опубликована?"]
    assert guess(statement, header) == ["name", "telegram", "consent"]
