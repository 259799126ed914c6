"""The audit log in the workspace: a team's owners read what was done to the team, its
statements and its members, newest first, filtered by statement, person and kind, page by
page — with plain links and a GET form, so without JavaScript."""

import re

import pytest

from undersign.organisers.services import change_roles, log_action
from undersign.statements.services import create_statement, publish_statement, set_translation


@pytest.fixture
def history(cast, team, other_team, statement, draft):
    """Things done in both teams, by people and by the system."""
    set_translation(
        statement,
        language="de",
        title="Brief",
        actor=cast["editor"],
        clauses={1: "a", 2: "b", 3: "c"},
    )
    publish_statement(draft, actor=cast["editor"])
    log_action("contacts.export", obj=statement, data={"who": "cli", "filter": {"country": "DE"}})
    change_roles(team, cast["moderator"].pk, ["moderator", "contacts_viewer"], actor=cast["owner"])
    theirs = create_statement(
        slug="theirs",
        title="Their secret draft",
        clauses=["X."],
        team=other_team,
        actor=cast["other_member"],
    )
    publish_statement(theirs, actor=cast["other_member"])
    return theirs


def _rows(page: str) -> list[str]:
    return re.findall(r"<code class=\"meta\">([a-z._]+)</code>", page)


def test_an_owner_reads_her_teams_entries_newest_first_and_nothing_else(client, cast, history):
    client.force_login(cast["owner"])
    r = client.get("/workspace/audit/")
    page = r.content.decode()
    assert r.status_code == 200
    actions = _rows(page)
    assert actions[0] == "team.member.roles" and actions[1] == "contacts.export"
    assert {"statement.create", "statement.publish", "statement.translate", "team.create"} <= set(
        actions
    )
    assert "Their secret draft" not in page and "other_member" not in page
    assert "changed a member&#x27;s roles" in page and "exported contacts" in page
    assert "the system" in page  # the CLI's export has no person behind it
    assert "moderator, contacts viewer" in page  # the roles, in words
    assert "country=DE" in page


def test_entries_are_filtered_by_statement_person_and_kind(client, cast, history):
    client.force_login(cast["owner"])
    page = client.get("/workspace/audit/", {"statement": "draft"}).content.decode()
    assert set(_rows(page)) == {"statement.create", "statement.publish", "statement.revision"}
    page = client.get("/workspace/audit/", {"person": cast["editor"].pk}).content.decode()
    assert set(_rows(page)) == {"statement.translate", "statement.revision", "statement.publish"}
    page = client.get("/workspace/audit/", {"person": cast["moderator"].pk}).content.decode()
    assert _rows(page) == ["team.member.roles"]  # what was done to her
    page = client.get(
        "/workspace/audit/", {"action": "statement.publish", "statement": "letter"}
    ).content.decode()
    assert _rows(page) == ["statement.publish"]
    assert "selected>Open letter on political prisoners" in page  # the form keeps the choice


def test_a_filter_outside_ones_teams_is_refused_not_answered(client, cast, history):
    client.force_login(cast["owner"])
    for query in [
        {"statement": "theirs"},
        {"person": cast["other_member"].pk},
        {"person": "x"},
        {"action": "<script>"},
    ]:
        r = client.get("/workspace/audit/", query)
        assert r.status_code == 400, query
        assert "Select a valid choice" in r.content.decode()
        assert "Their secret draft" not in r.content.decode()
    for before in ["-1", "x", "9" * 40]:  # not one of our links: the first page
        r = client.get("/workspace/audit/", {"before": before})
        assert r.status_code == 200 and _rows(r.content.decode())[0] == "team.member.roles"


def test_older_entries_come_page_by_page_with_the_filter_kept(client, cast, team, statement):
    for n in range(120):
        log_action("statement.edit", actor=cast["editor"], obj=statement, data={"n": n})
    client.force_login(cast["owner"])
    page = client.get("/workspace/audit/", {"action": "statement.edit"}).content.decode()
    assert _rows(page) == ["statement.edit"] * 50
    assert "n:</span> 119" in page
    older = re.search(r'href="(\?[^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    assert "action=statement.edit" in older
    page = client.get("/workspace/audit/" + older).content.decode()
    assert "n:</span> 69" in page and "n:</span> 70" not in page
    older = re.search(r'href="(\?[^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    page = client.get("/workspace/audit/" + older).content.decode()
    assert _rows(page) == ["statement.edit"] * 20 and 'rel="next"' not in page


def test_the_owner_of_another_team_reads_none_of_ours(client, cast, history):
    client.force_login(cast["other_member"])
    page = client.get("/workspace/audit/").content.decode()
    assert "Their secret draft" in page
    assert "Open letter" not in page and "contacts.export" not in _rows(page)
    assert "statement.translate" not in _rows(page)


def test_an_owner_who_steps_down_no_longer_reads_the_log(client, cast, team, history):
    owner = cast["owner"]
    change_roles(team, cast["editor"].pk, ["owner", "editor"], actor=owner)
    client.force_login(owner)
    assert client.get("/workspace/audit/").status_code == 200
    change_roles(team, owner.pk, ["editor"], actor=owner)
    assert client.get("/workspace/audit/").status_code == 404
    assert "Audit log" not in client.get("/workspace/").content.decode()
