"""The organiser's editor in a real browser with JavaScript off: log in, create, edit a
clause, publish, and find the text public; invite a newcomer who lands in the team. The
browser fixtures are in tests/browser.py."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser import assert_accessible, press
from undersign.organisers.services import create_team

pytestmark = pytest.mark.browser

PASSWORD = "a long passphrase"


@pytest.fixture
def site(transactional_db, live_server, settings) -> str:
    """An organiser who owns and edits for the only team."""
    settings.SITE_URL = live_server.url  # invitation links lead to the live server
    organiser = User.objects.create_user("organiser", password=PASSWORD)
    create_team("Letter team", owner=organiser, roles=["owner", "editor"], actor=organiser)
    return live_server.url


def log_in(page: Page, site: str, then: str = "/workspace/", username: str = "organiser") -> None:
    page.goto(f"{site}{then}")
    expect(page).to_have_url(re.compile(r"/workspace/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    press(page, "Log in")
    expect(page).to_have_url(f"{site}{then}")


def test_an_organiser_writes_publishes_and_finds_the_statement_public(new_page, site):
    page = new_page(js=False)
    log_in(page, site)
    expect(page.get_by_role("heading", name="Statements")).to_be_visible()

    page.get_by_role("link", name="New statement").first.click()
    page.get_by_label("Title").fill("Letter from the browser")
    page.get_by_label(re.compile(r"^Address")).fill("browser-letter")
    press(page, "Create the draft")
    expect(page.get_by_role("heading", name="Letter from the browser")).to_be_visible()

    page.get_by_label(re.compile(r"^New clause at the end")).fill("Free them all.")
    press(page, "Save")
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label("Clause 1", exact=True)).to_have_value("Free them all.")

    page.get_by_label("Clause 1", exact=True).fill("Free them all, now.")
    press(page, "Save")
    expect(page.get_by_label("Clause 1", exact=True)).to_have_value("Free them all, now.")

    press(page, "Publish")
    expect(page.get_by_text("Published. The public page shows revision 1.")).to_be_visible()
    page.get_by_role("link", name="Public page").click()
    expect(page).to_have_url(f"{site}/s/browser-letter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Letter from the browser")
    expect(page.locator("#clause-1")).to_contain_text("Free them all, now.")

    # A change to the published text is saved, reviewed and published in one step.
    page.goto(f"{site}/workspace/s/browser-letter/")
    page.get_by_label("Clause 1", exact=True).fill("Free them all, today.")
    press(page, "Save")
    expect(page.get_by_text("Unpublished changes.")).to_be_visible()
    page.goto(f"{site}/s/browser-letter/")
    expect(page.locator("#clause-1")).to_contain_text("Free them all, now.")
    page.goto(f"{site}/workspace/s/browser-letter/")
    page.get_by_role("link", name="Review the changes").click()
    expect(page.locator(".diff del")).to_contain_text("now")
    expect(page.locator(".diff ins")).to_contain_text("today")
    press(page, "Publish the changes")
    expect(page.get_by_text("Published. The public page shows revision 2.")).to_be_visible()
    page.goto(f"{site}/s/browser-letter/")
    expect(page.locator("#clause-1")).to_contain_text("Free them all, today.")


def test_the_edit_page_passes_axe(new_page, site):
    from undersign.organisers.models import Team
    from undersign.statements.services import create_statement, set_translation

    team = Team.objects.get()
    statement = create_statement(slug="axe", title="A letter", clauses=["One.", "Two."], team=team)
    set_translation(statement, language="de", title="Ein Brief", clauses={1: "Eins.", 2: "Zwei."})
    page = new_page(js=True)  # axe runs as JavaScript in the page
    log_in(page, site, "/workspace/s/axe/")
    assert_accessible(page, "the edit page")
    page.get_by_label("Clause 1", exact=True).fill("")
    press(page, "Save")
    expect(page.locator("#form-errors")).to_be_visible()
    assert_accessible(page, "the edit page with an error")
    page.goto(f"{site}/workspace/s/axe/translations/de/")
    assert_accessible(page, "the translation page")


def test_an_owner_invites_and_the_newcomer_lands_in_the_team(new_page, site):
    page = new_page(js=False)
    log_in(page, site)
    page.get_by_role("link", name="Teams").click()
    page.get_by_role("link", name="Letter team").click()
    invitation = page.get_by_role("group", name="Roles they get")
    invitation.get_by_label(re.compile(r"moderator")).check()
    page.locator("#id_invite-note").fill("Masha")
    press(page, "Make an invitation link")
    link = page.get_by_label("Link").input_value()
    assert link.startswith(f"{site}/workspace/invite/")

    newcomer = new_page(js=False)
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Join Letter team")
    newcomer.get_by_label("User name").fill("masha")
    newcomer.get_by_label("Password", exact=True).fill("tea with lemon and honey")
    newcomer.get_by_label("The password again").fill("tea with lemon and honey")
    press(newcomer, "Make the account and join")
    expect(newcomer.get_by_role("status")).to_have_text("Welcome to Letter team.")
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Letter team")
    expect(newcomer.get_by_role("cell", name="masha (you)")).to_be_visible()

    page.reload()
    expect(page.get_by_role("cell", name="masha", exact=True)).to_be_visible()


def test_the_team_pages_pass_axe(new_page, site):
    page = new_page(js=True)
    log_in(page, site, "/workspace/teams/")
    page.get_by_role("link", name="Letter team").click()
    assert_accessible(page, "the team page")
    page.goto(f"{site}/workspace/audit/")
    assert_accessible(page, "the audit log")
    page.goto(f"{site}/workspace/two-factor/")
    assert_accessible(page, "the two-factor page")
