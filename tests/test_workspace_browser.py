"""The organiser's editor in a real browser with JavaScript off: log in, create, edit a
clause, publish, and find the text public. The fixtures follow tests/test_browser.py."""

import gc
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "a long passphrase"


# Module scope, and the async-unsafe check lifted only while Playwright runs: see
# tests/test_browser.py for why.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Chromium to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with pytest.MonkeyPatch.context() as env, sync_playwright() as p:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
    gc.collect()  # Playwright's leftovers, freed now rather than inside a later test


@pytest.fixture
def new_page(browser, request) -> Iterator[Callable[..., Page]]:
    """Open pages in fresh browser contexts; screenshot them if the test failed."""
    failed_before = request.session.testsfailed
    contexts: list[BrowserContext] = []

    def open_page(js: bool) -> Page:
        context = browser.new_context(java_script_enabled=js)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    if request.session.testsfailed > failed_before:
        ARTIFACTS.mkdir(exist_ok=True)
        for i, context in enumerate(contexts):
            for page in context.pages:
                page.screenshot(path=ARTIFACTS / f"{request.node.name}-{i}.png", full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def site(transactional_db, live_server) -> str:
    User.objects.create_user("organiser", password=PASSWORD, is_staff=True)
    return live_server.url


def press(page: Page, button: str) -> None:
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name=button, exact=True).click()
    assert answer.value.status != 403, f"the POST of {button!r} was refused"


def assert_accessible(page: Page, where: str) -> None:
    violations = [
        v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")
    ]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['target']}" for node in v["nodes"])
        for v in violations
    )
    assert not violations, f"axe found problems on {where}:\n{report}"


def log_in(page: Page, site: str, then: str = "/workspace/") -> None:
    page.goto(f"{site}{then}")
    expect(page).to_have_url(re.compile(r"/workspace/login/"))
    page.get_by_label("Username").fill("organiser")
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


def test_the_edit_page_passes_axe(new_page, site):
    from undersign.statements.services import create_statement, set_translation

    statement = create_statement(slug="axe", title="A letter", clauses=["One.", "Two."])
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
