"""Reading in a real browser (the system Chromium, JavaScript off, a 390 px phone): one choice
of language sets the interface and the text; no public page is wider than a 320 px screen;
the printed page tells where to sign."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import ARTIFACTS, assert_accessible, press
from undersign.signatures import services as signing
from undersign.signatures.models import Signature
from undersign.signatures.text import link_token
from undersign.statements.models import Statement
from undersign.statements.services import edit_statement, publish_changes, set_translation

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
RU_TITLE = "Открытое письмо о политических заключённых"
UK_TITLE = "Відкритий лист про політичних в’язнів"


@pytest.fixture
def site(transactional_db, live_server, statement, settings) -> str:
    settings.SITE_URL = live_server.url
    set_translation(
        statement,
        language="ru",
        title=RU_TITLE,
        preamble="Мы, нижеподписавшиеся, просим о трёх вещах.",
        clauses={1: "Освободить их.", 2: "Дать им визы.", 3: "Прекратить выдачу."},
    )
    publish_changes(statement)
    set_translation(
        statement,
        language="uk",
        title=UK_TITLE,
        preamble="Ми, що нижче підписалися, просимо про три речі.",
        clauses={1: "Звільнити їх.", 2: "Дати їм візи.", 3: "Припинити видачу."},
    )
    publish_changes(statement)
    Statement.objects.filter(pk=statement.pk).update(goal=1000)
    return live_server.url


def phone(new_page, language: str) -> Page:
    page = new_page(js=False)
    page.set_viewport_size(PHONE)
    page.context.set_extra_http_headers({"Accept-Language": language})
    return page


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_it_switches_text_and_interface_together_from_a_lang_link(new_page, site, language):
    page = phone(new_page, language)
    page.goto(f"{site}/s/letter/?lang=en")  # a link someone shared from the English page
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the link sets both
    assert heading(page) == "Open letter on political prisoners"

    name = {"ru": "Русский", "uk": "Українська"}[language]
    press(page, name)  # the header's switcher, a form post without JavaScript
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert heading(page) == {"ru": RU_TITLE, "uk": UK_TITLE}[language]
    assert "lang=" not in page.url  # back on the page, without the old choice in it
    # The chosen language is offered once, by the header, and marked as current.
    expect(page.locator(f'a[hreflang="{language}"]')).to_have_count(0)
    button = page.get_by_role("button", name=name, exact=True)
    expect(button).to_have_attribute("aria-current", "true")
    expect(button).to_have_attribute("lang", language)
    # Every language is named in itself: "English", never "Английский".
    expect(page.locator("header.site")).to_contain_text("English")
    expect(page.locator('a[hreflang="en"]')).to_have_text("English")
    expect(page.locator('a[hreflang="en"]')).to_have_attribute("lang", "en")

    # An "also in" link changes both again, and the choice stays for the next pages.
    page.locator('a[hreflang="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{site}/s/letter/")
    assert heading(page) == "Open letter on political prisoners"


def test_the_switcher_on_a_refused_form_leads_to_a_page_not_a_405(new_page, site):
    page = phone(new_page, "ru")
    page.goto(f"{site}/s/letter/")
    press(page, "Подписать")  # nothing filled in: the form comes back, at the POST address
    expect(page.locator("#form-errors")).to_be_visible()
    press(page, "Українська")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    assert heading(page) == UK_TITLE
    assert page.url.startswith(f"{site}/s/letter/")


def public_pages(site: str, statement: Statement) -> dict[str, str]:
    """Every kind of public page, by name."""
    edit_statement(
        statement,
        title=statement.title,
        preamble=statement.preamble,
        postscript=statement.postscript,
        clauses={1: "Release them now.", 2: "Give them visas.", 3: "Stop extraditions."},
    )
    publish_changes(statement)
    signing.add_signature(
        statement,
        signing.SignatureInput(name="Анна", display="full", email="anna@example.org"),
    )
    ref = Signature.objects.get().ref
    return {
        "home": "/",
        "statement": "/s/letter/",
        "revision": "/s/letter/r/1/",
        "diff": "/s/letter/diff?from=3&to=4",
        "check-mail": "/s/letter/check-mail",
        "confirm": f"/confirm/{ref}/{link_token(ref, 'confirm')}/",
        "withdraw": f"/withdraw/{ref}/{link_token(ref, 'withdraw')}/",
        "imprint": "/imprint",
        "privacy": "/privacy?s=letter",
        "error": "/s/no-such-letter/",
    }


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_no_public_page_is_wider_than_a_small_phone(new_page, site, statement, language):
    pages = public_pages(site, statement)
    page = new_page(js=False)
    page.context.set_extra_http_headers({"Accept-Language": language})
    too_wide = {}
    for width in (320, 390):
        page.set_viewport_size({"width": width, "height": 700})
        for name, path in pages.items():
            answer = page.goto(site + path)
            assert answer is not None and answer.status == (404 if name == "error" else 200), name
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                too_wide[f"{name} at {width}"] = scroll
    assert too_wide == {}


def test_the_statement_page_on_a_russian_phone(new_page, site, statement):
    """The page as a Russian reader's phone shows it; kept as test-artifacts/reading-ru-390.png."""
    Statement.objects.filter(pk=statement.pk).update(
        sources=["https://example.org/a-very-long-address/of-the-original-letter/2024/11/07"]
    )
    page = phone(new_page, "ru")
    page.goto(f"{site}/s/letter/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "reading-ru-390.png", full_page=True)
    assert heading(page) == RU_TITLE
    expect(page.locator(".goal-figures")).to_have_text("0 из 1\u00a0000")
    expect(page.locator(".statement-meta time").first).to_have_text(
        re.compile(r"^\d+ [а-я]+ \d{4}$")
    )
    # The § links are readable: no faded ink (axe checks the contrast of the rest).
    opacity = page.locator(".permalink").first.evaluate("e => getComputedStyle(e).opacity")
    assert opacity == "1"


def test_the_reading_pages_pass_axe(new_page, site, statement):
    page = new_page(js=True)  # axe runs as a script in the page
    page.set_viewport_size(PHONE)
    for path in ["/s/letter/?lang=ru", "/s/letter/r/1/?lang=uk", "/privacy?s=letter", "/imprint"]:
        page.goto(site + path)
        assert_accessible(page, path)


def test_the_printed_page_says_where_to_sign(new_page, site, statement):
    set_translation(
        statement,
        language="de",
        title="Offener Brief",
        preamble="Wir bitten um drei Dinge. Siehe <https://example.org/brief>.",
        clauses={1: "Freilassen.", 2: "Visa geben.", 3: "Auslieferungen stoppen."},
    )
    publish_changes(statement)
    edit_statement(  # the translations are now out of date
        statement,
        title=statement.title,
        preamble="We ask for three things. See [the original](https://example.org/original).",
        postscript="",
        clauses={1: "Release them now.", 2: "Give them visas.", 3: "Stop extraditions."},
    )
    publish_changes(statement)
    page = new_page(js=False)
    page.goto(f"{site}/s/letter/?lang=de")
    page.emulate_media(media="print")
    sign_at = page.locator(".sign-at")
    expect(sign_at).to_be_visible()
    expect(sign_at).to_contain_text(f"{site}/s/letter/?lang=de")
    expect(page.locator(".share img.qr")).to_be_visible()
    expect(page.locator(".share ul")).to_be_hidden()
    expect(page.locator(".language-notice .outdated")).to_be_visible()  # kept on paper
    expect(page.locator("p.no-print")).to_be_hidden()  # "be the first"
    expect(page.locator("header.site")).to_be_hidden()
    # An address whose link text already is the address is printed once.
    after = page.locator(".statement a.url").first.evaluate(
        "e => getComputedStyle(e, '::after').content"
    )
    assert after in ("none", "normal")

    page.goto(f"{site}/s/letter/?lang=en")  # the link's text is not its address
    page.emulate_media(media="print")
    after = page.locator(".statement .preamble a").first.evaluate(
        "e => getComputedStyle(e, '::after').content"
    )
    assert "https://example.org/original" in after
