"""Organisers in a real browser with JavaScript off: a contacts viewer downloads the
volunteers of one city as XLSX; a moderator hides a name and the public page says so.
The browser fixtures are in tests/browser.py."""

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser import assert_accessible, press
from tests.signers import PASSWORD, confirmed, organiser
from undersign.organisers.models import AuditEntry

pytestmark = pytest.mark.browser


@pytest.fixture
def site(transactional_db, live_server, statement) -> str:
    signer = Client()
    confirmed(signer, statement, name="Anna Köln", city="Köln", volunteer="on")
    confirmed(
        signer, statement, name="Boris Koeln", city="Koeln", volunteer="on", phone="+49 221 1"
    )
    confirmed(signer, statement, name="Clara Cologne", city="Cologne")  # not ready to help
    confirmed(signer, statement, name="Dmitri Berlin", city="Berlin", volunteer="on")
    confirmed(signer, statement, name="Abusive Name", city="Berlin")
    return live_server.url


def log_in(page: Page, site: str, username: str, then: str) -> None:
    """The one login step of these tests: the password and, for an account with an
    authenticator, the code it shows now."""
    page.goto(f"{site}{then}")
    expect(page).to_have_url(re.compile(r"/workspace/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:
        code = totp(device.bin_key, step=device.step, digits=device.digits)
        page.get_by_label("Code from your authenticator app").fill(f"{code:0{device.digits}d}")
    press(page, "Log in")
    expect(page).to_have_url(f"{site}{then}")


def test_a_contacts_viewer_downloads_the_volunteers_of_one_city(new_page, site, tmp_path):
    viewer = organiser("viewer", "contacts_viewer")
    TOTPDevice.objects.create(user=viewer, name="phone", confirmed=True)
    page = new_page(js=False)
    log_in(page, site, "viewer", "/workspace/s/letter/signers/")
    page.get_by_label("Ready to work together").check()
    page.get_by_label(re.compile(r"^City")).fill("Cologne")
    page.get_by_role("button", name="Show", exact=True).click()
    table = page.locator("table.signers")
    expect(table).to_contain_text("Anna Köln")
    expect(table).to_contain_text("Boris Koeln")
    expect(table).not_to_contain_text("Clara Cologne")
    expect(table).not_to_contain_text("Dmitri Berlin")

    page.get_by_label("Format").select_option(label="Excel workbook (XLSX)")
    page.get_by_label(re.compile(r"^With contacts")).check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    header, body = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert "email" in header
    assert [(r["shown_as"], r["phone"]) for r in body] == [
        ("Anna Köln", None),
        ("Boris Koeln", "+49 221 1"),
    ]
    assert all(r["email"].endswith("@example.org") for r in body)
    entry = AuditEntry.objects.get(action="contacts.export")
    assert entry.actor.username == "viewer"
    assert entry.data["filter"] == {"volunteers": True, "city": "Cologne"}
    assert entry.data["rows"] == 2 and entry.data["sealed"] is False


def test_a_moderator_hides_a_name_and_the_public_page_counts_it(new_page, site):
    organiser("moderator", "moderator")
    page = new_page(js=False)
    log_in(page, site, "moderator", "/workspace/s/letter/signers/")
    page.get_by_role("link", name="Moderate Abusive Name").click()
    expect(page.get_by_role("heading", name="Moderate a signature")).to_be_visible()
    press(page, "Hide the name")
    expect(page.get_by_role("alert")).to_contain_text("Say why the name is hidden")
    page.get_by_label(re.compile(r"^Reason")).fill("insults other signers")
    press(page, "Hide the name")
    expect(page.get_by_role("status")).to_have_text("The name is hidden. It still counts.")
    expect(page.locator("table.signers")).to_contain_text("hidden by moderators")

    public = new_page(js=False)
    public.goto(f"{site}/s/letter/")
    expect(public.locator(".count")).to_have_text("5")
    expect(public.locator(".signature-list")).not_to_contain_text("Abusive Name")
    expect(public.locator(".signature-list")).to_contain_text("Anna Köln")
    expect(public.get_by_text("1 name hidden by moderators.")).to_be_visible()
    entry = AuditEntry.objects.get(action="signature.hide")
    assert entry.actor.username == "moderator" and entry.data["reason"] == "insults other signers"


def test_the_organisers_pages_pass_axe(new_page, site):
    organiser("owner")
    page = new_page(js=True)  # axe runs as JavaScript in the page
    log_in(page, site, "owner", "/workspace/s/letter/dashboard")
    assert_accessible(page, "the dashboard")
    page.goto(f"{site}/workspace/s/letter/signers/?volunteers=on&contacts=on&since=x")
    assert_accessible(page, "the signers list with an error")
    page.goto(f"{site}/workspace/s/letter/sealing")
    assert_accessible(page, "the sealing page")
    page.get_by_role("link", name="Signers").click()
    page.get_by_role("link", name="Moderate Abusive Name").click()
    assert_accessible(page, "the moderation page")
