"""Moderation: a hidden name leaves the public list and API but stays counted; an invalid
signature leaves the counter too; both audited, both undone; the public page says how many
names moderators hid."""

import pytest
from django.urls import reverse

from tests.signers import confirmed, organiser
from undersign.organisers.models import AuditEntry
from undersign.signatures import moderation, services
from undersign.signatures.models import Signature
from undersign.signatures.tallies import tallies


@pytest.fixture
def staff(client, team):
    """Signed in with every role in the statement's team."""
    client.force_login(organiser())
    return client


def _public_names(client) -> str:
    return client.get("/s/letter/").content.decode()


def test_a_hidden_name_leaves_the_list_and_the_api_but_stays_counted(client, statement):
    keep = confirmed(client, statement, name="Anna Petrova")
    fake = confirmed(client, statement, name="Vladimir Putin")
    assert "Vladimir Putin" in _public_names(client)  # the first page is cached now
    assert moderation.hide_signature(fake, reason="a fake name")
    page = _public_names(client)
    assert "Vladimir Putin" not in page and "Anna Petrova" in page
    assert "1 name hidden by moderators." in page
    assert 'data-count="2"' in page
    api = client.get("/api/v1/statements/letter/signatures").json()
    assert [s["display_name"] for s in api["items"]] == ["Anna Petrova"]
    assert client.get("/api/v1/statements/letter").json()["hidden_count"] == 1
    assert services.signature_count(statement) == 2
    entry = AuditEntry.objects.get(action="signature.hide")
    assert entry.object_id == str(statement.pk)
    assert entry.data == {"signature": fake.pk, "reason": "a fake name"}

    assert moderation.unhide_signature(fake)
    page = _public_names(client)
    assert "Vladimir Putin" in page and "hidden by moderators" not in page
    assert AuditEntry.objects.filter(action="signature.unhide").count() == 1
    assert keep.pk != fake.pk


def test_hiding_needs_a_reason(client, statement):
    fake = confirmed(client, statement, name="Spam Spam")
    with pytest.raises(moderation.ModerationError):
        moderation.hide_signature(fake, reason="   ")
    fake.refresh_from_db()
    assert fake.hidden_at is None


def test_an_invalid_signature_leaves_the_counter_and_reconcile_agrees(client, statement):
    confirmed(client, statement, name="Real Person", city="Köln")
    fake = confirmed(client, statement, name="Bot 1", city="Koeln", volunteer="on")
    assert moderation.invalidate_signature(fake, reason="bot")
    assert services.signature_count(statement) == 1
    assert 'data-count="1"' in _public_names(client)
    assert services.reconcile_counts() == {}  # the counter and the tallies agree
    assert tallies(statement.pk)["city"] == {"koln": 1}
    assert "volunteer-city" not in tallies(statement.pk)
    fake.refresh_from_db()
    assert fake.status == "invalid" and fake.hidden_at is not None
    assert not moderation.invalidate_signature(fake)  # twice changes nothing

    assert moderation.validate_signature(fake)
    assert services.signature_count(statement) == 2
    assert services.reconcile_counts() == {}
    assert tallies(statement.pk)["city"] == {"koln": 2}
    actions = list(
        AuditEntry.objects.filter(action__startswith="signature.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["signature.invalidate", "signature.validate"]


def test_withdrawing_an_invalid_signature_does_not_count_it_off_twice(client, statement):
    confirmed(client, statement, email="real@example.org")
    fake = confirmed(client, statement, email="fake@example.org")
    moderation.invalidate_signature(fake)
    services.withdraw_signature(fake)
    assert services.signature_count(statement) == 1
    assert services.reconcile_counts() == {}
    fake.refresh_from_db()
    assert fake.status == "withdrawn" and fake.hidden_reason == ""


def test_a_moderator_hides_a_name_in_the_workspace(client, staff, statement):
    fake = confirmed(client, statement, name="Abusive Words")
    url = reverse("workspace:moderate", args=["letter", fake.pk])
    page = staff.get(url)
    assert page.status_code == 200 and "Abusive Words" in page.content.decode()
    refused = staff.post(url, {"action": "hide", "reason": ""})
    assert refused.status_code == 400
    assert "Say why the name is hidden" in refused.content.decode()
    done = staff.post(url, {"action": "hide", "reason": "insult", "next": "https://evil.example/"})
    assert done.status_code == 302 and done["Location"] == "/workspace/s/letter/signers/"
    fake.refresh_from_db()
    assert fake.hidden_reason == "insult"
    assert AuditEntry.objects.get(action="signature.hide").actor.username == "organiser"
    listed = staff.get("/workspace/s/letter/signers/?moderation=hidden").content.decode()
    assert "Abusive Words" in listed and "insult" in listed


def test_nobody_else_moderates(client, statement):
    fake = confirmed(client, statement, name="Abusive Words")
    client.force_login(organiser("signer", in_team=False))
    url = reverse("workspace:moderate", args=["letter", fake.pk])
    assert client.post(url, {"action": "hide", "reason": "x"}).status_code == 403
    assert Signature.objects.get(pk=fake.pk).hidden_at is None
