"""Revisions: every signature names the wording it signed; earlier wordings and the changes
between them stay readable, with the signatures each gathered."""

from tests.conftest import sign
from undersign.signatures.models import Signature
from undersign.signatures.services import confirm_signature
from undersign.statements.services import edit_statement


def _change(statement, first_clause: str) -> None:
    edit_statement(
        statement,
        title=statement.title,
        preamble=statement.preamble,
        postscript=statement.postscript,
        clauses={1: first_clause, 2: "Give them visas.", 3: "Stop extraditions."},
    )


def test_a_signature_keeps_pointing_at_the_revision_it_signed(client, statement):
    sign(client, statement, email="early@example.org")
    early = Signature.objects.get()
    first = early.revision
    _change(statement, "Release them all, now.")
    statement.refresh_from_db()
    assert statement.current_revision.number == 2
    early.refresh_from_db()
    assert early.revision == first
    assert first.text["clauses"][0]["text"] == "Release them."
    sign(client, statement, email="late@example.org")
    late = Signature.objects.exclude(pk=early.pk).get()
    assert late.revision.number == 2


def test_an_earlier_revision_and_the_difference_are_public(client, statement):
    sign(client, statement, email="early@example.org")
    confirm_signature(Signature.objects.get())
    _change(statement, "Release them all, now.")

    old = client.get("/s/letter/r/1/").content.decode()
    assert "Release them." in old and "an earlier text" in old
    page = client.get("/s/letter/").content.decode()
    assert "Version 1" in page and "Version 2" in page
    assert "1 signature" in page  # what version 1 gathered

    diff = client.get("/s/letter/diff?from=1&to=2").content.decode()
    assert '<del><span class="visually-hidden">Removed: </span>1. Release them.</del>' in diff
    assert (
        '<ins><span class="visually-hidden">Added: </span>1. Release them all, now.</ins>' in diff
    )
    assert client.get("/s/letter/diff?from=1&to=9").status_code == 404
    assert client.get("/s/letter/r/9/").status_code == 404


def test_an_unchanged_save_makes_no_new_revision(statement):
    _change(statement, "Release them.")
    statement.refresh_from_db()
    assert statement.current_revision.number == 1
