"""Markdown in and out: real letters as people write them, and export then import changes
nothing."""

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

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
