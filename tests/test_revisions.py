"""Revisions and clause identity: a clause stays the same clause whatever happens to its
wording or its neighbours; saving changes only the working copy, and publishing the changes
makes the next revision in one step; every signature names the wording it signed; earlier
wordings and the changes between them stay readable."""

import re

import pytest
from django.test import Client

from tests.conftest import sign
from undersign.organisers.models import AuditEntry
from undersign.signatures.models import Signature
from undersign.signatures.services import confirm_signature
from undersign.statements.models import Clause, Revision
from undersign.statements.services import (
    StatementError,
    close_statement,
    content_hash,
    create_statement,
    delete_statement,
    discard_changes,
    edit_statement,
    has_unpublished_changes,
    move_clause,
    publish_changes,
    publish_statement,
    reopen_statement,
    revise_statement,
    set_translation,
)
from undersign.statements.texts import text_in, text_of_revision

NINE = [
    "Release every political prisoner.",
    "Give them humanitarian visas.",
    "Stop extraditions to their country.",
    "Open the archives of the trials.",
    "Let observers visit the prisons.",
    "End the laws against foreign agents.",
    "Return the confiscated property.",
    "Compensate the families.",
    "Report every year on progress.",
]


def _change(statement, first_clause: str) -> None:
    edit_statement(
        statement,
        title=statement.title,
        preamble=statement.preamble,
        postscript=statement.postscript,
        clauses={1: first_clause, 2: "Give them visas.", 3: "Stop extraditions."},
    )


def _revise(statement, clauses) -> None:
    revise_statement(
        statement,
        title=statement.title,
        preamble=statement.preamble,
        postscript=statement.postscript,
        clauses=clauses,
    )


def ids(statement) -> list[tuple[int, int, str]]:
    return list(statement.clauses.values_list("pk", "number", "text"))


# Identity ------------------------------------------------------------------------------------


def test_a_clause_keeps_its_id_when_its_neighbour_is_reworded(statement):
    before = ids(statement)
    (one, _n1, _t1), (two, _n2, _t2), (three, _n3, _t3) = before
    _revise(statement, [(one, "Release them."), (two, "Give them visas now."), (three, "Stop.")])
    assert ids(statement) == [
        (one, 1, "Release them."),
        (two, 2, "Give them visas now."),
        (three, 3, "Stop."),
    ]


def test_an_inserted_clause_renumbers_the_others_without_changing_who_they_are(statement):
    set_translation(statement, language="de", title="Brief", clauses={1: "Eins.", 2: "Zwei."})
    (one, _n, _t), (two, _n2, _t2), (three, _n3, _t3) = ids(statement)
    _revise(
        statement,
        [(None, "First, a new clause."), (one, "Release them."), (two, "V."), (three, "S.")],
    )
    after = ids(statement)
    assert [(pk, n) for pk, n, _t in after[1:]] == [(one, 2), (two, 3), (three, 4)]
    assert after[0][0] not in (one, two, three) and after[0][1] == 1
    # The translation follows its clauses, not their numbers.
    translated = statement.translations.get().clauses.order_by("clause__number")
    assert [(t.clause_id, t.clause.number, t.text) for t in translated] == [
        (one, 2, "Eins."),
        (two, 3, "Zwei."),
    ]


def test_deleting_a_clause_renumbers_the_rest_and_keeps_them(statement):
    (one, _n, _t), (_two, _n2, _t2), (three, _n3, _t3) = ids(statement)
    _revise(statement, [(one, "Release them."), (three, "Stop extraditions.")])
    assert ids(statement) == [(one, 1, "Release them."), (three, 2, "Stop extraditions.")]


def test_reordering_swaps_numbers_and_keeps_ids_and_translations(statement):
    set_translation(statement, language="de", title="Brief", clauses={3: "Drei."})
    (one, _n, _t), (two, _n2, _t2), (three, _n3, _t3) = ids(statement)
    move_clause(statement, three, -1)
    assert [(pk, n) for pk, n, _t in ids(statement)] == [(one, 1), (three, 2), (two, 3)]
    move_clause(statement, one, -1)  # already first: nothing moves
    _revise(statement, [(two, "Give them visas."), (one, "Release them."), (three, "Stop.")])
    assert [(pk, n) for pk, n, _t in ids(statement)] == [(two, 1), (one, 2), (three, 3)]
    assert statement.translations.get().clauses.get().clause_id == three
    assert "statement.reorder" in AuditEntry.objects.values_list("action", flat=True)


def test_a_markdown_reimport_keeps_identity_where_the_numbers_match(statement):
    from undersign.statements.services import import_markdown

    before = ids(statement)
    import_markdown(
        "# Open letter on political prisoners\n\n1. Release them now.\n2. Give them visas.\n",
        slug="letter",
    )
    after = ids(statement)
    assert [pk for pk, _n, _t in after] == [before[0][0], before[1][0]]
    assert after[0][2] == "Release them now."


