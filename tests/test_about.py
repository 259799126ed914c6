"""Who runs this: the imprint and the privacy notice, written from the settings in force,
linked from every page's footer and from the signing form."""

import subprocess
import sys
from pathlib import Path

import pytest

from undersign.organisers.models import SealingKey
from undersign.statements.models import Statement


@pytest.fixture
def publisher(settings):
    settings.PUBLISHER_NAME = "Initiative Freiheit e. V."
    settings.PUBLISHER_ADDRESS = "Musterstraße 1\n50667 Köln"
    settings.PUBLISHER_EMAIL = "kontakt@freiheit.example"


def test_every_public_page_links_the_imprint_and_the_privacy_notice(client, statement):
    for path in ["/", "/s/letter/", "/s/letter/check-mail", "/imprint", "/privacy", "/nowhere"]:
        page = client.get(path).content.decode()
        assert '<a href="/imprint">' in page and '<a href="/privacy">' in page, path


def test_the_signing_form_links_what_applies_to_this_statement(client, statement):
    page = client.get("/s/letter/").content.decode()
    start = page.index('id="sign-heading"')
    form = page[start : page.index("</form>", start)]
    assert 'href="/privacy?s=letter"' in form


def test_the_imprint_names_the_publisher(client, statement, publisher):
    page = client.get("/imprint").content.decode()
    assert "Initiative Freiheit e. V.<br>Musterstraße 1<br>50667 Köln<br>" in page
    assert '<a href="mailto:kontakt@freiheit.example">' in page


def test_without_a_publisher_the_imprint_says_so(client, statement):
    page = client.get("/imprint", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Impressum" in page
    assert "hat noch kein Impressum eingerichtet" in page


def test_the_privacy_notice_is_written_from_the_settings(client, statement, settings, publisher):
    settings.UNCONFIRMED_RETENTION_DAYS = 3
    page = client.get("/privacy").content.decode()
    assert "not confirmed within 3 days is deleted" in page
    assert "Initiative Freiheit e. V." in page and "kontakt@freiheit.example" in page
    assert "IP address" in page and "It is not stored" in page
    assert "load nothing from other servers" in page
    assert "mail server" not in page  # mails are printed to the console in the tests
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "mail.freiheit.example"
    assert "mail server mail.freiheit.example" in client.get("/privacy").content.decode()


def test_the_notice_says_whether_this_statements_contacts_are_sealed(client, statement):
    page = client.get("/privacy?s=letter").content.decode()
    assert "are not sealed" in page
    key = SealingKey.objects.create(name="organisers", public_key="x" * 44)
    Statement.objects.filter(pk=statement.pk).update(
        sealing_key=key, contacts_delete_on="2027-03-01"
    )
    page = client.get("/privacy?s=letter").content.decode()
    assert "are sealed" in page and "1 March 2027" in page
    assert client.get("/privacy?s=draft").status_code == 200  # unknown: the general notice
    assert client.get("/privacy?s=%00").status_code == 200


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", "Конфиденциальность"), ("uk", "Конфіденційність"), ("de", "Datenschutz")],
)
def test_the_privacy_notice_in_every_language(client, statement, language, words):
    page = client.get("/privacy", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}">' in page and words in page


def test_an_operator_replaces_the_notice_with_their_own_words(client, settings, tmp_path):
    (tmp_path / "privacy.de.md").write_text(
        "## Unsere Regeln\n\nWir <script>alert(1)</script>speichern wenig.", encoding="utf-8"
    )
    (tmp_path / "privacy.en.md").write_text("## Our rules\n\nWe keep little.", encoding="utf-8")
    settings.PRIVACY_FILE = str(tmp_path / "privacy.{lang}.md")
    german = client.get("/privacy", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "<h2>Unsere Regeln</h2>" in german and "alert" not in german
    assert "load nothing from other servers" not in german
    russian = client.get("/privacy", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "<h2>Our rules</h2>" in russian  # no Russian file: the default language's


def test_the_publisher_is_read_from_the_environment(tmp_path):
    """The effective setting, read by a fresh process, as an operator sets it."""
    env_setting = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(repr((settings.PUBLISHER_NAME, settings.PUBLISHER_ADDRESS)))",
        ],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "undersign.settings",
            "UNDERSIGN_DATA": str(tmp_path),
            "UNDERSIGN_PUBLISHER_NAME": "Initiative Freiheit e. V.",
            "UNDERSIGN_PUBLISHER_ADDRESS": "Musterstraße 1\\n50667 Köln",
        },
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert env_setting.stdout.strip() == repr(
        ("Initiative Freiheit e. V.", "Musterstraße 1\n50667 Köln")
    )


def test_a_missing_operator_file_is_reported_by_the_check(tmp_path):
    undersign = str(Path(sys.executable).parent / "undersign")
    env = {
        "PATH": "/usr/bin:/bin",
        "UNDERSIGN_DATA": str(tmp_path),
        "UNDERSIGN_PRIVACY_FILE": str(tmp_path / "privacy.{lang}.md"),
    }
    result = subprocess.run([undersign, "check"], env=env, capture_output=True, text=True)
    assert "undersign.W010" in result.stderr and "privacy.{lang}.md" in result.stderr
    (tmp_path / "privacy.en.md").write_text("Our words.", encoding="utf-8")
    result = subprocess.run([undersign, "check"], env=env, capture_output=True, text=True)
    assert result.returncode == 0 and "W010" not in result.stderr + result.stdout
