"""The results in a real browser: the organiser's tallies and map and the projector, read
with JavaScript off (axe, which needs JavaScript, checks them in a second browser), and the
projector refreshing itself. The browser fixtures are in tests/browser.py."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser import assert_accessible
from tests.test_assembly_results import PER_CAMP, two_camp_room
from tests.test_workspace_browser import PASSWORD, log_in
from undersign.assemblies import results
from undersign.organisers.services import create_team
from undersign.room import results as room_results

pytestmark = pytest.mark.browser


@pytest.fixture
def site(transactional_db, live_server):
    organiser = User.objects.create_user("organiser", password=PASSWORD)
    team = create_team("Forum team", owner=organiser, actor=organiser)
    assembly, _ = two_camp_room(team)
    return live_server.url, assembly


def test_an_organiser_reads_the_tallies_and_the_map_without_javascript(new_page, site):
    url, assembly = site
    results_page = f"/workspace/assemblies/{assembly.slug}/results"
    page = new_page(js=False)
    log_in(page, url, then=results_page)
    expect(page.get_by_role("heading", name="Results: Forum in Cologne")).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("Draft A: on political prisoners"))
    expect(chart).to_be_visible()
    page.get_by_role("link", name="Consensus map").click()
    expect(page.get_by_role("heading", name=f"Group A: {PER_CAMP} participants")).to_be_visible()
    expect(page.get_by_role("heading", name="What unites the room")).to_be_visible()

    checked = new_page()
    log_in(checked, url, then=results_page)
    assert_accessible(checked, "the results page")
    checked.get_by_role("link", name="Consensus map").click()
    assert_accessible(checked, "the consensus map")


def test_the_projector_refreshes_itself_without_javascript(new_page, site, monkeypatch):
    url, assembly = site
    screen = f"{url}/a/{assembly.slug}/screen?key={results.projector_key(assembly)}"
    checked = new_page()
    checked.goto(screen)
    # axe counts a timed refresh as a barrier (WCAG 2.2.1): this page is a display on a wall
    # that must refresh by itself, and it links to a still copy, which axe checks in full.
    violations = [
        v["id"]
        for v in Axe()
        .run(checked, options={"rules": {"meta-refresh": {"enabled": False}}})
        .response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert violations == []
    checked.get_by_role("link", name="Stop refreshing").click()
    assert_accessible(checked, "the projector, still")

    monkeypatch.setattr(room_results, "REFRESH_SECONDS", 1)
    page = new_page(js=False)
    loads = []
    page.on("load", lambda _: loads.append(1))
    page.goto(screen)
    expect(page.get_by_role("heading", name="Forum in Cologne")).to_be_visible()
    expect(page.get_by_role("heading", name="What divides the room")).to_be_visible()
    page.wait_for_timeout(3500)
    assert len(loads) >= 2
