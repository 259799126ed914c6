"""Every page in the reader's language; the catalogues complete and compiled."""

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest
from django.conf import settings

import undersign
from undersign.signatures.models import Signature, SignatureCount
from undersign.signatures.text import link_token
from undersign.statements.models import Revision, Statement
from undersign.statements.services import edit_statement, publish_changes, set_translation

LOCALE = Path(undersign.__file__).parent / "locale"
LANGUAGES = ["ru", "uk", "de"]


def test_the_page_follows_accept_language(client, statement):
    html = client.get("/s/letter/", HTTP_ACCEPT_LANGUAGE="ru,en;q=0.5").content.decode()
    assert '<html lang="ru">' in html
    assert "Подписать" in html


def test_the_switcher_changes_the_language_without_javascript(client, statement):
    page = client.get("/s/letter/").content.decode()
    for code in ["en", "ru", "uk", "de"]:
        assert f'name="language" value="{code}"' in page
    r = client.post("/i18n/setlang/", {"language": "de", "next": "/s/letter/"})
    assert r.status_code == 302 and r["Location"] == "/s/letter/"
    html = client.get("/s/letter/").content.decode()
    assert '<html lang="de">' in html and "Unterschreiben" in html


def test_errors_are_explained_in_the_readers_language(client, statement):
    r = client.post("/s/letter/sign", {"name": "", "email": "x"}, HTTP_ACCEPT_LANGUAGE="uk")
    html = r.content.decode()
    assert r.status_code == 400
    assert "Введіть" in html or "Будь ласка" in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_is_complete(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
    assert missing == []
    assert len(po) > 50


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    po = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.pofile(str(folder / "django.po"))
        if e.translated()
    }
    mo = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.mofile(str(folder / "django.mo"))
        if e.msgid
    }
    assert po == mo, "run `make messages` to recompile"


