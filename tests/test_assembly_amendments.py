"""Amendments: a participant proposes, others support, organisers accept or reject;
accepting makes a new revision through the statements' services (hash and diff show it),
and every other clause keeps its identity, so positions on it survive."""

import pytest
from django.test import Client

from tests.assemblies import clause_ids, codes_for, make_assembly, participant
from undersign.assemblies import amendments, ballots, services
from undersign.assemblies.models import Amendment, AmendmentSupport, ClausePosition
from undersign.organisers.models import AuditEntry
from undersign.statements.models import Statement
from undersign.statements.services import create_statement, publish_statement, revise_statement


@pytest.fixture
def assembly(team, owner):
    return make_assembly(team, actor=owner)


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def test_it_proposes_supports_and_accepts_an_amendment_into_a_revision(
    assembly, editor_client, editor
):
    alice, bob = codes_for(assembly, 2)
    _first, second, _third = clause_ids(assembly, "draft-a")
    proposer = participant(assembly, alice)
    page = proposer.get(f"/a/cologne/t/draft-a/{second}/amend").content.decode()
    assert "Give them humanitarian visas." in page
    response = proposer.post(
        f"/a/cologne/t/draft-a/{second}/amend",
        {"kind": "reword", "wording": "Give them visas and work permits.", "reason": "Work."},
    )
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.status == "proposed" and amendment.language == "en"

    supporter = participant(assembly, bob)
    listing = supporter.get("/a/cologne/amendments/").content.decode()
    assert "Give them visas and work permits." in listing and "yours" not in listing
    assert "yours" in proposer.get("/a/cologne/amendments/").content.decode()
    supporter.post(f"/a/cologne/amendments/{amendment.pk}/support", {"support": "1"})
    supporter.post(f"/a/cologne/amendments/{amendment.pk}/support", {"support": "1"})
    proposer.post(f"/a/cologne/amendments/{amendment.pk}/support", {"support": "1"})
    assert AmendmentSupport.objects.count() == 1  # once; not by the proposer

    # The organisers' list never names the proposer.
    listing = editor_client.get("/workspace/assemblies/cologne/amendments/").content.decode()
    assert "Give them visas and work permits." in listing

    statement = Statement.objects.get(slug="draft-a")
    assert statement.current_revision is None
    response = editor_client.post(
        f"/workspace/assemblies/cologne/amendments/{amendment.pk}/",
        {"decision": "accept", "wording": amendment.wording},
    )
    assert response.status_code == 302
    assert response["Location"] == "/workspace/assemblies/cologne/t/draft-a/revisions"
    statement.refresh_from_db()
    # A draft gets the text as the room had it (1), then the amended one (2).
    assert statement.status == "draft" and statement.current_revision.number == 2
    revisions = list(statement.revisions.order_by("number"))
    assert revisions[0].content_hash != revisions[1].content_hash
    assert statement.clauses.get(pk=second).text == "Give them visas and work permits."
    amendment.refresh_from_db()
    assert amendment.status == "accepted" and amendment.revision == revisions[1]
    assert amendment.decided_by == editor
    entry = AuditEntry.objects.get(action="assembly.amendment_accept")
    assert entry.data["revision"] == 2

    diff = editor_client.get(response["Location"]).content.decode()
    assert "Removed: </span>humanitarian visas</del>" in diff
    assert "Added: </span>visas and work permits</ins>" in diff
    assert revisions[1].content_hash[:16] in diff


def test_clause_identity_survives_an_inserted_clause(assembly, editor_client):
    code = codes_for(assembly, 1)[0]
    first, second, third = clause_ids(assembly, "draft-a")
    client = participant(assembly, code)
    client.post(
        "/a/cologne/t/draft-a/",
        {f"clause-{first}": "agree", f"clause-{second}": "disagree", f"clause-{third}": "pass"},
    )
    amendment = ballots.propose_amendment(
        assembly,
        code,
        text=assembly.texts.get(statement__slug="draft-a"),
        clause=Statement.objects.get(slug="draft-a").clauses.get(pk=first),
        kind="insert_after",
        wording="Let their families visit them.",
        reason="Families.",
        language="en",
    )
    editor_client.post(
        f"/workspace/assemblies/cologne/amendments/{amendment.pk}/",
        {"decision": "accept", "wording": amendment.wording},
    )
    statement = Statement.objects.get(slug="draft-a")
    rows = list(statement.clauses.order_by("number").values_list("pk", "number", "text"))
    assert [r[0] for r in rows][:1] == [first]
    assert rows[1][1:] == (2, "Let their families visit them.")
    assert [(r[0], r[1]) for r in rows[2:]] == [(second, 3), (third, 4)]
    # Positions stay on their clauses, whatever their numbers now.
    assert dict(ClausePosition.objects.values_list("clause_id", "value")) == {
        first: "agree",
        second: "disagree",
        third: "pass",
    }
    html = client.get("/a/cologne/t/draft-a/").content.decode()
    new_id = rows[1][0]
    assert f'name="clause-{new_id}"' in html
    # The participant's earlier marks show on the renumbered clauses.
    assert f'name="clause-{second}" value="disagree" required' not in html
    ballot_html = html.split(f'name="clause-{second}"')
    assert any('value="disagree"' in part[:60] and "checked" in part[:120] for part in ballot_html)
    # ...and the participant can mark the new one.
    client.post("/a/cologne/t/draft-a/", {f"clause-{new_id}": "agree"})
    assert ClausePosition.objects.get(clause_id=new_id).value == "agree"


