"""The Django admin, for superusers and staff: statements, and a read-only view of teams."""

import pytest
from django.contrib.auth.models import User

from undersign.organisers.models import AuditEntry
from undersign.statements.models import Revision, Statement


@pytest.fixture
def organiser(db) -> User:
    return User.objects.create_superuser("organiser", "", "a long passphrase")


def _create(client) -> Statement:
    r = client.post(
        "/admin/statements/statement/add/",
        {
            "slug": "new-letter",
            "title": "A new letter",
            "preamble": "We ask.",
            "postscript": "",
            "language": "ru",
            "clauses-TOTAL_FORMS": "2",
            "clauses-INITIAL_FORMS": "0",
            "clauses-MIN_NUM_FORMS": "0",
            "clauses-MAX_NUM_FORMS": "1000",
            "clauses-0-number": "1",
            "clauses-0-text": "First.",
            "clauses-1-number": "2",
            "clauses-1-text": "Second.",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    return Statement.objects.get(slug="new-letter")


def test_an_organiser_creates_a_draft_and_publishes_it(client, organiser):
    client.force_login(organiser)
    statement = _create(client)
    assert statement.status == "draft" and statement.clauses.count() == 2
    assert client.get("/s/new-letter/").status_code == 404
    r = client.post(
        "/admin/statements/statement/",
        {
            "action": "publish",
            "_selected_action": [statement.pk],
        },
    )
    assert r.status_code == 302
    statement.refresh_from_db()
    assert statement.status == "published" and statement.current_revision.number == 1
    page = client.get("/s/new-letter/").content.decode()
    assert "A new letter" in page and "Second." in page
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "statement.create",
        "statement.publish",
        "statement.revision",
    }
    assert AuditEntry.objects.get(action="statement.publish").actor == organiser


def test_editing_a_published_text_stages_a_new_revision(client, organiser, statement):
    client.force_login(organiser)
    url = f"/admin/statements/statement/{statement.pk}/change/"
    clauses = list(statement.clauses.all())
    data = {
        "slug": statement.slug,
        "title": statement.title,
        "preamble": statement.preamble,
        "postscript": statement.postscript,
        "language": "en",
        "clauses-TOTAL_FORMS": str(len(clauses)),
        "clauses-INITIAL_FORMS": str(len(clauses)),
        "clauses-MIN_NUM_FORMS": "0",
        "clauses-MAX_NUM_FORMS": "1000",
    }
    for i, c in enumerate(clauses):
        data |= {
            f"clauses-{i}-id": c.pk,
            f"clauses-{i}-statement": statement.pk,
            f"clauses-{i}-number": c.number,
            f"clauses-{i}-text": c.text,
        }
    assert client.post(url, data).status_code == 302
    assert Revision.objects.filter(statement=statement).count() == 1  # nothing changed
    data["clauses-0-text"] = "Release them all."
    assert client.post(url, data).status_code == 302
    statement.refresh_from_db()
    assert statement.current_revision.number == 1  # saved, not yet public
    assert list(statement.clauses.values_list("pk", flat=True)) == [c.pk for c in clauses]
    client.post(
        "/admin/statements/statement/",
        {"action": "publish_changes", "_selected_action": [statement.pk]},
    )
    statement.refresh_from_db()
    assert statement.current_revision.number == 2
    assert statement.current_revision.text["clauses"][0]["text"] == "Release them all."


def test_closing_stops_signing_but_keeps_the_page(client, organiser, statement):
    client.force_login(organiser)
    client.post(
        "/admin/statements/statement/",
        {
            "action": "close",
            "_selected_action": [statement.pk],
        },
    )
    statement.refresh_from_db()
    assert statement.status == "closed"
    assert client.get("/s/letter/").status_code == 200


def test_the_admin_shows_no_contact_data(client, organiser, statement):
    client.force_login(organiser)
    index = client.get("/admin/").content.decode()
    assert "Contact" not in index
    assert client.get("/admin/signatures/contact/").status_code == 404


def test_a_translation_saved_in_the_admin_becomes_part_of_the_next_revision(
    client, organiser, statement
):
    client.force_login(organiser)
    r = client.post(
        "/admin/statements/statementtranslation/add/",
        {"statement": statement.pk, "language": "uk", "title": "Відкритий лист"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    translation = statement.translations.get()
    clauses = list(statement.clauses.all())
    data = {
        "statement": statement.pk,
        "language": "uk",
        "title": "Відкритий лист",
        "preamble": "",
        "postscript": "",
        "clauses-TOTAL_FORMS": "3",
        "clauses-INITIAL_FORMS": "0",
        "clauses-MIN_NUM_FORMS": "0",
        "clauses-MAX_NUM_FORMS": "1000",
    }
    texts = ["Звільнити.", "Дати візи.", "Зупинити."]
    for i, (clause, text) in enumerate(zip(clauses, texts, strict=True)):
        data |= {f"clauses-{i}-clause": clause.pk, f"clauses-{i}-text": text}
    url = f"/admin/statements/statementtranslation/{translation.pk}/change/"
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    client.post(
        "/admin/statements/statement/",
        {"action": "publish_changes", "_selected_action": [statement.pk]},
    )
    statement.refresh_from_db()
    assert statement.current_revision.number == 2
    assert statement.current_revision.text["translations"]["uk"]["title"] == "Відкритий лист"
    page = client.get("/s/letter/?lang=uk").content.decode()
    assert "Відкритий лист" in page and "Out of date" not in page
    assert "Дати візи." in page and "Give them visas." not in page


def test_teams_show_in_the_admin_but_change_only_in_the_workspace(client, organiser, team):
    """Team changes go through the services that write the audit log; the admin reads."""
    client.force_login(organiser)
    assert client.get("/admin/organisers/team/").status_code == 200
    page = client.get(f"/admin/organisers/team/{team.pk}/change/").content.decode()
    assert "Letter team" in page and "owner" in page
    assert client.get("/admin/organisers/team/add/").status_code == 403
    assert client.get("/admin/organisers/membership/").status_code == 404
    r = client.post(f"/admin/organisers/team/{team.pk}/change/", {"name": "Renamed"})
    assert r.status_code == 403
    team.refresh_from_db()
    assert team.name == "Letter team"
    page = client.get("/admin/organisers/invitation/").content.decode()
    assert "token_hash" not in page


def test_a_superuser_with_a_device_needs_the_code_for_the_admin_too(client, organiser):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=organiser, name="phone", confirmed=True)
    client.force_login(organiser)  # a session that never gave the code
    r = client.get("/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/admin/login/")