def test_clause_ids_from_elsewhere_are_refused(statement, draft):
    foreign = draft.clauses.get().pk
    with pytest.raises(StatementError, match="changed while you were editing"):
        _revise(statement, [(foreign, "Stolen.")])
    assert len(ids(statement)) == 3 and draft.clauses.get().text == "One."


# Revisions record every clause's id, number and wording in every language --------------------


def test_a_revision_records_each_clause_with_its_id_in_every_language(statement):
    set_translation(statement, language="de", title="Brief", clauses={2: "Zwei."})
    publish_changes(statement)
    text = statement.current_revision.text
    (_one, _n, _t), (two, _n2, _t2), (_three, _n3, _t3) = ids(statement)
    assert text["clauses"][1] == {"id": two, "number": 2, "text": "Give them visas."}
    assert text["translations"]["de"]["clauses"] == [{"id": two, "number": 2, "text": "Zwei."}]
    assert statement.current_revision.titles == [
        ["en", "Open letter on political prisoners"],
        ["de", "Brief"],
    ]


def test_the_hash_covers_the_wording_not_the_ids(statement):
    first = statement.current_revision
    text = first.text
    assert all(c["id"] for c in text["clauses"])
    # The same wording without ids (as revisions before clause identity had it) hashes alike.
    without = {
        **text,
        "clauses": [{"number": c["number"], "text": c["text"]} for c in text["clauses"]],
    }
    assert content_hash(without) == first.content_hash
    assert content_hash({**text, "title": "Other"}) != first.content_hash


def test_a_revision_recorded_before_clauses_had_ids_still_reads_and_compares(client, statement):
    old = statement.current_revision
    old.text = {
        **old.text,
        "clauses": [{k: v for k, v in c.items() if k != "id"} for c in old.text["clauses"]],
    }
    old.save()
    _change(statement, "Release them all.")
    publish_changes(statement)
    assert next(c.text for c in text_of_revision(old, "en").clauses) == "Release them."
    diff = client.get("/s/letter/diff?from=1&to=2").content.decode()
    assert "Clauses 2–3: unchanged" in diff
    assert '<ins><span class="visually-hidden">Added: </span> all</ins>' in diff


# Staged revisions ------------------------------------------------------------------------------


def public_page(client, path: str) -> str:
    """The page without its per-request CSRF tokens."""
    return re.sub(r'value="[A-Za-z0-9]{64}"', "", client.get(path).content.decode())


def test_saving_a_published_statement_changes_nothing_public_until_published(client, statement):
    page = public_page(client, "/s/letter/")
    api = client.get("/api/v1/statements/letter").json()
    card = client.get("/s/letter/card.png").content
    feed = client.get("/feed.atom").content.decode()

    edit_statement(
        statement,
        title="A new title",
        preamble=statement.preamble,
        postscript=statement.postscript,
        clauses={1: "Release them all, now.", 2: "Give them visas.", 3: "Stop extraditions."},
        addressee="To the minister",
    )
    set_translation(statement, language="de", title="Offener Brief", clauses={1: "Frei."})
    statement.refresh_from_db()
    assert statement.current_revision.number == 1 and has_unpublished_changes(statement)
    assert public_page(client, "/s/letter/") == page
    assert client.get("/api/v1/statements/letter").json() == api
    assert client.get("/s/letter/card.png").content == card
    assert client.get("/feed.atom").content.decode() == feed
    # A German reader (a fresh browser: the link sets the language it keeps).
    assert Client().get("/s/letter/?lang=de").content.decode().count("Offener Brief") == 0
    sign(client, statement)
    assert Signature.objects.get().revision.number == 1

    publish_changes(statement)
    statement.refresh_from_db()
    assert statement.current_revision.number == 2 and not has_unpublished_changes(statement)
    page = client.get("/s/letter/").content.decode()
    assert "A new title" in page and "Release them all, now." in page
    assert "To the minister" in page
    assert client.get("/api/v1/statements/letter").json()["title"] == "A new title"
    assert client.get("/s/letter/card.png").content != card
    assert "Release them all, now." in client.get("/feed.atom").content.decode()
    with pytest.raises(StatementError, match="no unpublished changes"):
        publish_changes(statement)


def test_discarding_puts_the_working_copy_back_clause_ids_included(statement):
    set_translation(statement, language="de", title="Brief", clauses={1: "Eins."})
    publish_changes(statement)
    before = ids(statement)
    (one, _n, _t), (_two, _n2, _t2), (three, _n3, _t3) = before
    _revise(statement, [(three, "Stop them."), (None, "New.")])
    set_translation(statement, language="uk", title="Лист", clauses={1: "Один."})
    assert has_unpublished_changes(statement)
    discard_changes(statement)
    statement.refresh_from_db()
    assert ids(statement) == before  # the deleted clause is back as the same clause
    assert not has_unpublished_changes(statement)
    assert list(statement.translations.values_list("language", flat=True)) == ["de"]
    assert statement.translations.get().clauses.get().clause_id == one
    assert "statement.discard" in AuditEntry.objects.values_list("action", flat=True)


