"""Participants in the room: signing in with a code alone, revocation, the guessing limits,
the ballot per text in the participant's language, changing positions until voting closes."""

import re

import pytest
from django.test import Client

from tests.assemblies import clause_ids, codes_for, make_assembly, participant
from undersign.assemblies import services
from undersign.assemblies.models import Ballot, ClausePosition, Participant, TextPosition


@pytest.fixture
def assembly(team, owner):
    return make_assembly(team, actor=owner)


def test_it_signs_in_with_the_code_alone_typed_any_way(assembly):
    code = codes_for(assembly, 1)[0]
    typed = code.replace("-", " ").lower().replace("0", "o")
    client = Client()
    response = client.post("/a/cologne/in", {"code": typed})
    assert response.status_code == 302 and response["Location"] == "/a/cologne/"
    page = client.get("/a/cologne/")
    assert page.status_code == 200
    assert "Draft A: on political prisoners" in page.content.decode()
    # The cookie holds the code, signed; the database session holds nothing.
    assert "sessionid" not in client.cookies
    assert client.cookies["room"]["path"] == "/a/cologne/"
    assert client.cookies["room"]["httponly"]


def test_it_keeps_strangers_at_the_door(assembly):
    codes_for(assembly, 2)
    client = Client()
    assert client.get("/a/cologne/")["Location"] == "/a/cologne/in"
    response = client.post("/a/cologne/in", {"code": "ABCD-EFGH-JKMN-PQRS"})
    assert response.status_code == 400
    assert "does not open this assembly" in response.content.decode()
    response = client.post("/a/cologne/in", {"code": "12345"})
    assert response.status_code == 400
    assert "16 letters and digits" in response.content.decode()
    # A forged cookie is no way in either.
    client.cookies["room"] = "ABCD-EFGH-JKMN-PQRS"
    assert client.get("/a/cologne/").status_code == 302


def test_it_signs_in_from_the_cards_link_only_with_a_button(assembly):
    code = codes_for(assembly, 1)[0]
    client = Client()
    page = client.get(f"/a/cologne/in/{code}")
    assert page.status_code == 200
    html = page.content.decode()
    assert code in html and 'method="post"' in html
    assert "room" not in client.cookies  # opening the link signs nobody in
    response = client.post("/a/cologne/in", {"code": code})
    assert response.status_code == 302
    assert client.get("/a/cologne/").status_code == 200


def test_it_signs_out_a_revoked_code_at_once(assembly, owner):
    code = codes_for(assembly, 1)[0]
    client = participant(assembly, code)
    services.revoke_participant(Participant.objects.get(assembly=assembly), actor=owner)
    response = client.get("/a/cologne/")
    assert response.status_code == 302 and response["Location"] == "/a/cologne/in"
    response = client.post("/a/cologne/in", {"code": code})
    assert response.status_code == 400


def test_it_stops_guessing_after_a_few_wrong_codes(assembly, settings):
    code = codes_for(assembly, 1)[0]
    client = Client()
    from undersign.room import door

    for _ in range(door.FAILURES[0]):
        assert client.post("/a/cologne/in", {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"}).status_code == 400
    refused = client.post("/a/cologne/in", {"code": code})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # Another address is not held up by this one.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/a/cologne/in", {"code": code}).status_code == 302


def test_many_people_behind_one_address_sign_in(assembly):
    for code in codes_for(assembly, 60):
        assert Client().post("/a/cologne/in", {"code": code}).status_code == 302


def _ballot_form(client, path):
    html = client.get(path).content.decode()
    return html


def test_it_shows_the_ballot_in_the_participants_language(assembly):
    client = participant(assembly, codes_for(assembly, 1)[0])
    client.cookies["django_language"] = "ru"
    html = client.get("/a/cologne/t/draft-a/").content.decode()
    assert "Проект А: о политзаключённых" in html
    assert "Освободить всех." in html
    for value in ["support", "oppose", "abstain", "agree", "disagree", "pass"]:
        assert f'value="{value}"' in html
    ids = clause_ids(assembly, "draft-a")
    for pk in ids:
        assert f'name="clause-{pk}"' in html


def test_it_records_and_changes_positions_until_voting_closes(assembly, owner):
    client = participant(assembly, codes_for(assembly, 1)[0])
    first, second, third = clause_ids(assembly, "draft-a")
    response = client.post(
        "/a/cologne/t/draft-a/",
        {"position": "support", f"clause-{first}": "agree", f"clause-{second}": "disagree"},
    )
    assert response.status_code == 302 and "saved=1" in response["Location"]
    assert TextPosition.objects.get().value == "support"
    assert dict(ClausePosition.objects.values_list("clause_id", "value")) == {
        first: "agree",
        second: "disagree",
    }
    page = client.get(response["Location"]).content.decode()
    assert "Your positions are saved" in page
    assert re.search(
        rf'value="disagree"[^>]*name="clause-{second}"[^>]*checked', page
    ) or re.search(rf'name="clause-{second}" value="disagree"[^>]*checked', page)

    client.post(
        "/a/cologne/t/draft-a/",
        {"position": "oppose", f"clause-{second}": "agree", f"clause-{third}": "pass"},
    )
    assert Ballot.objects.count() == 1
    assert TextPosition.objects.get().value == "oppose"
    assert dict(ClausePosition.objects.values_list("clause_id", "value")) == {
        first: "agree",
        second: "agree",
        third: "pass",
    }

    services.close_voting(assembly, actor=owner)
    response = client.post("/a/cologne/t/draft-a/", {"position": "support"})
    assert response.status_code == 400
    assert "Voting is not open" in response.content.decode()
    assert TextPosition.objects.get().value == "oppose"


def test_it_refuses_values_and_clauses_not_on_the_ballot(assembly):
    client = participant(assembly, codes_for(assembly, 1)[0])
    other_text_clause = clause_ids(assembly, "draft-b")[0]
    response = client.post(
        "/a/cologne/t/draft-a/", {"position": "maybe", f"clause-{other_text_clause}": "agree"}
    )
    assert response.status_code == 400
    assert not TextPosition.objects.exists() and not ClausePosition.objects.exists()


def test_nothing_is_recorded_before_voting_opens(team, owner):
    assembly = make_assembly(team, opened=False, actor=owner)
    client = participant(assembly, codes_for(assembly, 1)[0])
    html = client.get("/a/cologne/t/draft-a/").content.decode()
    assert "Voting has not opened yet" in html
    response = client.post("/a/cologne/t/draft-a/", {"position": "support"})
    assert response.status_code == 400
    assert not Ballot.objects.exists()


def test_named_mode_is_announced_at_the_door(team, owner):
    assembly = make_assembly(team, secret=False, opened=False, actor=owner)
    html = Client().get(f"/a/{assembly.slug}/in").content.decode()
    assert "Positions in this assembly are named" in html
