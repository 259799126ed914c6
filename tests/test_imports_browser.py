"""An import in a real browser with JavaScript off: a contacts viewer uploads a small Google
Form export in Russian, sees the broken row's problem, maps a column the guess missed,
imports, and watches the page follow the worker until it is done; the confirmation mail
arrives at the SMTP server on loopback. The browser fixtures are in tests/browser.py."""

import csv
import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser import assert_accessible, press
from tests.conftest import run_worker
from tests.signers import organiser
from tests.test_signers_browser import log_in
from undersign.signatures.models import Signature

pytestmark = pytest.mark.browser
SERIOUS = ("serious", "critical")

HEADER = ["Отметка времени", "Адрес электронной почты", "Имя и фамилия", "Откуда вы?"]
ROWS = [
    ["15.11.2026 12:00:00", "anna@example.org", "Анна Петрова", "Кёльн"],
    ["15.11.2026 12:05:00", "not-an-email", "Борис Плохой", "Берлин"],
    ["15.11.2026 12:10:00", "vera@example.org", "Вера Иванова", "Бонн"],
]


@pytest.fixture
def site(transactional_db, live_server, statement, smtp) -> str:
    organiser("viewer", "contacts_viewer", email="viewer@example.org")
    return live_server.url


@pytest.fixture
def sheet(tmp_path):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(ROWS)
    path = tmp_path / "Подписи (ответы).csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def upload(page: Page, sheet) -> None:
    page.get_by_label("File (CSV or XLSX)").set_input_files(sheet)
    page.get_by_label("Language of the mails, for rows that say none").select_option("ru")
    press(page, "Upload and check")
    expect(page).to_have_url(re.compile(r"/workspace/s/letter/import/\d+/$"))


def test_a_contacts_viewer_imports_a_russian_google_form_and_watches_it_done(
    new_page, site, sheet, smtp, settings
):
    settings.SITE_URL = site
    page = new_page(js=False)
    log_in(page, site, "viewer", "/workspace/s/letter/import/")
    upload(page, sheet)

    # The broken row, with what is wrong, before anything is saved.
    problems = page.locator("table.import-problems")
    expect(problems).to_contain_text("Борис Плохой")
    expect(problems).to_contain_text("valid email")
    expect(page.get_by_role("button", name="Import 2 rows")).to_be_visible()
    assert Signature.objects.count() == 0

    # "Откуда вы?" ("where are you from") is the city: the guess did not know the words.
    where = page.get_by_label("Откуда вы?")
    expect(where).to_have_value("")
    where.select_option(label="City")
    press(page, "Check the rows again")
    expect(page.get_by_label("Откуда вы?")).to_have_value("city")

    press(page, "Import 2 rows")
    expect(page.get_by_role("heading", name="Importing")).to_be_visible()
    expect(page.locator(".import-done")).to_have_text("0 of 3 rows done")
    expect(page.get_by_text("Waiting for the worker to take the import.")).to_be_visible()
    run_worker()
    # No click, no script: the page reloads itself until the import is done.
    expect(page.get_by_role("heading", name="Imported")).to_be_visible(timeout=15_000)
    expect(page.locator(".import-result")).to_contain_text(
        "2 signers were asked by mail to confirm"
    )
    expect(page.locator(".import-result")).to_contain_text("1 row with a problem was not imported")
    assert sorted(Signature.objects.values_list("city", flat=True)) == ["Бонн", "Кёльн"]

    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        "anna@example.org",
        "vera@example.org",
    ]
    mail = next(m for m in smtp.messages if m["X-Envelope-To"] == "anna@example.org")
    text = smtp.text(mail)
    assert "собрана в форме командой Letter team" in text
    assert re.search(r"http://\S+/confirm/\S+", text)


def test_the_import_pages_pass_axe(new_page, site, sheet):
    page = new_page(js=True)  # axe runs as JavaScript in the page
    log_in(page, site, "viewer", "/workspace/s/letter/import/")
    assert_accessible(page, "the import page")
    upload(page, sheet)
    assert_accessible(page, "the import's preview")
    press(page, "Import 2 rows")
    expect(page.get_by_role("heading", name="Importing")).to_be_visible()
    # axe refuses any timed reload (WCAG 2.2.1, a time limit): the page offers to stop it,
    # and without it the page passes whole; with it, every other rule.
    refreshing = Axe().run(page, options={"rules": {"meta-refresh": {"enabled": False}}})
    assert not [v["id"] for v in refreshing.response["violations"] if v["impact"] in SERIOUS], (
        "the reloading progress page"
    )
    page.get_by_role("link", name="Stop reloading").click()
    expect(page).to_have_url(re.compile(r"\?still=1$"))
    assert_accessible(page, "the import's progress, not reloading")
    page.get_by_role("link", name="Reload it every few seconds").click()
    run_worker()
    expect(page.get_by_role("heading", name="Imported")).to_be_visible(timeout=15_000)
    assert_accessible(page, "the finished import")
    page.goto(f"{site}/workspace/s/letter/import/")
    assert_accessible(page, "the import page with an earlier import")
