"""A mailing in a real browser with JavaScript off: a contacts viewer writes to the signers
of one city who agreed to be contacted, previews, sends; a signer stops the mails from the
link in theirs; pausing and resuming a running mailing. The browser fixtures are in
tests/browser.py."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.browser import assert_accessible, press
from tests.conftest import run_worker
from tests.signers import confirmed, organiser
from tests.test_signers_browser import log_in
from undersign.signatures.models import Signature

pytestmark = pytest.mark.browser


@pytest.fixture
def site(transactional_db, live_server, statement, smtp) -> str:
    signer = Client()
    for name, city, agreed in [
        ("Anna Köln", "Köln", "on"),
        ("Boris Koeln", "Koeln", "on"),
        ("Clara Cologne", "Cologne", None),  # did not agree to be contacted
        ("Dmitri Berlin", "Berlin", "on"),
    ]:
        email = f"{name.split()[0].lower()}@example.org"
        confirmed(signer, statement, name=name, city=city, email=email, contact_consent=agreed)
    return live_server.url


def test_a_contacts_viewer_writes_to_one_city_and_a_signer_stops_the_mails(
    new_page, site, smtp, settings
):
    settings.SITE_URL = site
    organiser("viewer", "contacts_viewer", email="viewer@example.org")
    page = new_page(js=False)
    log_in(page, site, "viewer", "/workspace/s/letter/mailings/")
    page.get_by_label("Subject").fill("")
    page.get_by_label(re.compile(r"^Text")).fill("We meet on Friday at 7 in the Bürgerhaus.")
    page.get_by_label(re.compile(r"^City")).fill("Cologne")
    press(page, "Save and preview")
    # Nothing typed is lost; the error stands by its field.
    expect(page.locator("#id_mail-subject_error")).to_contain_text("Please write a subject.")
    expect(page.get_by_label(re.compile(r"^Text"))).to_have_value(
        "We meet on Friday at 7 in the Bürgerhaus."
    )
    expect(page.get_by_label(re.compile(r"^City"))).to_have_value("Cologne")
    page.get_by_label("Subject").fill("Friday")
    press(page, "Save and preview")
    expect(page.locator(".reach")).to_contain_text("2 signers under this filter agreed")
    expect(page.locator(".preview-body").first).to_contain_text("in the Bürgerhaus.")
    press(page, "Send me a test")
    press(page, "Send to 2 signers now")
    expect(page.locator(".mailing-state")).to_have_text("Sending")
    press(page, "Pause the mailing")
    expect(page.locator(".mailing-state")).to_have_text("Paused")
    expect(page.locator(".paused")).to_contain_text("2 signers have not been sent it")
    run_worker()  # the test to yourself goes; the signers wait
    assert [m["X-Envelope-To"] for m in smtp.messages] == ["viewer@example.org"]
    press(page, "Resume the mailing")
    expect(page.locator(".mailing-state")).to_have_text("Sending")
    run_worker()
    page.reload()
    expect(page.locator(".mailing-state")).to_have_text("Sent")
    expect(page.locator("dd.sent")).to_have_text("2")
    expect(page.locator("dd.left")).to_have_text("0")
    to = sorted(m["X-Envelope-To"] for m in smtp.messages)
    assert to == ["anna@example.org", "boris@example.org", "viewer@example.org"]

    mail = next(m for m in smtp.messages if m["X-Envelope-To"] == "anna@example.org")
    link = re.search(r"http://\S+/unsubscribe/\S+", smtp.text(mail)).group(0)
    reader = new_page(js=False)
    reader.goto(link)
    press(reader, "Send me no more mails")
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "You will get no more mails from the organisers"
    )
    anna = Signature.objects.get(public_name="Anna Köln")
    assert anna.contact_consent_version == "" and anna.status == "confirmed"


def test_the_mailing_pages_pass_axe(new_page, site):
    organiser("viewer", "contacts_viewer", email="viewer@example.org")
    page = new_page(js=True)  # axe runs as JavaScript in the page
    log_in(page, site, "viewer", "/workspace/s/letter/mailings/")
    assert_accessible(page, "the mailings page")
    page.get_by_label("Subject").fill("Friday")
    page.get_by_label(re.compile(r"^Text")).fill("Come.")
    press(page, "Save and preview")
    assert_accessible(page, "a mailing's page")
    page.goto(f"{site}/workspace/digest")
    assert_accessible(page, "the digest page")
