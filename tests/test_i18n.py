"""Every page in the reader's language; the catalogues complete and compiled."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

import undersign

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
