"""A statement in several languages: the reader's language when there is a translation,
else the original with a notice; translations made before a change show as out of date; a
partial translation gives the original's wording, marked, for what it lacks."""

import pytest

from undersign.statements.services import edit_statement, publish_changes, set_translation


@pytest.fixture
def translated(statement):
    set_translation(
        statement,
        language="de",
        title="Offener Brief zu politischen Gefangenen",
        preamble="Wir, die Unterzeichnenden, fordern drei Dinge.",
        postscript="P.S. Unterschreiben Sie mit Initialen, wenn Sie gefährdet sind.",
        clauses={1: "Freilassen.", 2: "Visa geben.", 3: "Auslieferungen stoppen."},
    )
    publish_changes(statement)
    return statement


def test_it_shows_the_translation_asked_for(client, translated):
    page = client.get("/s/letter/?lang=de").content.decode()
    assert "Offener Brief zu politischen Gefangenen" in page
    assert 'lang="de"' in page and 'id="clause-2"' in page and "Visa geben." in page
    assert 'href="?lang=en"' in page  # the other languages are linked


def test_it_follows_the_interface_language(client, translated):
    client.cookies["django_language"] = "de"
    page = client.get("/s/letter/").content.decode()
    assert "Offener Brief zu politischen Gefangenen" in page


def test_without_a_translation_it_shows_the_original_with_a_notice(client, translated):
    page = client.get("/s/letter/?lang=uk").content.decode()
    assert "Open letter on political prisoners" in page
    # ?lang=uk speaks Ukrainian around the text too, and marks the language's name as such.
    assert 'мовою «<span lang="uk">Українська</span>» поки немає' in page
    assert 'href="?lang=de"' in page


def test_a_translation_made_before_the_original_changed_is_out_of_date(client, translated):
    assert "Veraltet" not in client.get("/s/letter/?lang=de").content.decode()
    edit_statement(
        translated,
        title=translated.title,
        preamble=translated.preamble,
        postscript=translated.postscript,
        clauses={1: "Release them now.", 2: "Give them visas.", 3: "Stop extraditions."},
    )
    publish_changes(translated)
    page = client.get("/s/letter/?lang=de").content.decode()
    assert "Veraltet" in page
    # The reworded clause comes in its new original wording; the others stay translated.
    assert "Freilassen." not in page and "Release them now." in page and "Visa geben." in page
    set_translation(
        translated,
        language="de",
        title="Offener Brief",
        clauses={1: "Sofort freilassen.", 2: "Visa geben.", 3: "Auslieferungen stoppen."},
    )
    publish_changes(translated)
    page = client.get("/s/letter/?lang=de").content.decode()
    assert "Veraltet" not in page and "Sofort freilassen." in page


def test_a_translation_takes_only_the_originals_clause_numbers(translated):
    from undersign.statements.services import StatementError

    with pytest.raises(StatementError, match="no clause 4"):
        set_translation(translated, language="uk", title="Лист", clauses={4: "Чотири."})


def test_a_clause_added_to_the_original_shows_in_the_original_in_older_translations(
    client, translated
):
    edit_statement(
        translated,
        title=translated.title,
        preamble=translated.preamble,
        postscript=translated.postscript,
        clauses={
            1: "Release them.",
            2: "Give them visas.",
            3: "Stop extraditions.",
            4: "Publish the names of the judges.",
        },
    )
    publish_changes(translated)
    page = client.get("/s/letter/?lang=de").content.decode()
    assert 'id="clause-4"' in page
    assert '<div lang="en"><p>Publish the names of the judges.</p>' in page
    assert "Noch nicht übersetzt – Originaltext:" in page  # said in German
    assert "Visa geben." in page


def test_the_api_takes_lang_and_gives_languages_revision_and_metadata(client, translated):
    body = client.get("/api/v1/statements/letter?lang=de").json()
    assert body["title"] == "Offener Brief zu politischen Gefangenen"
    assert body["clauses"][1] == {"number": 2, "text": "Visa geben."}
    assert body["language"] == "de"
    assert body["languages"] == ["en", "de"]
    assert len(body["revision"]) == 64
    assert translated.revisions.get(content_hash=body["revision"]).text["translations"]["de"]
    for key in ("first_published", "published", "sources", "goal", "deadline"):
        assert key in body
    assert client.get("/api/v1/statements/letter?lang=uk").json()["language"] == "en"


def test_statement_text_is_rendered_from_markdown_and_never_trusts_html(client, statement):
    edit_statement(
        statement,
        title=statement.title,
        preamble='We *ask*. <script>alert(1)</script><a href="javascript:alert(1)">x</a>',
        postscript="",
        clauses={1: "Release them.", 2: "Visas.", 3: "Stop."},
    )
    publish_changes(statement)
    page = client.get("/s/letter/").content.decode()
    assert "<em>ask</em>" in page
    assert "alert(1)" not in page and "javascript:" not in page
