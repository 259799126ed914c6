"""Browser fixtures for the tests that drive the system Chromium through Playwright.

Loaded for every test module by `pytest_plugins` in conftest.py.
"""

import gc
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


# One launch for all the tests here. Module scope, not session: while Playwright's sync API
# is started it keeps an asyncio loop marked as running in the test thread, and Django then
# refuses ORM calls from that thread (fixtures, the worker) as if they came from async code.
# So the check is lifted exactly while Playwright runs, and later test modules keep it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's own browser download does not work here, so we use the system Chromium.
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Chromium to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # CI must run these tests, never skip them silently
        pytest.skip(message)
    with pytest.MonkeyPatch.context() as env, sync_playwright() as p:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    # Free Playwright's leftovers (coroutines, futures, frames) now. Left to a later, random
    # garbage collection, their finalizers can run inside a compile() in another test, where
    # CPython 3.11 then fails with "AST constructor recursion depth mismatch" (seen as a
    # pytest INTERNALERROR while it formats a later test's failure).
    gc.collect()


@pytest.fixture
def new_page(browser, request) -> Iterator[Callable[..., Page]]:
    """Open pages in fresh browser contexts; screenshot them if the test failed."""
    contexts: list[BrowserContext] = []
    failed_before = request.session.testsfailed

    def open_page(js: bool = True) -> Page:
        context = browser.new_context(java_script_enabled=js)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    # The call phase's report is counted before teardown runs, so a rise means it failed.
    if request.session.testsfailed > failed_before:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for i, context in enumerate(contexts):
            for j, page in enumerate(context.pages):
                page.screenshot(path=ARTIFACTS / f"{name}-{i}-{j}.png", full_page=True)
    for context in contexts:
        context.close()


def press(page: Page, button: str) -> None:
    """Click a form's button; say plainly if the POST was refused by the CSRF check."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name=button, exact=True).click()
    assert answer.value.status != 403, (
        f"the POST of {button!r} was refused (403): Django's CSRF check rejects the Origin "
        "the browser sent; with Referrer-Policy no-referrer Chromium sends 'Origin: null'"
    )


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
