"""The unsubscribe link as a signer meets it (issue 12, item 4): a sealed signer's token is
found by an index, never by reading every sealed box; the page speaks the signer's language
and names the statement whose organisers they stop hearing from; no address in a link, a
subject or a log line."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import run_worker
from tests.signers import confirmed, many
from tests.test_mailings import act, contactable, new_mailing, unsubscribe_path
from undersign.mailings import services
from undersign.organisers.models import SealingKey
from undersign.signatures import contacts
from undersign.signatures.models import Contact, Signature


@pytest.fixture
def viewer(contacts_viewer):
    contacts_viewer.email = "viewer@example.org"
    contacts_viewer.save()
    client = Client()
    client.force_login(contacts_viewer)
    return client


def seal_with_a_new_key(statement) -> None:
    _private, public = contacts.new_key_pair()
    statement.sealing_key = SealingKey.objects.create(name="team key", public_key=public)
    statement.save()


def token_of(signature: Signature) -> str:
    box = Contact.objects.get(signature=signature).sealed
    assert box.startswith("sealed:")
    return services.sealed_unsubscribe_token(box)


def test_a_box_sealed_at_signing_is_found_by_its_token(statement):
    seal_with_a_new_key(statement)
    signature = confirmed(Client(), statement, contact_consent="on")
    response = Client().post(f"/unsubscribe/{token_of(signature)}")
    assert response.status_code == 302
    assert Signature.objects.get(pk=signature.pk).contact_consent_version == ""


def test_a_box_sealed_by_seal_the_rest_now_is_found_by_its_token(statement, owner):
    signature = confirmed(Client(), statement, contact_consent="on")  # stored in clear
    assert Contact.objects.get(signature=signature).box_digest == ""
    seal_with_a_new_key(statement)
    client = Client()
    client.force_login(owner)
    response = client.post(f"/workspace/s/{statement.slug}/sealing", {"action": "seal"})
    assert response.status_code == 302
    run_worker()
    token = token_of(signature)
    page = Client().get(f"/unsubscribe/{token}").content.decode()
    assert "No more mails from the organisers?" in page
    assert Client().post(f"/unsubscribe/{token}").status_code == 302
    assert Signature.objects.get(pk=signature.pk).contact_consent_version == ""


def _sealed_signers(statement, n: int) -> None:
    before = set(Signature.objects.values_list("id", flat=True))
    many(statement, n, contact_consent_version="v1")
    Contact.objects.bulk_create(
        Contact(signature_id=pk, sealed=f"sealed:v1:box{pk}")
        for pk in set(Signature.objects.values_list("id", flat=True)) - before
    )


def _queries_of_a_made_up_token() -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = Client(REMOTE_ADDR="10.1.1.1").get("/unsubscribe/s." + "ab" * 20)
    assert response.status_code == 404
    return [q["sql"] for q in queries.captured_queries]


def test_a_made_up_token_reads_no_box_whatever_the_number_of_signers(statement):
    _sealed_signers(statement, 3)
    few = _queries_of_a_made_up_token()
    _sealed_signers(statement, 3000)
    lots = _queries_of_a_made_up_token()
    assert len(few) == len(lots)
    contact_queries = [q for q in lots if "signatures_contact" in q]
    assert len(contact_queries) == 1 and "box_digest" in contact_queries[0]
    assert not any('"sealed"' in q for q in lots), "no sealed box is read"
    # A token that is not even a digest asks nothing of the database.
    with CaptureQueriesContext(connection) as queries:
        Client(REMOTE_ADDR="10.1.1.2").get("/unsubscribe/s.not-a-digest")
    assert not any("signatures_contact" in q["sql"] for q in queries.captured_queries)


def test_a_russian_signer_unsubscribes_in_russian_and_is_named_nowhere(
    viewer, statement, smtp, caplog
):
    caplog.set_level("DEBUG")
    contactable(statement, 1, prefix="ru", language="ru")
    mailing = new_mailing(viewer, statement, subject="Friday")
    act(viewer, mailing, action="send")
    run_worker()
    (mail,) = smtp.messages
    path = unsubscribe_path(mail)
    assert path.endswith("?lang=ru")
    assert path in smtp.text(mail).replace("http://testserver", "")
    assert "example.org" not in mail["List-Unsubscribe"] + mail["Subject"] + path
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]  # not the test server
    assert ours and not any("example.org" in r.getMessage() for r in ours)

    browser = Client(headers={"accept-language": "en"})  # a browser set to English
    page = browser.get(path).content.decode()
    assert "Больше не получать писем от организаторов?" in page
    assert "Open letter on political prisoners" in page  # whose organisers: the statement
    assert "ru0@example.org" not in page
    assert '<meta name="robots" content="noindex">' in page  # a personal link: never indexed
    response = browser.post(path)
    assert response.status_code == 302 and response["Location"].endswith("?lang=ru")
    page = browser.get(response["Location"]).content.decode()
    assert "Вы больше не будете получать писем от организаторов" in page
    assert "Open letter on political prisoners" in page


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "This is only about the organisers of"),
        ("ru", "Это касается только организаторов"),
        ("uk", "Це стосується лише організаторів"),
        ("de", "Das betrifft nur die Organisatoren von"),
    ],
)
def test_the_page_says_whose_mails_stop_in_each_language(statement, language, sentence):
    (pk,) = contactable(statement, 1, prefix="x", language="en")
    token = services.unsubscribe_token(Signature.objects.get(pk=pk))
    page = Client().get(f"/unsubscribe/{token}?lang={language}").content.decode()
    assert sentence in page and "Open letter on political prisoners" in page


def test_a_broken_link_answers_in_the_links_language(statement):
    response = Client().get("/unsubscribe/s." + "ab" * 20 + "?lang=uk")
    assert response.status_code == 404
    assert "Це посилання не працює" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_boxes_sealed_before_it_their_digest(statement):
    from django.db.migrations.executor import MigrationExecutor

    many(statement, 2, contact_consent_version="v1")
    sealed_one, clear_one = Signature.objects.order_by("id").values_list("id", flat=True)
    executor = MigrationExecutor(connection)
    executor.migrate([("signatures", "0009_imports")])
    old = executor.loader.project_state([("signatures", "0009_imports")]).apps
    old_contact = old.get_model("signatures", "Contact")
    old_contact.objects.create(signature_id=sealed_one, sealed="sealed:v1:an-old-box")
    old_contact.objects.create(signature_id=clear_one, email="clear@example.org")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    box = Contact.objects.get(signature_id=sealed_one)
    assert box.box_digest == contacts.sealed_digest("sealed:v1:an-old-box")
    assert Contact.objects.get(signature_id=clear_one).box_digest == ""
    token = services.sealed_unsubscribe_token(box.sealed)
    assert Client().post(f"/unsubscribe/{token}").status_code == 302