# Closed, reopened, deleted ------------------------------------------------------------------------


def test_a_closed_statement_is_frozen_until_reopened(statement):
    close_statement(statement)
    with pytest.raises(StatementError, match="frozen"):
        _change(statement, "Changed after closing.")
    with pytest.raises(StatementError, match="frozen"):
        set_translation(statement, language="de", title="Brief", clauses={1: "Eins."})
    with pytest.raises(StatementError, match="Reopen"):
        publish_statement(statement)
    assert Clause.objects.get(statement=statement, number=1).text == "Release them."

    reopen_statement(statement)
    statement.refresh_from_db()
    assert statement.status == "published" and statement.is_open
    assert "statement.reopen" in AuditEntry.objects.values_list("action", flat=True)
    _change(statement, "Changed after reopening.")
    publish_changes(statement)
    assert statement.current_revision.number == 2


def test_only_a_draft_never_published_can_be_deleted(statement, draft):
    with pytest.raises(StatementError):
        delete_statement(statement)
    delete_statement(draft)
    assert not type(draft).objects.filter(slug="draft").exists()
    entry = AuditEntry.objects.get(action="statement.delete")
    assert entry.data == {"slug": "draft"}


# Signatures and earlier versions ---------------------------------------------------------------


def test_a_signature_keeps_pointing_at_the_revision_it_signed(client, statement):
    sign(client, statement, email="early@example.org")
    early = Signature.objects.get()
    first = early.revision
    _change(statement, "Release them all, now.")
    publish_changes(statement)
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
    publish_changes(statement)

    old = client.get("/s/letter/r/1/").content.decode()
    assert "Release them." in old and "an earlier text" in old
    page = client.get("/s/letter/").content.decode()
    assert "Version 1" in page and "Version 2" in page
    assert "1 signature" in page  # what version 1 gathered

    diff = client.get("/s/letter/diff?from=1&to=2").content.decode()
    added = '<ins><span class="visually-hidden">Added: </span> all, now</ins>'
    assert f'<p class="diff-text">Release them{added}.</p>' in diff
    assert "Clauses 2–3: unchanged" in diff
    assert "Give them visas." not in diff  # unchanged clauses are not repeated
    assert client.get("/s/letter/diff?from=1&to=9").status_code == 404
    assert client.get("/s/letter/diff?from=x").status_code == 404
    assert client.get("/s/letter/r/9/").status_code == 404


def test_an_unchanged_save_makes_no_new_revision(statement):
    _change(statement, "Release them.")
    statement.refresh_from_db()
    assert not has_unpublished_changes(statement)
    with pytest.raises(StatementError):
        publish_changes(statement)
    assert statement.current_revision.number == 1


# The diff page ------------------------------------------------------------------------------------


@pytest.fixture
def nine(db):
    statement = create_statement(slug="nine", title="Nine demands", clauses=NINE)
    return publish_statement(statement)


def test_an_inserted_clause_shows_as_inserted_not_as_every_later_clause_changed(client, nine):
    clauses = [(pk, text) for pk, _n, text in ids(nine)]
    clauses.insert(2, (None, "Free the journalists."))
    _revise(nine, clauses)
    publish_changes(nine)
    diff = client.get("/s/nine/diff").content.decode()
    assert "Clause 3, new" in diff
    assert '<ins><span class="visually-hidden">Added: </span>Free the journalists.</ins>' in diff
    assert "Clauses 1–2: unchanged" in diff
    assert "Clause 4, was clause 3" in diff  # renumbered, same wording
    assert "<del" not in diff


def test_a_removed_clause_shows_where_it_stood(client, nine):
    clauses = [(pk, text) for pk, _n, text in ids(nine)]
    del clauses[4]
    _revise(nine, clauses)
    publish_changes(nine)
    diff = client.get("/s/nine/diff").content.decode()
    assert "Clauses 1–4: unchanged" in diff and "Clause 5, removed" in diff
    assert diff.index("Clause 5, removed") < diff.index("Clause 5, was clause 6")
    assert '<del><span class="visually-hidden">Removed: </span>Let observers' in diff


