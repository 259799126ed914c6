"""The signing path in a real browser: the system Chromium, driven by Playwright, against
pytest-django's live server, with the mail going through a real SMTP server on loopback."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import assert_accessible, press
from tests.conftest import links, run_worker

pytestmark = pytest.mark.browser

NAME = "Anna Petrova"
EMAIL = "anna.browser@example.org"


@pytest.fixture
def site(transactional_db, live_server, statement, smtp, settings) -> str:
    # transactional_db first: the live server's thread must see the statement, so it has to
    # be committed, not left in the test's transaction.
    settings.SITE_URL = live_server.url  # links in mails lead to the live server
    return live_server.url


def fill_form(page: Page, email: str = EMAIL) -> None:
    # Optional fields' labels end in "optional", and "Where (country, city)" also holds
    # "city": hence the anchored patterns.
    page.get_by_label("Your name", exact=True).fill(NAME)
    page.get_by_label("Full name", exact=True).check()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label(re.compile(r"^City\b")).fill("Köln")
    page.get_by_label(re.compile(r"^Country\b")).select_option(label="Germany")
    page.get_by_label(re.compile(r"^I agree")).check()


def count_on(page: Page, site: str) -> str:
    page.goto(f"{site}/s/letter/")
    assert EMAIL not in page.content()  # the address is never shown
    return page.locator(".counter .count").inner_text()


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_a_person_signs_confirms_and_withdraws(new_page, site, smtp, js):
    page = new_page(js=js)
    page.goto(f"{site}/s/letter/")
    fill_form(page)
    press(page, "Sign")
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()

    run_worker()  # deliver the queued mail to the loopback SMTP server
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["X-Envelope-To"] == EMAIL
    urls = links(smtp.text(smtp.messages[0]))
    assert urls.keys() == {"confirm", "withdraw"}

    page.goto(urls["confirm"])
    confirm = page.get_by_role("button", name="Confirm my signature")
    expect(confirm).to_be_visible()
    other = new_page(js=js)
    assert count_on(other, site) == "0"  # opening the link (a GET) confirmed nothing
    press(page, "Confirm my signature")
    expect(page.get_by_role("heading", name="Thank you — your signature counts")).to_be_visible()

    assert count_on(page, site) == "1"
    expect(page.locator(".signature-list .name")).to_have_text([NAME])

    page.goto(urls["withdraw"])
    press(page, "Withdraw my signature")
    expect(page.get_by_role("heading", name="Your signature is withdrawn")).to_be_visible()

    assert count_on(page, site) == "0"
    expect(page.locator(".signature-list .name")).to_have_count(0)
    assert NAME not in page.locator("#signatures").inner_text()


def test_bad_input_is_explained_next_to_the_field_and_kept(new_page, site):
    page = new_page(js=False)
    page.goto(f"{site}/s/letter/")
    fill_form(page, email="not-an-address")
    press(page, "Sign")
    error = page.locator(".field.has-error", has=page.get_by_label("Email", exact=True)).locator(
        ".error"
    )
    expect(error).to_have_text("Enter a valid email address.")
    expect(page.get_by_label("Your name", exact=True)).to_have_value(NAME)
    expect(page.get_by_role("heading", name="Check your mail")).to_have_count(0)


def test_the_pages_of_the_signing_path_pass_axe(new_page, site):
    page = new_page()
    page.goto(f"{site}/s/letter/")
    assert_accessible(page, "the statement page with its form")

    fill_form(page, email="not-an-address")
    press(page, "Sign")
    expect(page.locator("#form-errors")).to_be_visible()
    assert_accessible(page, "the form with errors")

    page.get_by_label("Email", exact=True).fill(EMAIL)
    press(page, "Sign")
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()
    assert_accessible(page, "the check-mail page")


def test_the_language_switcher_works_without_javascript(new_page, site):
    page = new_page(js=False)
    page.goto(f"{site}/s/letter/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    press(page, "Deutsch")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert page.url == f"{site}/s/letter/"  # back on the page the person was reading


def test_a_reader_switches_language_follows_a_clause_link_and_finds_share_tags(new_page, site):
    from undersign.statements.models import Statement
    from undersign.statements.services import publish_changes, set_translation

    letter = Statement.objects.get(slug="letter")
    set_translation(
        letter,
        language="de",
        title="Offener Brief zu politischen Gefangenen",
        clauses={1: "Freilassen.", 2: "Visa geben.", 3: "Auslieferungen stoppen."},
    )
    publish_changes(letter)
    page = new_page(js=False)
    page.goto(f"{site}/s/letter/")
    press(page, "Deutsch")  # the interface language brings the German text along
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Offener Brief zu politischen Gefangenen"
    )
    page.get_by_role("link", name="English").click()  # the text's own language links
    expect(page.get_by_role("heading", level=1)).to_have_text("Open letter on political prisoners")

    page.locator("#clause-2 .permalink").click()
    assert page.url.endswith("#clause-2")
    expect(page.locator("#clause-2")).to_be_in_viewport()
    expect(page.locator("#clause-2")).to_contain_text("Give them visas.")

    og_image = page.locator('meta[property="og:image"]').get_attribute("content")
    assert og_image == f"{site}/s/letter/card.png?lang=en"  # robots send no Accept-Language
    assert page.locator('meta[name="twitter:card"]').get_attribute("content") == (
        "summary_large_image"
    )
    # The English link switched the interface back to English: the QR code's text too.
    qr = page.get_by_role("img", name=re.compile("^QR code"))
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", qr.element_handle()) > 0
    card = page.request.get(og_image)
    assert card.ok and card.headers["content-type"] == "image/png"


def test_with_javascript_the_form_carries_a_proof_of_work_within_the_csp(new_page, site):
    page = new_page(js=True)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{site}/s/letter/")
    # The self-hosted ALTCHA widget solves its puzzle in a worker and fills a hidden field.
    page.wait_for_function(
        "() => { const i = document.querySelector('input[name=altcha]'); return i && i.value }"
    )
    fill_form(page)
    with page.expect_request(lambda r: r.method == "POST") as sent:
        page.get_by_role("button", name="Sign", exact=True).click()
    assert "altcha=" in (sent.value.post_data or "")
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
