"""The diff page in a phone-sized browser with JavaScript off: a one-word change in a
nine-clause statement fits on one screen (it once stretched to 1,300 px for nine lines)."""

import pytest
from playwright.sync_api import expect

from tests.test_revisions import NINE

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(transactional_db, live_server) -> str:
    from undersign.statements.services import (
        create_statement,
        edit_statement,
        publish_changes,
        publish_statement,
    )

    statement = publish_statement(create_statement(slug="nine", title="Nine demands", clauses=NINE))
    clauses = dict(enumerate(NINE, 1))
    clauses[4] = clauses[4].replace("archives", "records")
    edit_statement(statement, title=statement.title, preamble="", postscript="", clauses=clauses)
    publish_changes(statement)
    return live_server.url


def test_a_one_word_change_fits_on_one_phone_screen(new_page, site):
    page = new_page(js=False)
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/s/nine/diff?from=1&to=2")
    removed = page.locator(".diff del")
    added = page.locator(".diff ins")
    expect(removed).to_have_count(1)
    expect(removed).to_contain_text("archives")
    expect(added).to_have_count(1)
    expect(added).to_contain_text("records")
    expect(page.get_by_text("Clauses 1–3: unchanged")).to_be_visible()
    expect(page.get_by_text("Clauses 5–9: unchanged")).to_be_visible()
    # The body's own height: the document's is never less than the window's.
    height = page.evaluate("document.body.getBoundingClientRect().height")
    assert height < PHONE["height"], f"the diff page is {height} px high on a phone"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