def test_the_diff_is_in_the_readers_language_and_says_when_only_the_original_changed(
    client, statement
):
    set_translation(
        statement,
        language="ru",
        title="Открытое письмо",
        clauses={1: "Освободить их.", 2: "Дать визы.", 3: "Остановить экстрадиции."},
    )
    publish_changes(statement)  # revision 2: with Russian
    set_translation(
        statement,
        language="ru",
        title="Открытое письмо",
        clauses={1: "Освободить их всех.", 2: "Дать визы.", 3: "Остановить экстрадиции."},
    )
    publish_changes(statement)  # revision 3: one Russian word added

    diff = client.get("/s/letter/diff?from=2&to=3&lang=ru").content.decode()
    assert '<div class="diff" lang="ru">' in diff
    # The interface follows the link's language too: "Added" is said in Russian.
    assert 'Освободить их<ins><span class="visually-hidden">Добавлено: </span> всех</ins>.' in diff

    # Now only the original changes: revision 4 (the Russian text stays as it was).
    _change(statement, "Release them.")  # same first clause
    edit_statement(
        statement,
        title="Open letter on political prisoners",
        preamble=statement.preamble,
        postscript="P.S. Sign with your initials.",
        clauses={1: "Release them.", 2: "Give them visas.", 3: "Stop extraditions."},
    )
    publish_changes(statement)
    client.cookies["django_language"] = "ru"
    diff = client.get("/s/letter/diff?from=3&to=4").content.decode()
    assert "?from=3&amp;to=4&amp;lang=en" in diff  # a link to the original's changes
    assert "both versions are the same" not in diff
    original = client.get("/s/letter/diff?from=3&to=4&lang=en").content.decode()
    assert '<div class="diff" lang="en">' in original and "<ins" in original


def test_a_clause_the_translation_lacks_shows_in_the_original_marked(client, statement):
    set_translation(statement, language="de", title="Offener Brief", clauses={1: "Freilassen."})
    publish_changes(statement)
    page = client.get("/s/letter/?lang=de").content.decode()
    assert "Freilassen." in page
    # Clauses 2 and 3, the preamble and the postscript.
    assert page.count("Noch nicht übersetzt – Originaltext:") == 4  # said in German
    assert '<div lang="en"><p>Give them visas.</p>' in page
    assert '<div lang="en"><p>Stop extraditions.</p>' in page
    # A clause reworded after it was translated: the reader gets the new original wording.
    _change(statement, "Release them all.")
    publish_changes(statement)
    page = client.get("/s/letter/?lang=de").content.decode()
    assert "Freilassen." not in page
    assert "Übersetzung veraltet – Originaltext:" in page
    assert '<div lang="en"><p>Release them all.</p>' in page
    assert text_in(statement, "de").fallback_clauses == 3


def test_revisions_of_other_statements_are_not_shown(client, statement, nine):
    assert Revision.objects.count() == 2
    assert client.get("/s/letter/diff?from=1&to=1").status_code == 200
    assert client.get("/s/nine/diff?from=1&to=2").status_code == 404


# Existing data --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_existing_translations_and_revisions_get_clause_ids_by_number():
    """Before clause identity, clause N of a translation translated clause N: the migration
    attaches it to that clause, and gives the clauses in revisions their ids, hashes intact."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("statements", "0001_initial")])
    old = executor.loader.project_state([("statements", "0001_initial")]).apps
    statement = old.get_model("statements", "Statement").objects.create(slug="old", title="Old")
    clause_model = old.get_model("statements", "Clause")
    for n, text in enumerate(["One.", "Two."], 1):
        clause_model.objects.create(statement=statement, number=n, text=text)
    original = {
        "language": "en",
        "title": "Old",
        "preamble": "",
        "clauses": [{"number": 1, "text": "One."}, {"number": 2, "text": "Two."}],
        "postscript": "",
    }
    translation = old.get_model("statements", "StatementTranslation").objects.create(
        statement=statement, language="de", title="Alt", original_hash=content_hash(original)
    )
    old.get_model("statements", "ClauseTranslation").objects.create(
        translation=translation, number=2, text="Zwei."
    )
    text = {
        **original,
        "translations": {
            "de": {
                "title": "Alt",
                "preamble": "",
                "postscript": "",
                "clauses": [{"number": 2, "text": "Zwei."}],
            }
        },
    }
    digest = content_hash(text)
    old.get_model("statements", "Revision").objects.create(
        statement=statement, number=1, content_hash=digest, text=text
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    two = Clause.objects.get(statement__slug="old", number=2)
    moved = two.translations.get()
    assert moved.text == "Zwei." and moved.original == "Two."  # made from today's wording
    revision = Revision.objects.get(statement__slug="old")
    assert revision.text["clauses"][1] == {"id": two.pk, "number": 2, "text": "Two."}
    assert revision.text["translations"]["de"]["clauses"] == [
        {"id": two.pk, "number": 2, "text": "Zwei."}
    ]
    assert content_hash(revision.text) == digest == revision.content_hash
    assert revision.titles == [["en", "Old"], ["de", "Alt"]]
