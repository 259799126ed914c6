"""Nobody's choices are published under another person's address: while a signature is
pending the latest submission for its address decides, the confirm page shows what will be
public and lets the person make it more private, and a confirmed signature never changes."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import links, path_of, run_worker, sign
from undersign.organisers.models import SealingKey
from undersign.signatures.models import Contact, Signature

VICTIM = "ivan@example.org"
SHOWN = re.compile(r'name="shown" value="(\d+)"')


def _attack_then_victim(client, statement):
    """Someone signs first with Ivan's address, his real name, "full name" and a city; then
    Ivan signs himself, choosing not to be public."""
    sign(client, statement, email=VICTIM, name="Ivan Realname", display="full", city="Moscow")
    run_worker()  # the first mail, with the link of the pending row, goes to Ivan
    sign(
        client, statement, email=VICTIM, name="Ivan Realname", display="hidden", city="", country=""
    )
    run_worker()


def _confirm(client, url: str, **choices: str):
    """Press the button as the page shows it: with the number of submissions it showed."""
    page = client.get(path_of(url))
    shown = SHOWN.search(page.content.decode())
    assert shown is not None
    return client.post(path_of(url), {"shown": shown.group(1), **choices})


def test_it_publishes_the_victims_choice_not_the_first_signers(client, statement, mailoutbox):
    _attack_then_victim(client, statement)
    signature = Signature.objects.get()
    assert signature.display == "hidden" and signature.public_name == "" and signature.city == ""
    # Whatever the mail throttle decided, Ivan has a link; the confirm page says what he gets.
    url = links(mailoutbox[0].body)["confirm"]
    page = client.get(path_of(url)).content.decode()
    assert "Not shown: your signature is only counted." in page
    assert "Ivan Realname" not in page and "Moscow" not in page
    _confirm(client, url)
    listing = client.get("/s/letter/").content.decode()
    assert "Ivan Realname" not in listing and "Moscow" not in listing
    assert Signature.objects.get().status == "confirmed"


def test_it_replaces_the_choices_even_when_no_mail_may_go(client, statement, mailoutbox):
    sign(client, statement, email=VICTIM, display="full", city="Moscow", phone="+7 900 1112233")
    run_worker()
    # Within the double-click gap: no second mail, but the later submission still decides.
    sign(client, statement, email=VICTIM, display="initials", name="Ivan Petrov", city="Riga")
    run_worker()
    assert len(mailoutbox) == 1
    signature = Signature.objects.get()
    assert (signature.display, signature.public_name, signature.city) == (
        "initials",
        "I. P.",
        "Riga",
    )
    assert signature.submissions == 2
    contact = Contact.objects.get()
    assert contact.name == "Ivan Petrov" and contact.phone == ""  # the contacts follow too


def test_an_honest_signer_who_changes_their_mind_is_heard_once_the_gap_passed(
    client, statement, mailoutbox
):
    sign(client, statement, display="full")
    run_worker()
    Signature.objects.update(mail_sent_at=timezone.now() - timedelta(minutes=30))
    sign(client, statement, display="initials")
    run_worker()
    assert len(mailoutbox) == 2
    assert links(mailoutbox[1].body)["confirm"] == links(mailoutbox[0].body)["confirm"]
    _confirm(client, links(mailoutbox[1].body)["confirm"])
    assert Signature.objects.get().public_name == "A. P."
    assert "Anna Petrova" not in client.get("/s/letter/").content.decode()


def test_a_confirmed_signature_is_never_changed_by_a_submission(client, statement, mailoutbox):
    sign(client, statement, display="initials", city="Köln")
    run_worker()
    _confirm(client, links(mailoutbox[0].body)["confirm"])
    Signature.objects.update(mail_sent_at=timezone.now() - timedelta(minutes=30))
    sign(client, statement, display="full", city="Moscow", name="Someone Else")
    run_worker()
    signature = Signature.objects.get()
    assert (signature.display, signature.public_name, signature.city) == (
        "initials",
        "A. P.",
        "Köln",
    )
    assert signature.submissions == 1
    assert mailoutbox[1].subject == "You have already signed"
    assert set(links(mailoutbox[1].body)) == {"withdraw"}


def test_the_confirm_page_shows_what_will_be_public_and_no_contact(client, statement, mailoutbox):
    sign(
        client,
        statement,
        phone="+49 30 555 0199",
        telegram="@anna_tg",
        volunteer_where="Köln",
        show_place="on",
    )
    run_worker()
    page = client.get(path_of(links(mailoutbox[0].body)["confirm"]))
    body = page.content.decode()
    assert 'class="shown-name">Anna Petrova<' in body
    assert "Köln, Germany" in body
    for contact in ("anna@example.org", "555 0199", "anna_tg"):
        assert contact not in body
    assert "no-store" in page["Cache-Control"]


def test_the_confirm_page_makes_it_more_private_never_less(client, statement, mailoutbox):
    sign(client, statement, email="a@example.org", display="full")
    sign(client, statement, email="b@example.org", display="hidden")
    sign(client, statement, email="c@example.org", display="full", city="Minsk", country="BY")
    run_worker()
    url = {m.to[0]: links(m.body)["confirm"] for m in mailoutbox}
    page = client.get(path_of(url["b@example.org"])).content.decode()
    assert 'value="full"' not in page  # only what is at least as private is offered

    _confirm(client, url["a@example.org"], display="initials")
    _confirm(client, url["b@example.org"], display="full")  # a forged choice: ignored
    _confirm(client, url["c@example.org"], hide_place="on")
    rows = {s.public_name: s for s in Signature.objects.filter(status="confirmed")}
    assert set(rows) == {"A. P.", "", "Anna Petrova"}
    assert rows[""].display == "hidden"
    assert (rows["Anna Petrova"].city, rows["Anna Petrova"].country) == ("", "")


def test_a_change_after_the_page_was_shown_is_shown_before_anything_is_confirmed(
    client, statement, mailoutbox
):
    """An attacker who signs again after the victim opened the page cannot slip their
    choices under the victim's button."""
    sign(client, statement, email=VICTIM, name="Ivan Realname", display="hidden")
    run_worker()
    url = links(mailoutbox[0].body)["confirm"]
    page = client.get(path_of(url)).content.decode()
    shown = SHOWN.search(page)
    assert shown is not None
    sign(
        client,
        statement,
        email=VICTIM,
        name="Ivan Realname",
        display="full",
        city="Moscow",
        show_place="on",
    )
    run_worker()
    r = client.post(path_of(url), {"shown": shown.group(1), "display": "hidden"})
    assert r.status_code == 409
    assert Signature.objects.get().status == "pending"
    body = r.content.decode()
    assert "What would be shown changed" in body and "Ivan Realname" in body and "Moscow" in body
    # Now the person sees it, and makes it private again as they confirm.
    r = client.post(
        path_of(url),
        {"shown": SHOWN.search(body).group(1), "display": "hidden", "hide_place": "on"},
    )
    assert r.status_code == 302
    signature = Signature.objects.get()
    assert (signature.status, signature.public_name, signature.city) == ("confirmed", "", "")


