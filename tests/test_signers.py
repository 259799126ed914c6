"""Signers and volunteers in the workspace: a keyset-paged list under filters, public fields
for everyone with access, contacts only for contacts viewers and each view of them in the
audit log; the same filtered set is what the download holds."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.signers import confirmed, many, organiser
from undersign.organisers.models import AuditEntry
from undersign.signatures import moderation, sealing, services
from undersign.signatures.contacts import new_key_pair
from undersign.signatures.models import Signature
from undersign.signatures.reporting import SignerFilter, signers
from undersign.statements.models import Clause
from undersign.statements.services import publish_changes
from undersign.statements.working_copy import set_translation


@pytest.fixture
def staff(client, team):
    """Signed in with every role in the statement's team."""
    client.force_login(organiser())
    return client


@pytest.fixture
def people(client, statement):
    """Signers in three spellings of Cologne, Berlin and Tbilisi; some ready to help."""
    client.cookies["django_language"] = "de"  # Anna signs on the German page
    confirmed(client, statement, name="Anna Köln", city="Köln", volunteer="on")
    del client.cookies["django_language"]
    confirmed(client, statement, name="Boris Koeln", city="Koeln", phone="+49 221 555")
    confirmed(client, statement, name="Clara Cologne", city="Cologne", volunteer="on")
    confirmed(client, statement, name="Dmitri Berlin", city="Berlin", volunteer="on")
    confirmed(client, statement, name="Eka Tbilisi", city="Тбилиси", country="GE")
    return statement


def _names(html: str) -> list[str]:
    """The fixture's signers listed on a page, in the page's order."""
    found = [(html.find(f">{n} "), n) for n in ("Anna", "Boris", "Clara", "Dmitri", "Eka")]
    return [n for at, n in sorted(found) if at >= 0]


def test_the_filters_find_the_volunteers_of_one_city_in_every_spelling(staff, people):
    page = staff.get("/workspace/s/letter/signers/?volunteers=on&city=K%C3%B6ln")
    html = page.content.decode()
    assert page.status_code == 200
    assert _names(html) == ["Clara", "Anna"]  # newest first
    assert "@example.org" not in html  # contacts only when asked
    assert not AuditEntry.objects.filter(action="contacts.view").exists()
    assert _names(staff.get("/workspace/s/letter/signers/?country=GE").content.decode()) == ["Eka"]
    assert _names(staff.get("/workspace/s/letter/signers/?name=bor").content.decode()) == ["Boris"]


def test_revision_language_and_dates_filter_too(client, staff, people):
    Clause.objects.filter(statement=people, number=1).update(text="Release them all.")
    publish_changes(people)
    people.refresh_from_db()
    confirmed(client, people, name="Fiona Later", city="Köln")
    Signature.objects.filter(public_name="Anna Köln").update(
        confirmed_at=timezone.now() - timedelta(days=10)
    )
    get = staff.get
    assert _names(get("/workspace/s/letter/signers/?revision=1").content.decode()) == [
        "Eka",
        "Dmitri",
        "Clara",
        "Boris",
        "Anna",
    ]
    assert "Fiona Later" in get("/workspace/s/letter/signers/?revision=2").content.decode()
    assert _names(get("/workspace/s/letter/signers/?language=de").content.decode()) == ["Anna"]
    day = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert _names(get(f"/workspace/s/letter/signers/?until={day}").content.decode()) == ["Anna"]


def test_bad_filters_get_a_message_next_to_the_field(staff, people):
    page = staff.get("/workspace/s/letter/signers/?since=2026-12-01&until=2026-01-01&revision=x")
    html = page.content.decode()
    assert page.status_code == 200
    assert "This day comes before the first one." in html
    assert "Enter a whole number." in html
    assert _names(html) == []


def test_the_list_pages_by_keyset(staff, statement, settings):
    many(statement, 120, volunteer=True)
    first = staff.get("/workspace/s/letter/signers/?volunteers=on").content.decode()
    assert "Person 119" in first and "Person 70" in first and "Person 69" not in first
    cursor = first.split("after=")[1].split("&")[0].split('"')[0]
    second = staff.get(f"/workspace/s/letter/signers/?volunteers=on&after={cursor}")
    assert "Person 69" in second.content.decode() and "Person 70" not in second.content.decode()
    broken = staff.get("/workspace/s/letter/signers/?after=not-a-cursor")
    assert broken.status_code == 200 and "Person 119" in broken.content.decode()


