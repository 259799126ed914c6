"""The daily digest (issue 12, item 5): owners and contacts viewers choose it on their
workspace page; once a day it says what happened, in counts, never names or addresses."""

from email.header import decode_header, make_header

from django.test import Client

from tests.conftest import run_worker
from tests.signers import confirmed
from undersign.mailings.digest import claim_due_digests
from undersign.mailings.models import DigestChoice
from undersign.signatures import moderation
from undersign.signatures.exporters import CsvExporter


def test_an_owner_chooses_the_digest_and_gets_counts_once_a_day(
    statement, owner, moderator, contacts_viewer, smtp, tmp_path
):
    owner.email = "owner@example.org"
    owner.save()
    client = Client()
    client.force_login(owner)
    assert "daily digest" in client.get("/workspace/digest").content.decode()
    assert client.post("/workspace/digest", {"daily": "on"}).status_code == 302
    assert DigestChoice.objects.get(user=owner).daily

    signer = Client()
    cologne = [confirmed(signer, statement, volunteer="on", city="Köln") for _ in range(2)]
    confirmed(signer, statement, volunteer="on", city="Berlin", name="Boris Secret")
    confirmed(signer, statement, city="Bonn")
    moderation.hide_signature(cologne[0], reason="a fake name", actor=moderator)
    CsvExporter(statement, contacts=True, actor=contacts_viewer).write(tmp_path / "c.csv")

    assert claim_due_digests() == 1
    assert claim_due_digests() == 0  # once a day
    run_worker()
    (mail,) = smtp.messages
    assert mail["X-Envelope-To"] == "owner@example.org"
    text = smtp.text(mail)
    assert "4 new confirmed signatures" in text
    assert "Köln: 2" in text and "Berlin: 1" in text and "Bonn" not in text
    assert "1 name hidden by moderators" in text
    assert "contacts_viewer: 4 rows with contacts" in text
    assert "Boris" not in text and "Anna" not in text and "@example.org" not in text


def test_the_digest_is_offered_to_owners_and_contacts_viewers_only(editor, contacts_viewer):
    client = Client()
    client.force_login(editor)
    assert "is for owners and contacts viewers" in client.get("/workspace/digest").content.decode()
    client.post("/workspace/digest", {"daily": "on"})
    assert not DigestChoice.objects.exists()
    client.force_login(contacts_viewer)
    client.post("/workspace/digest", {"daily": "on"})
    assert DigestChoice.objects.get().user == contacts_viewer


def test_a_day_without_news_sends_nothing(owner, statement, smtp):
    owner.email = "owner@example.org"
    owner.save()
    DigestChoice.objects.create(user=owner, daily=True)
    assert claim_due_digests() == 1
    run_worker()
    assert smtp.messages == []


def test_the_digest_speaks_the_language_its_reader_chose(owner, statement, smtp):
    owner.email = "owner@example.org"
    owner.save()
    client = Client()
    client.force_login(owner)
    russian = {"accept-language": "ru"}
    page = client.get("/workspace/digest", headers=russian).content.decode()
    assert '<option value="ru" selected>' in page  # the interface language to begin with
    client.post("/workspace/digest", {"daily": "on"}, headers=russian)  # saved as it stood
    assert DigestChoice.objects.get(user=owner).language == "ru"
    confirmed(Client(), statement, volunteer="on", city="Köln")
    confirmed(Client(), statement, city="Bonn")
    assert claim_due_digests() == 1
    run_worker()
    (mail,) = smtp.messages
    assert str(make_header(decode_header(mail["Subject"]))) == "undersign: ваша ежедневная сводка"
    text = smtp.text(mail)
    assert "2 новые подтверждённые подписи" in text
    assert "Новые добровольцы по городам:" in text and "Köln: 1" in text


def test_the_digest_language_is_changed_on_its_page(owner, statement, smtp):
    owner.email = "owner@example.org"
    owner.save()
    client = Client()
    client.force_login(owner)
    client.post(
        "/workspace/digest", {"daily": "on", "language": "de"}, headers={"accept-language": "ru"}
    )
    assert DigestChoice.objects.get(user=owner).language == "de"
    page = client.get("/workspace/digest").content.decode()
    assert '<option value="de" selected>' in page
    confirmed(Client(), statement)
    claim_due_digests()
    run_worker()
    (mail,) = smtp.messages
    assert "1 neue bestätigte Unterschrift" in smtp.text(mail)
