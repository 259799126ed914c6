"""Markdown in and out: real letters as people write them, and export then import changes
nothing."""

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from undersign.statements.links import third_party_links
from undersign.statements.markdown import Document, parse, render
from undersign.statements.models import Statement
from undersign.statements.services import export_markdown, import_markdown

DATA = Path(__file__).parent / "data"


def read(name: str) -> Document:
    return parse((DATA / name).read_text(encoding="utf-8"))


def test_a_russian_letter_without_front_matter_keeps_its_numbers_after_a_blank_line():
    doc = read("ru_open_letter.md")
    assert doc.title == "Открытое письмо о политических заключённых"  # emphasis removed
    assert doc.preamble.startswith("Мы, эмигранты")
    assert doc.preamble.endswith("осуждённые за слова.")
    assert list(doc.clauses) == list(range(1, 10))
    assert doc.clauses[9] == "Создать международную комиссию по расследованию пыток."
    assert doc.sources == ["https://example.org/ru/letter"]
    assert doc.first_published == date(2024, 11, 7)  # "7 ноября 2024 г."
    assert doc.postscript.startswith("P.S. Если вы в опасности")


def test_a_russian_resolution_with_front_matter_keeps_multi_paragraph_clauses():
    doc = read("ru_resolution_front_matter.md")
    assert (doc.language, doc.authors) == ("ru", "Рабочая группа форума «Вместе»")
    assert (doc.first_published, doc.published) == (date(2024, 11, 7), date(2024, 11, 20))
    assert (
        doc.clauses[1]
        == "Создать координационный совет в каждом городе,\nгде есть не менее десяти участников."
    )
    assert (
        doc.clauses[2]
        == "Раз в месяц публиковать отчёт о работе.\n\nОтчёт подписывают два члена совета."
    )
    assert doc.postscript == "Резолюция основана на открытом письме от 7 ноября."  # after ---


def test_a_ukrainian_appeal_with_a_setext_title_and_a_list_split_in_two():
    doc = read("uk_zvernennia.md")
    assert doc.title == "Звернення до Верховної Ради"
    assert doc.authors == "Ініціативна група «Голос»"
    assert list(doc.clauses) == [1, 2, 3]
    # A paragraph between the two parts of the list stays with the clause before it.
    assert doc.clauses[2].endswith("ми додали ще одну вимогу:")
    assert doc.sources == ["https://example.org/uk/zvernennia"]
    assert doc.first_published == date(2025, 3, 12)  # "12 березня 2025"
    assert doc.postscript == "P.S. Підписи збираємо до кінця квітня."


def test_a_german_letter_numbered_one_one_one_counts_on():
    doc = read("de_offener_brief.md")
    assert doc.title == "Offener Brief an den Bundestag"
    assert doc.authors == "Initiative Freiheit, Verein Brücke e. V."
    assert list(doc.clauses) == [1, 2, 3]
    assert doc.preamble.startswith("An die Abgeordneten")
    assert doc.first_published == date(2024, 11, 7)  # "7. November 2024"
    assert doc.sources == ["https://example.org/de/brief"]
    assert doc.postscript == "Mit freundlichen Grüßen, die Unterzeichnenden."


def test_an_english_letter_with_sources_dates_and_two_postscripts():
    doc = read("en_letter_split_list.md")
    assert doc.title == "An open letter to the governments of Europe"
    assert list(doc.clauses) == [1, 2, 3, 4, 5]
    assert doc.first_published == date(2024, 11, 7)
    assert doc.sources == [
        "https://example.org/en/letter",
        "https://example.org/en/letter-mirror",
    ]
    assert doc.postscript.startswith("P.S. Sign with initials")
    assert doc.postscript.endswith("German follow.")


def test_raw_html_in_a_pasted_letter_is_sanitised_and_a_sentence_with_a_date_stays_text():
    doc = read("en_pasted_with_html.md")
    assert doc.title == "Appeal for the release of journalists"
    everything = render(doc)
    assert "<script" not in everything and "alert" not in everything
    assert "tracker.example" not in everything and "onerror" not in everything
    assert doc.clauses[3] == "Protect journalists in exile from <i>transnational</i> repression."
    assert doc.first_published is None
    assert doc.postscript == "We will hand over the signatures on November 20, 2024."


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.md")))
def test_every_sample_survives_export_and_import(name):
    doc = read(name)
    assert parse(render(doc)) == doc


words = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщьыэюяієїґäöüß"),
    min_size=1,
    max_size=8,
)
line = st.lists(words, min_size=1, max_size=8).map(" ".join)
paragraph = st.lists(line, min_size=1, max_size=3).map("\n".join)
text = st.lists(paragraph, min_size=1, max_size=3).map("\n\n".join)
documents = st.builds(
    Document,
    title=line,
    language=st.sampled_from(["ru", "uk", "en", "de", "be"]),
    preamble=st.one_of(st.just(""), text),
    clauses=st.lists(text, min_size=1, max_size=6).flatmap(
        lambda texts: st.lists(
            st.integers(1, 40), min_size=len(texts), max_size=len(texts), unique=True
        ).map(lambda numbers: dict(zip(sorted(numbers), texts, strict=True)))
    ),
    postscript=st.one_of(st.just(""), text),
    authors=st.one_of(st.just(""), line),
    addressee=st.one_of(st.just(""), line),
    first_published=st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2100, 1, 1))),
    published=st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2100, 1, 1))),
    sources=st.lists(words.map(lambda w: f"https://example.org/{w}"), max_size=3),
)


@hypothesis_settings(max_examples=200, deadline=None)
@given(documents)
def test_export_then_import_is_the_identity(doc):
    assert parse(render(doc)) == doc


def test_import_and_export_through_the_database_give_the_same_statement(db):
    source = (DATA / "ru_resolution_front_matter.md").read_text(encoding="utf-8")
    first = import_markdown(source, slug="resolution")
    exported = export_markdown(first)
    second = import_markdown(exported, slug="resolution-copy")
    assert export_markdown(second) == exported
    assert second.language == "ru"
    assert [(c.number, c.text) for c in second.clauses.all()] == [
        (c.number, c.text) for c in first.clauses.all()
    ]


def test_the_import_command_prints_the_slug_and_url_and_publishes(db, settings):
    settings.SITE_URL = "https://letters.example"
    out = io.StringIO()
    call_command("import", str(DATA / "en_letter_split_list.md"), "--publish", stdout=out)
    slug, url = out.getvalue().split()
    assert slug == "an-open-letter-to-the-governments-of-europe"
    assert url == f"https://letters.example/s/{slug}/"
    statement = Statement.objects.get(slug=slug)
    assert statement.is_open and statement.current_revision is not None


def test_importing_another_language_at_a_slug_adds_a_translation_and_exports_it(db):
    call_command(
        "import", str(DATA / "de_offener_brief.md"), "--slug", "brief", stdout=io.StringIO()
    )
    english = render(
        Document(
            title="Open letter to the Bundestag",
            preamble="To the members of the Bundestag,",
            clauses={1: "Ease visas.", 2: "No deportations.", 3: "Support exiled media."},
        )
    )
    import_markdown(english, slug="brief", language="en")
    out = io.StringIO()
    call_command("export-text", "brief", "--lang", "en", stdout=out)
    doc = parse(out.getvalue())
    assert (doc.language, doc.title, doc.clauses[3]) == (
        "en",
        "Open letter to the Bundestag",
        "Support exiled media.",
    )
    assert doc.authors == "Initiative Freiheit, Verein Brücke e. V."  # metadata is shared


def test_a_cyrillic_title_gives_a_readable_latin_address(db):
    statement = import_markdown((DATA / "ru_open_letter.md").read_text(encoding="utf-8"))
    assert statement.slug == "otkrytoe-pismo-o-politicheskih-zaklyuchennyh"
    assert statement.language == "en"  # no --lang and no front matter: the site default


def test_a_republished_letters_byline_gives_authors_and_both_dates():
    doc = read("en_republished_byline.md")
    assert doc.authors == "Russian Socialists for a world without annexations"
    assert doc.published == date(2025, 1, 23)  # "Thursday 23 January 2025"
    assert doc.first_published == date(2024, 11, 7)  # "(Date first published: 7 November 2024)"
    assert "Thursday" not in doc.preamble and "annexations" not in doc.preamble
    assert doc.preamble == "We, socialists from Russia, address the left movements of Europe."
    assert "](#)" not in render(doc)  # a link to "#" is plain text
    # The "P.S." whose only line was the source is gone; the source is a source.
    assert doc.postscript == ""
    assert doc.sources == ["https://example.org/russian-socialists/letter"]


