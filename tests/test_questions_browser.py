"""The group's own questions in a real browser with JavaScript off: an editor adds a
question in two languages, a German reader signs answering it, and an organiser finds the
answer as a filter of the signers list and as a column of the download. The new pages pass
axe (with JavaScript: axe is a script)."""

import csv
import re

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, press
from tests.conftest import links, run_worker
from tests.signers import organiser
from tests.test_signers_browser import log_in
from undersign.organisers.models import AuditEntry
from undersign.signatures.models import Question, Signature

pytestmark = pytest.mark.browser


@pytest.fixture
def site(transactional_db, live_server, statement, smtp, settings) -> str:
    settings.SITE_URL = live_server.url
    return live_server.url


def test_a_question_in_two_languages_answered_then_filtered_and_exported(
    new_page, site, smtp, tmp_path
):
    organiser("editor", "editor")
    editor = new_page(js=False)
    log_in(editor, site, "editor", "/workspace/s/letter/form")
    editor.get_by_role("link", name="Add a question").click()
    editor.get_by_label("Question", exact=True).fill("What can you do")
    editor.get_by_label("Several choices").check()
    editor.get_by_label("Everyone: shown next to the name").check()
    editor.get_by_label("Choices, one a line").fill("Translation\nLegal help\nDesign")
    editor.get_by_label("Question in Deutsch").fill("Was können Sie tun")
    editor.get_by_label("Choices in Deutsch, in the same order").fill(
        "Übersetzung\nRechtshilfe\nGestaltung"
    )
    press(editor, "Save the question")
    expect(editor.get_by_role("status")).to_have_text("The question is on the signing form.")
    expect(editor.locator("table").first).to_contain_text("What can you do")
    entry = AuditEntry.objects.get(action="question.add")
    assert entry.actor.username == "editor" and entry.data["languages"] == ["de"]

    reader = new_page(js=False)
    reader.goto(f"{site}/s/letter/?lang=de")
    expect(reader.get_by_role("group", name="Was können Sie tun")).to_be_visible()
    reader.get_by_label("Ihr Name", exact=True).fill("Anna Petrova")
    reader.get_by_label("E-Mail", exact=True).fill("anna@example.org")
    reader.get_by_label("Rechtshilfe").check()
    reader.get_by_label(re.compile(r"^Ich bin einverstanden")).check()
    press(reader, "Unterschreiben")
    expect(reader.get_by_role("heading", name=re.compile("Post"))).to_be_visible()
    run_worker()
    reader.goto(links(smtp.text(smtp.messages[0]))["confirm"])
    expect(reader.locator(".shown-answers")).to_have_text("Was können Sie tun: Rechtshilfe")
    press(reader, "Unterschrift bestätigen")
    assert Signature.objects.get().status == "confirmed"
    reader.goto(f"{site}/s/letter/?lang=de")
    expect(reader.locator(".signature-list")).to_contain_text("Was können Sie tun: Rechtshilfe")

    organiser("viewer", "contacts_viewer")
    page = new_page(js=False)
    log_in(page, site, "viewer", "/workspace/s/letter/signers/")
    page.get_by_label("What can you do").select_option(label="Legal help")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("table.signers")).to_contain_text("Anna Petrova")
    expect(page.locator("table.signers")).to_contain_text("What can you do: Legal help")
    page.get_by_label("What can you do").select_option(label="Design")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_text("Nobody matches this filter.")).to_be_visible()
    page.get_by_label("What can you do").select_option(label="Legal help")
    page.get_by_role("button", name="Show", exact=True).click()

    page.get_by_label("Format").select_option(label="CSV (spreadsheets, any program)")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    column = f"{Question.objects.get().key} What can you do"
    assert [(r["shown_as"], r[column]) for r in rows] == [("Anna Petrova", "Legal help")]


def test_the_question_pages_and_a_form_with_questions_pass_axe(new_page, site):
    organiser("editor", "editor")
    page = new_page(js=True)
    log_in(page, site, "editor", "/workspace/s/letter/form/questions/new")
    assert_accessible(page, "the new question page")
    page.get_by_label("Question", exact=True).fill("Which group")
    page.get_by_label("One choice").check()
    page.get_by_label("Choices, one a line").fill("Köln\nBerlin")
    press(page, "Save the question")
    assert_accessible(page, "the signing form page")
    page.get_by_role("link", name="Which group").click()
    assert_accessible(page, "a question's page")
    page.goto(f"{site}/s/letter/")
    assert_accessible(page, "the statement page with a question")