def test_every_marked_string_is_in_the_catalogues(tmp_path):
    """Extract the strings afresh and compare: nothing marked may be missing a translation."""
    if not shutil.which("xgettext"):
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext) is missing; .ci/run installs it")
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "undersign"
    shutil.copytree(
        Path(undersign.__file__).parent,
        copy,
        ignore=shutil.ignore_patterns("locale", "__pycache__", "data"),
    )
    (copy / "locale").mkdir()
    env = {
        **os.environ,
        "UNDERSIGN_DATA": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "undersign.settings",
    }
    subprocess.run(
        [sys.executable, "-m", "undersign.cli", "makemessages", "-l", "ru", "--no-location"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/ru/LC_MESSAGES/django.po"))}
    for language in LANGUAGES:
        known = {e.msgid for e in polib.pofile(str(LOCALE / language / "LC_MESSAGES/django.po"))}
        assert fresh - known == set(), f"{language}: run `make messages` and translate"


RU_TITLE = "Открытое письмо о политических заключённых"


@pytest.fixture
def in_russian(statement):
    set_translation(
        statement,
        language="ru",
        title=RU_TITLE,
        preamble="Мы, нижеподписавшиеся, просим о трёх вещах. Вот они.",
        clauses={1: "Освободить их.", 2: "Дать им визы.", 3: "Прекратить выдачу."},
    )
    publish_changes(statement)
    return statement


def _next(page: str) -> str:
    match = re.search(r'name="next" value="([^"]*)"', page)
    assert match
    return match.group(1).replace("&amp;", "&")


def test_one_choice_sets_the_interface_and_the_text(client, in_russian):
    page = client.get("/s/letter/?lang=en&after=", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="en">' in page  # the link's language, around the text too
    back = _next(page)
    assert "lang=" not in back and back.startswith("/s/letter/")
    client.post("/i18n/setlang/", {"language": "ru", "next": back})
    page = client.get(back).content.decode()
    assert '<html lang="ru">' in page and f"<h1>{RU_TITLE}</h1>" in page
    assert 'href="?lang=ru"' not in page  # the language shown is not offered again


def test_a_lang_link_sets_the_interface_only_on_public_pages(client, in_russian):
    r = client.get("/s/letter/?lang=ru")
    assert r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert "Подписать" in r.content.decode()
    # Images, feeds and the API are shared by caches: they follow ?lang= but set nothing.
    assert settings.LANGUAGE_COOKIE_NAME not in client.get("/s/letter/card.png?lang=de").cookies
    assert (
        settings.LANGUAGE_COOKIE_NAME not in client.get("/api/v1/statements/letter?lang=de").cookies
    )
    # A translation in a language the site does not speak changes the text only.
    r = client.get("/s/letter/?lang=be")
    assert '<html lang="ru">' in r.content.decode()  # still the reader's choice


def test_the_switcher_from_a_refused_form_leads_to_a_page_that_answers_a_get(client, statement):
    r = client.post(
        "/s/letter/sign", {"name": ""}, HTTP_REFERER="http://testserver/s/letter/?lang=de"
    )
    assert r.status_code == 400
    back = _next(r.content.decode())
    assert back == "/s/letter/"
    assert client.get(back).status_code == 200
    r = client.post("/s/letter/sign", {"name": ""}, HTTP_REFERER="https://evil.example/x")
    assert _next(r.content.decode()) == "/s/letter/"
    r = client.post("/s/letter/sign", {"name": ""})  # no Referer at all
    assert _next(r.content.decode()) == "/s/letter/"


def test_every_language_is_named_in_itself_and_marked(client, in_russian):
    page = client.get("/s/letter/?lang=ru").content.decode()
    for code, name in [
        ("en", "English"),
        ("ru", "Русский"),
        ("uk", "Українська"),
        ("de", "Deutsch"),
    ]:
        assert f'value="{code}" lang="{code}"' in page
        assert f">{name}</button>" in page
    assert "Английский" not in page and "Немецкий" not in page
    assert '<a href="?lang=en" hreflang="en" lang="en">English</a>' in page


def test_dates_and_numbers_read_as_in_the_readers_language(client, statement):
    edit_statement(  # a second version, so the page lists the versions with their times
        statement,
        title=statement.title,
        preamble=statement.preamble,
        postscript=statement.postscript,
        clauses={1: "Release them now.", 2: "Give them visas.", 3: "Stop extraditions."},
    )
    publish_changes(statement)
    when = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
    Statement.objects.filter(pk=statement.pk).update(published_at=when, goal=10_000)
    Revision.objects.filter(statement=statement).update(created_at=when)
    SignatureCount.objects.create(
        statement=statement, revision=statement.current_revision, shard=0, count=1234
    )
    expected = {
        "en": ("30 November 2026", "1,234", "1,234 of 10,000"),
        "ru": ("30 ноября 2026", "1\xa0234", "1\xa0234 из 10\xa0000"),
        "uk": ("30 листопада 2026", "1\xa0234", "1\xa0234 з 10\xa0000"),
        "de": ("30. November 2026", "1.234", "1.234 von 10.000"),
    }
    for language, (day, count, figures) in expected.items():
        page = client.get(f"/s/letter/?lang={language}").content.decode()
        assert f">{day}</time>" in page, language
        assert f">{count}</strong>" in page, language
        assert f'<span class="goal-figures">{figures}</span>' in page, language
        assert f"{day}, 14:05 UTC</time>" in page, language  # version 1, with its zone


def test_titles_outside_the_statement_page_are_in_the_readers_language(client, in_russian):
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert f'lang="ru">{RU_TITLE}</a>' in home
    check = client.get("/s/letter/check-mail", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert f"<title>Проверьте почту · {RU_TITLE}</title>" in check or RU_TITLE in check
    assert "Open letter on political prisoners" not in check
    client.post(
        "/s/letter/sign",
        {"name": "Анна", "display": "full", "email": "a@example.org", "consent": "on"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    ref = Signature.objects.get().ref
    for purpose in ("confirm", "withdraw"):
        page = client.get(
            f"/{purpose}/{ref}/{link_token(ref, purpose)}/", HTTP_ACCEPT_LANGUAGE="ru"
        ).content.decode()
        assert RU_TITLE in page.split("</title>")[0] and RU_TITLE in page.split("<main")[1]
        assert "Open letter on political prisoners" not in page


def test_the_kept_header_follows_each_page_and_language(client, statement):
    """The header and footer are rendered once per language and address and kept
    (site_chrome.py): each page still leads back to itself and marks its own language."""
    for path, language in [("/s/letter/", "en"), ("/", "en"), ("/s/letter/", "ru"), ("/", "ru")]:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(path).content.decode()
        assert _next(page) == path
        current = re.findall(r'value="(\w+)" lang="\w+" aria-current="true"', page)
        assert current == [language]
        privacy = "Конфиденциальность" if language == "ru" else "Privacy"
        assert f'<a href="/privacy">{privacy}</a>' in page
    # A page with a query (it may carry a search for a name) leads back to itself too, but
    # its header is not kept.
    from undersign.public.templatetags.site_chrome import _header

    kept = _header.cache_info().currsize
    page = client.get("/s/letter/?q=Anna+Petrova").content.decode()
    assert _next(page) == "/s/letter/?q=Anna+Petrova"
    assert _header.cache_info().currsize == kept