@pytest.fixture
def sealed(statement, tmp_path):
    call_command("keys", "new", "--out", str(tmp_path / "k"), "--name", "k")
    statement.sealing_key = SealingKey.objects.get()
    statement.save()
    return tmp_path / "k"


def test_a_sealed_contact_is_replaced_by_the_later_sealed_one(client, statement, sealed, tmp_path):
    from undersign.signatures.contacts import _unlock, unseal

    sign(client, statement, email=VICTIM, name="Attacker Choice", phone="+7 900 0000000")
    run_worker()
    sign(client, statement, email=VICTIM, name="Ivan Realname", display="initials", phone="")
    run_worker()
    contact = Contact.objects.get()
    assert contact.name == contact.email == contact.phone == ""
    # The transit box keeps only where the reminder goes, and whom it greets: the latest.
    assert _unlock(contact.transit) == {"email": VICTIM, "name": "Ivan Realname"}
    private = sealed.read_text().strip().splitlines()[-1]
    opened = unseal(private, contact.sealed)
    assert (opened.name, opened.phone, opened.email) == ("Ivan Realname", "", VICTIM)
    assert Signature.objects.get().public_name == "I. R."


@pytest.mark.browser
def test_in_a_browser_the_person_sees_what_will_be_shown_and_makes_it_private(
    new_page, transactional_db, live_server, statement, smtp, settings
):
    from playwright.sync_api import expect

    from tests.browser import assert_accessible, press

    settings.SITE_URL = live_server.url
    client_page = new_page(js=False)
    client_page.goto(f"{live_server.url}/s/letter/")
    client_page.get_by_label("Your name", exact=True).fill("Ivan Realname")
    client_page.get_by_label("Email", exact=True).fill(VICTIM)
    client_page.get_by_label(re.compile(r"^City\b")).fill("Moscow")
    client_page.get_by_label("Show my city and country next to my name").check()
    client_page.get_by_label(re.compile(r"^I agree")).check()
    press(client_page, "Sign")
    run_worker()
    page = new_page()  # (axe runs as a script in the page)
    page.goto(links(smtp.text(smtp.messages[0]))["confirm"])
    expect(page.locator(".shown-name")).to_have_text("Ivan Realname")
    expect(page.locator(".shown-place")).to_have_text("Moscow")
    assert_accessible(page, "the confirm page")
    page.get_by_label("Initials only", exact=True).check()
    page.get_by_label("Do not show my city and country").check()
    press(page, "Confirm my signature")
    expect(page.get_by_role("heading", name="Thank you — your signature counts")).to_be_visible()
    page.goto(f"{live_server.url}/s/letter/")
    expect(page.locator(".signature-list .name")).to_have_text(["I. R."])
    assert "Moscow" not in page.locator("#signatures").inner_text()