def test_the_russian_byline_and_an_empty_ps_heading():
    doc = read("ru_republished_byline.md")
    assert doc.authors == "Российские социалисты за мир без аннексий"
    assert (doc.published, doc.first_published) == (date(2025, 1, 23), date(2024, 11, 7))
    assert doc.postscript == ""  # "## P.S." above "Источник: …" only
    assert doc.sources == ["https://example.org/ru/letter"]


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        (
            "Donnerstag, 23. Januar 2025, von [Russische Sozialisten](#) "
            "(Erstveröffentlichung: 7. November 2024).",
            "Russische Sozialisten",
        ),
        (
            "четвер, 23 січня 2025, автор: Російські соціалісти "
            "(вперше опубліковано 7 листопада 2024)",
            "Російські соціалісти",
        ),
        (
            "23 января 2025, авторы: Анна и Борис (Дата первой публикации: 7 ноября 2024)",
            "Анна и Борис",
        ),
    ],
    ids=["de", "uk", "ru-date-label"],
)
def test_bylines_in_german_and_ukrainian_too(line, authors):
    doc = parse(f"# Brief\n\n{line}\n\nText.\n\n1. One.\n")
    assert (doc.authors, doc.published, doc.first_published) == (
        authors,
        date(2025, 1, 23),
        date(2024, 11, 7),
    )
    assert doc.preamble == "Text."


def test_a_sentence_that_looks_like_a_byline_stays_text():
    text = "# Letter\n\nOn 23 January 2025, by the river, we met.\n\n1. One.\n"
    doc = parse(text)
    assert doc.preamble == "On 23 January 2025, by the river, we met."
    assert (doc.authors, doc.published) == ("", None)


def test_front_matter_wins_over_a_byline():
    doc = parse(
        "---\nauthors: The forum\n---\n# Letter\n\n23 January 2025, by Someone else\n\n1. One.\n"
    )
    assert doc.authors == "The forum" and doc.published == date(2025, 1, 23)


def test_a_ps_with_words_stays():
    doc = parse("# Letter\n\n1. One.\n\nP.S.\n\nSign with initials.\n\nSource: <https://e.org/x>\n")
    assert doc.postscript == "P.S.\n\nSign with initials."


def test_links_to_other_sites_forms_and_trackers_are_found():
    text = (DATA / "en_letter_split_list.md").read_text(encoding="utf-8") + (
        "\n\nAlso sign at https://forms.gle/AbC123 or "
        "[the form](https://docs.google.com/forms/d/e/1FAIpQL/viewform).\n\n"
        "Read [more](https://example.org/news?utm_source=letter).\n"
    )
    assert third_party_links(text) == [
        "https://forms.gle/AbC123",
        "https://docs.google.com/forms/d/e/1FAIpQL/viewform",
        "https://example.org/news?utm_source=letter",
    ]
    assert third_party_links((DATA / "en_letter_split_list.md").read_text(encoding="utf-8")) == []


def test_the_import_command_warns_of_a_third_party_form(tmp_path):
    letter = tmp_path / "letter.md"
    letter.write_text(
        "# Letter\n\nSign at [our form](https://forms.gle/AbC123) too.\n\n1. One.\n",
        encoding="utf-8",
    )
    undersign = str(Path(sys.executable).parent / "undersign")
    env = {**os.environ, "UNDERSIGN_DATA": str(tmp_path / "data")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    subprocess.run([undersign, "migrate", "-v0"], env=env, check=True, timeout=180)
    done = subprocess.run(
        [undersign, "import", str(letter)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("letter ")
    assert "https://forms.gle/AbC123" in done.stderr and "warning" in done.stderr


def test_the_workspace_warns_of_a_third_party_form_after_an_import(client, editor):
    client.force_login(editor)
    text = "# Letter\n\nSign at https://docs.google.com/forms/d/e/1/viewform too.\n\n1. One.\n"
    r = client.post("/workspace/new/", {"markdown": text}, follow=True)
    assert r.status_code == 200
    page = r.content.decode()
    assert "https://docs.google.com/forms/d/e/1/viewform" in page
    assert "form or tracker on another site" in page


def test_a_long_title_is_cut_at_a_word_for_the_address(db):
    title = (
        "Open letter of the Russian socialists for a world without annexations and "
        "occupations to the left movements of Europe"
    )
    statement = import_markdown(f"# {title}\n\n1. One.\n")
    assert statement.slug == "open-letter-of-the-russian-socialists-for-a-world-without"
    assert len(statement.slug) <= 60