def test_contacts_show_for_contacts_viewers_and_every_view_is_audited(staff, people):
    page = staff.get("/workspace/s/letter/signers/?city=Cologne&contacts=on").content.decode()
    assert "+49 221 555" in page and "@example.org" in page
    entry = AuditEntry.objects.get(action="contacts.view")
    assert entry.actor.username == "organiser"
    assert entry.data == {
        "filter": {"city": "Cologne"},
        "rows": 3,
        "sealed": False,
        "sealed_rows": 0,
    }


def test_sealed_contacts_show_as_sealed(client, staff, statement):
    _private, public = new_key_pair()
    sealing.use_key(statement, sealing.add_key(name="team", public_key=public))
    confirmed(client, statement, name="Olga Sealed", phone="+7 900 000")
    page = staff.get("/workspace/s/letter/signers/?contacts=on").content.decode()
    assert "Olga Sealed" in page and ">sealed<" in page and "+7 900 000" not in page
    assert AuditEntry.objects.get(action="contacts.view").data["sealed"] is True


def test_the_download_holds_the_filtered_set(staff, people):
    response = staff.post(
        "/workspace/s/letter/export",
        {"format": "xlsx", "volunteers": "on", "city": "Cologne", "contacts": "on"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="letter-contacts-')
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["Anna Köln", "Clara Cologne"]  # oldest first
    entry = AuditEntry.objects.get(action="contacts.export")
    assert entry.data["filter"] == {"volunteers": True, "city": "Cologne"}
    assert entry.data["rows"] == 2 and entry.data["format"] == "xlsx"

    public = staff.post("/workspace/s/letter/export", {"format": "csv", "country": "GE"})
    text = b"".join(public.streaming_content).decode("utf-8-sig")
    assert [r["shown_as"] for r in csv.DictReader(io.StringIO(text))] == ["Eka Tbilisi"]


def test_the_pdf_with_contacts_is_refused_with_a_message(staff, people):
    response = staff.post("/workspace/s/letter/export", {"format": "pdf", "contacts": "on"})
    assert response.status_code == 302
    follow = staff.get(response["Location"]).content.decode()
    assert "The handover PDF never holds contacts" in follow


def test_nobody_else_reads_or_downloads(client, people):
    client.force_login(organiser("signer", in_team=False))
    assert client.get("/workspace/s/letter/signers/").status_code == 403
    assert client.post("/workspace/s/letter/export", {"format": "csv"}).status_code == 403
    assert not AuditEntry.objects.filter(action__contains="export").exists()


def test_the_domain_filter_is_the_lists_filter(people):
    rows = signers(people, SignerFilter(volunteers=True, city="кёльн"))
    assert sorted(s.public_name for s in rows) == ["Anna Köln", "Clara Cologne"]


def test_the_kept_page_changes_as_soon_as_the_signatures_do(client, staff, people):
    url = "/workspace/s/letter/signers/?city=Cologne"
    assert ">hidden by moderators<" not in staff.get(url).content.decode()
    boris = Signature.objects.get(public_name="Boris Koeln")
    moderation.hide_signature(boris, reason="test")
    assert ">hidden by moderators<" in staff.get(url).content.decode()
    services.withdraw_signature(boris)
    assert _names(staff.get(url).content.decode()) == ["Clara", "Anna"]
    confirmed(client, people, name="Zoe Kiel", city="Köln")
    assert "Zoe Kiel" in staff.get(url).content.decode()


def test_the_download_offers_the_text_in_the_original_and_each_translation(staff, statement):
    for language in ("uk", "de"):
        set_translation(statement, language=language, title=f"Brief {language}")
    page = staff.get("/workspace/s/letter/signers/").content.decode()
    chooser = page[
        page.index('id="export-lang"') : page.index("</select>", page.index('id="export-lang"'))
    ]
    assert re.findall(r'<option value="(\w+)"', chooser) == ["en", "de", "uk"]
