"""The confirmation mail, its two links, and what each does to the count and the data."""

from django.core import mail

from tests.conftest import links, path_of, run_worker, sign
from undersign.signatures.models import Contact, Signature


def _mailed_links(client, statement, **overrides) -> dict[str, str]:
    sign(client, statement, **overrides)
    run_worker()
    return {kind: path_of(url) for kind, url in links(mail.outbox[-1].body).items()}


def _count(client) -> str:
    html = client.get("/s/letter/").content.decode()
    return html.split('data-count="')[1].split('"')[0]


def test_a_get_on_the_confirm_link_only_shows_a_button(client, statement):
    confirm = _mailed_links(client, statement)["confirm"]
    r = client.get(confirm)
    assert r.status_code == 200
    assert "Confirm my signature" in r.content.decode()
    assert Signature.objects.get().status == "pending"
    assert _count(client) == "0"


def test_confirming_counts_and_lists_the_signature(client, statement):
    confirm = _mailed_links(client, statement, name="Анна Петрова")["confirm"]
    r = client.post(confirm)
    assert r.status_code == 302
    assert "your signature counts" in client.get(r["Location"]).content.decode()
    assert Signature.objects.get().status == "confirmed"
    assert _count(client) == "1"
    assert "Анна Петрова" in client.get("/s/letter/").content.decode()


def test_confirming_twice_changes_nothing(client, statement):
    confirm = _mailed_links(client, statement)["confirm"]
    client.post(confirm)
    first = Signature.objects.get().confirmed_at
    client.post(confirm)
    assert Signature.objects.get().confirmed_at == first
    assert _count(client) == "1"


def test_a_hidden_name_counts_but_is_not_listed(client, statement):
    confirm = _mailed_links(client, statement, name="Secret Person", display="hidden")["confirm"]
    client.post(confirm)
    html = client.get("/s/letter/").content.decode()
    assert _count(client) == "1"
    assert "Secret Person" not in html


def test_withdrawing_erases_the_name_and_contacts_and_uncounts(client, statement):
    mailed = _mailed_links(client, statement, name="Boris Ivanov", volunteer_where="Riga")
    client.post(mailed["confirm"])
    assert client.get(mailed["withdraw"]).status_code == 200  # a page with a button
    assert Signature.objects.get().status == "confirmed"
    r = client.post(mailed["withdraw"])
    assert r.status_code == 302
    assert "Your signature is withdrawn" in client.get(r["Location"]).content.decode()
    s = Signature.objects.get()
    assert (s.status, s.public_name, s.city, s.country, s.email_digest) == (
        "withdrawn",
        "",
        "",
        "",
        None,
    )
    assert s.revision_id == statement.current_revision_id
    assert not Contact.objects.exists()
    assert _count(client) == "0"
    assert "Boris Ivanov" not in client.get("/s/letter/").content.decode()


def test_a_withdrawn_signature_cannot_be_confirmed_again(client, statement):
    mailed = _mailed_links(client, statement)
    client.post(mailed["withdraw"])
    client.post(mailed["confirm"])
    assert Signature.objects.get().status == "withdrawn"
    assert _count(client) == "0"


def test_after_withdrawing_the_same_email_can_sign_again(client, statement):
    mailed = _mailed_links(client, statement)
    client.post(mailed["withdraw"])
    _mailed_links(client, statement)
    assert Signature.objects.filter(status="pending").count() == 1


def test_a_pending_signature_withdrawn_before_the_mail_goes_gets_no_mail(client, statement):
    sign(client, statement)
    from undersign.signatures.services import withdraw_signature

    withdraw_signature(Signature.objects.get())
    run_worker()
    assert mail.outbox == []


def test_forged_or_swapped_links_lead_nowhere(client, statement):
    mailed = _mailed_links(client, statement)
    ref = mailed["confirm"].split("/")[2]
    withdraw_token = mailed["withdraw"].split("/")[3]
    assert client.post(f"/confirm/{ref}/{withdraw_token}/").status_code == 404
    assert client.post(f"/confirm/{ref}/{'0' * 40}/").status_code == 404
    assert client.get("/withdraw/nope/abc/").status_code == 404
    assert Signature.objects.get().status == "pending"


def test_the_signature_keeps_the_revision_it_signed(client, statement):
    from undersign.statements.models import Clause
    from undersign.statements.services import publish_changes

    confirm = _mailed_links(client, statement)["confirm"]
    signed = statement.current_revision
    Clause.objects.filter(statement=statement, number=1).update(text="Release them all now.")
    publish_changes(statement)
    statement.refresh_from_db()
    assert statement.current_revision != signed
    client.post(confirm)
    assert Signature.objects.get().revision == signed


def test_a_signature_names_the_wording_its_signer_read_even_if_it_changed_meanwhile(
    client, statement
):
    from undersign.statements.models import Clause
    from undersign.statements.services import publish_changes

    page = client.get("/s/letter/").content.decode()
    assert '<input type="hidden" name="revision" value="1">' in page
    read = statement.current_revision
    Clause.objects.filter(statement=statement, number=1).update(text="Release them all now.")
    publish_changes(statement)  # the text changes while the person is typing
    sign(client, statement, revision="1")
    sign(client, statement, email="later@example.org", revision="2")
    sign(client, statement, email="nofield@example.org")
    sign(client, statement, email="junk@example.org", revision="99")
    by_email = {s.contact.email: s.revision.number for s in Signature.objects.all()}
    assert by_email == {
        "anna@example.org": read.number,
        "later@example.org": 2,
        "nofield@example.org": 2,
        "junk@example.org": 2,
    }
