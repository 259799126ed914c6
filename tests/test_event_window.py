"""Signing in a room: an organiser opens an event window with a room code; with the code,
many people behind one address can sign, within a bound, until the window ends."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import form_data
from undersign.organisers.models import AuditEntry
from undersign.signatures.models import Signature
from undersign.statements.models import Statement


@pytest.fixture
def organiser(editor) -> Client:
    """An editor of the statement's team: editors open and close event windows."""
    signed_in = Client()
    signed_in.force_login(editor)
    return signed_in


@pytest.fixture
def strict(settings):
    settings.SIGNING_BURST_LIMIT = (3, 60)
    settings.SIGNING_SUSTAINED_LIMIT = (3, 3600)
    settings.SIGNING_EVENT_LIMITS = [(8, 60), (20, 3600)]
    return settings


def _open(organiser, hours: int = 3) -> Statement:
    r = organiser.post("/workspace/s/letter/event", {"open": "1", "hours": str(hours)})
    assert r.status_code == 302
    return Statement.objects.get(slug="letter")


def _sign(client, n: int, room: str = ""):
    data = form_data(email=f"hall{n}@example.org", room=room)
    return client.post("/s/letter/sign", data).status_code


def test_it_opens_a_window_with_a_room_code_and_a_link(organiser, client, statement):
    edit = organiser.get("/workspace/s/letter/").content.decode()
    assert 'href="/workspace/s/letter/event"' in edit
    statement = _open(organiser)
    assert len(statement.event_code) == 8 and statement.event_is_open
    assert (
        timedelta(hours=2, minutes=59)
        < statement.event_until - timezone.now()
        <= timedelta(hours=3)
    )
    page = organiser.get("/workspace/s/letter/event").content.decode()
    assert statement.event_code in page and f"/s/letter/?room={statement.event_code}" in page
    entry = AuditEntry.objects.get(action="statement.event_open")
    assert entry.data["hours"] == 3 and statement.event_code not in str(entry.data)
    # The room's link fills the code in; the form asks for it only while the window is open.
    public = client.get(f"/s/letter/?room={statement.event_code}").content.decode()
    assert f'name="room" id="id_room" value="{statement.event_code}"' in public


def test_with_the_code_a_hall_signs_past_the_limit_and_still_meets_a_bound(
    organiser, client, statement, strict
):
    code = _open(organiser).event_code
    assert [_sign(client, n) for n in range(4)] == [302, 302, 302, 429]
    # The code as people type it: lower case, with a space.
    typed = f"{code[:4].lower()} {code[4:]}"
    statuses = [_sign(client, 10 + n, room=typed) for n in range(9)]
    assert statuses == [302] * 8 + [429]  # a leaked code still cannot flood
    assert Signature.objects.count() == 3 + 8


def test_a_wrong_code_lifts_nothing(organiser, client, statement, strict):
    _open(organiser)
    assert [_sign(client, n, room="WRONGCODE") for n in range(4)] == [302, 302, 302, 429]


def test_an_ended_window_lifts_nothing_and_asks_for_no_code(organiser, client, statement, strict):
    code = _open(organiser).event_code
    Statement.objects.filter(slug="letter").update(event_until=timezone.now())
    assert [_sign(client, n, room=code) for n in range(4)] == [302, 302, 302, 429]
    assert 'name="room"' not in client.get(f"/s/letter/?room={code}").content.decode()


def test_closing_the_window_ends_the_code_and_is_audited(organiser, client, statement, strict):
    code = _open(organiser).event_code
    r = organiser.post("/workspace/s/letter/event", {"close": "1"})
    assert r.status_code == 302
    statement = Statement.objects.get(slug="letter")
    assert not statement.event_is_open and statement.event_code == ""
    assert AuditEntry.objects.filter(action="statement.event_close").exists()
    assert [_sign(client, n, room=code) for n in range(4)] == [302, 302, 302, 429]


def test_the_window_has_an_end_and_needs_the_right_to_publish(
    organiser, client, statement, moderator
):
    r = organiser.post("/workspace/s/letter/event", {"open": "1", "hours": "100"})
    assert r.status_code == 400 and not Statement.objects.get(slug="letter").event_is_open
    client.force_login(moderator)  # in the team, but without the right to publish
    r = client.post("/workspace/s/letter/event", {"open": "1", "hours": "2"})
    assert r.status_code == 404
    assert not Statement.objects.get(slug="letter").event_is_open
