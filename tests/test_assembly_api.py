"""The assembly room's API: the texts with stable clause ids, and positions recorded with
the participant's code in an `Authorization: Code …` header, by the web form's rules."""

import json

import pytest
from django.test import Client

from tests.assemblies import clause_ids, codes_for, make_assembly
from undersign.assemblies import services
from undersign.assemblies.models import Ballot, ClausePosition, TextPosition
from undersign.room import door


@pytest.fixture
def assembly(team, owner):
    return make_assembly(team, actor=owner)


def _put(client, code, body, slug="cologne"):
    return client.put(
        f"/api/v1/assemblies/{slug}/positions",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Code {code}",
    )


def test_it_gives_the_texts_with_stable_clause_ids_to_a_participant(client, assembly):
    code = codes_for(assembly, 1)[0]
    assert client.get("/api/v1/assemblies/cologne").status_code == 401
    r = client.get("/api/v1/assemblies/cologne", {"lang": "ru"}, HTTP_AUTHORIZATION=f"Code {code}")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "open" and body["secret"] is True
    assert [t["slug"] for t in body["texts"]] == ["draft-a", "draft-b"]
    first = body["texts"][0]
    assert first["title"] == "Проект А: о политзаключённых"
    assert [c["id"] for c in first["clauses"]] == clause_ids(assembly, "draft-a")
    assert body["mine"] == {"texts": {}, "clauses": {}}


def test_it_records_partial_positions_and_changes_them(client, assembly):
    code = codes_for(assembly, 1)[0]
    a1, a2, _a3 = clause_ids(assembly, "draft-a")
    r = _put(client, code.lower().replace("-", ""), {"texts": {"draft-a": "support"}})
    assert r.status_code == 200
    assert r.json() == {"texts": {"draft-a": "support"}, "clauses": {}}
    r = _put(client, code, {"clauses": {str(a1): "agree", str(a2): "pass"}})
    assert r.json() == {
        "texts": {"draft-a": "support"},
        "clauses": {str(a1): "agree", str(a2): "pass"},
    }
    r = _put(client, code, {"texts": {"draft-a": "oppose"}, "clauses": {str(a2): "disagree"}})
    assert r.json()["texts"] == {"draft-a": "oppose"}
    assert ClausePosition.objects.get(clause_id=a2).value == "disagree"
    assert Ballot.objects.count() == 1 and TextPosition.objects.count() == 1
    # The web form sees the same ballot.
    web = Client()
    web.post("/a/cologne/in", {"code": code})
    assert (
        'value="oppose" id="id_position_1" checked'
        in web.get("/a/cologne/t/draft-a/").content.decode()
    )


def test_unknown_and_revoked_codes_get_401_and_wrong_positions_422(client, assembly, owner):
    code, other = codes_for(assembly, 2)
    assert _put(client, "ZZZZ-ZZZZ-ZZZZ-ZZZZ", {"texts": {"draft-a": "support"}}).status_code == 401
    assert _put(client, code, {}, slug="nowhere").status_code == 401
    r = client.put(
        "/api/v1/assemblies/cologne/positions",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {code}",
    )
    assert r.status_code == 401
    a1 = clause_ids(assembly, "draft-a")[0]
    b1 = clause_ids(assembly, "draft-b")[0]
    r = _put(
        client,
        code,
        {
            "texts": {"draft-z": "support", "draft-a": "maybe"},
            "clauses": {"x1": "agree", "999999": "agree", str(a1): "yes", str(b1): "agree"},
        },
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert set(errors) == {
        "texts.draft-z",
        "texts.draft-a",
        "clauses.x1",
        "clauses.999999",
        f"clauses.{a1}",
    }
    assert not Ballot.objects.exists()  # nothing of a refused request is kept

    participant = assembly.participants.get(number=2)
    services.revoke_participant(participant, actor=owner)
    assert _put(client, other, {"texts": {"draft-a": "support"}}).status_code == 401


def test_it_answers_409_when_voting_is_not_open(client, team, owner):
    assembly = make_assembly(team, opened=False, actor=owner)
    code = codes_for(assembly, 1)[0]
    assert _put(client, code, {"texts": {"draft-a": "support"}}).status_code == 409
    services.open_voting(assembly, actor=owner)
    assert _put(client, code, {"texts": {"draft-a": "support"}}).status_code == 200
    services.close_voting(assembly, actor=owner)
    r = _put(client, code, {"texts": {"draft-a": "oppose"}})
    assert r.status_code == 409
    assert TextPosition.objects.get().value == "support"


def test_guessing_codes_through_the_api_is_stopped_too(client, assembly):
    code = codes_for(assembly, 1)[0]
    for _ in range(door.FAILURES[0]):
        assert _put(client, "ZZZZ-ZZZZ-ZZZZ-ZZZZ", {}).status_code == 401
    assert _put(client, code, {"texts": {"draft-a": "support"}}).status_code == 429
    # The door and the API count the same failures.
    assert client.post("/a/cologne/in", {"code": code}).status_code == 429