def test_a_rejected_amendment_changes_nothing(assembly, editor_client):
    code = codes_for(assembly, 1)[0]
    first = clause_ids(assembly, "draft-b")[0]
    statement = Statement.objects.get(slug="draft-b")
    amendment = ballots.propose_amendment(
        assembly,
        code,
        text=assembly.texts.get(statement=statement),
        clause=statement.clauses.get(pk=first),
        kind="reword",
        wording="End it.",
        reason="Shorter.",
        language="en",
    )
    response = editor_client.post(
        f"/workspace/assemblies/cologne/amendments/{amendment.pk}/", {"decision": "reject"}
    )
    assert response.status_code == 302
    amendment.refresh_from_db()
    assert amendment.status == "rejected"
    assert statement.revisions.count() == 0
    assert statement.clauses.get(pk=first).text == "End the war now."
    # A decided amendment is decided: no second decision, no more support.
    with pytest.raises(services.AssemblyError):
        amendments.accept_amendment(amendment)
    with pytest.raises(services.AssemblyError):
        ballots.support_amendment(assembly, codes_for(assembly, 1)[0], amendment)


def test_an_amendment_in_another_language_is_accepted_in_the_original(assembly, editor_client):
    code = codes_for(assembly, 1)[0]
    client = participant(assembly, code)
    client.cookies["django_language"] = "ru"
    second = clause_ids(assembly, "draft-a")[1]
    client.post(
        f"/a/cologne/t/draft-a/{second}/amend",
        {"kind": "reword", "wording": "Дать визы и работу.", "reason": "Работа."},
    )
    amendment = Amendment.objects.get()
    assert amendment.language == "ru"
    page = editor_client.get(f"/workspace/assemblies/cologne/amendments/{amendment.pk}/")
    assert "write the wording in the original" in page.content.decode()
    editor_client.post(
        f"/workspace/assemblies/cologne/amendments/{amendment.pk}/",
        {"decision": "accept", "wording": "Give them visas and work."},
    )
    assert Statement.objects.get(slug="draft-a").clauses.get(pk=second).text == (
        "Give them visas and work."
    )


def test_a_published_text_with_other_unpublished_changes_waits(team, owner, editor_client):
    letter = publish_statement(
        create_statement(slug="letter2", title="Letter", clauses=["One.", "Two."], team=team)
    )
    assembly = services.create_assembly(name="Room", team=team, statements=[letter], actor=owner)
    services.open_voting(assembly, actor=owner)
    code = codes_for(assembly, 1)[0]
    one = letter.clauses.get(number=1)
    amendment = ballots.propose_amendment(
        assembly,
        code,
        text=assembly.texts.get(),
        clause=one,
        kind="reword",
        wording="Uno.",
        reason="Spanish.",
        language="en",
    )
    revise_statement(
        letter,
        title="Letter",
        preamble="",
        postscript="",
        clauses=[(one.pk, "One."), (letter.clauses.get(number=2).pk, "Two, edited.")],
    )
    response = editor_client.post(
        f"/workspace/assemblies/{assembly.slug}/amendments/{amendment.pk}/",
        {"decision": "accept", "wording": "Uno."},
    )
    assert response.status_code == 400
    assert "unpublished changes" in response.content.decode()
    assert letter.revisions.count() == 1
    # Once those are published, accepting publishes the amended text as the next revision.
    from undersign.statements.services import publish_changes

    publish_changes(letter)
    editor_client.post(
        f"/workspace/assemblies/{assembly.slug}/amendments/{amendment.pk}/",
        {"decision": "accept", "wording": "Uno."},
    )
    letter.refresh_from_db()
    assert letter.current_revision.number == 3
    assert Client().get("/s/letter2/").content.decode().count("Uno.") >= 1
