"""The unsubscribe link as a signer meets it (issue 12, item 4): a sealed signer's token is
found by an index, never by reading every sealed box; the page speaks the signer's language
and names the statement whose organisers they stop hearing from; no address in a link, a
subject or a log line."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import run_worker
from tests.signers import confirmed, many
from undersign.mailings import services
from undersign.organisers.models import SealingKey
from undersign.signatures import contacts
from undersign.signatures.models import Contact, Signature


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
