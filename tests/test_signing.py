"""Signing through the HTML form: validation, storage, the check-your-mail answer."""

import pytest
from django.core import mail

from tests.conftest import form_data, run_worker, sign
from undersign.signatures.models import Contact, Signature


def test_it_shows_the_statement_with_clause_anchors_and_the_form(client, statement):
    r = client.get("/s/letter/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Open letter on political prisoners" in html
    assert 'id="clause-3"' in html and 'href="#clause-3"' in html
    assert 'name="email"' in html and 'name="consent"' in html
    assert '<strong class="count" data-count="0">0</strong>' in html


def test_it_hides_drafts_from_the_public(client, draft):
    assert client.get("/s/draft/").status_code == 404
    assert client.post("/s/draft/sign", form_data()).status_code == 404


def test_it_records_a_pending_signature_and_queues_one_mail(client, statement):
    r = sign(client, statement)
    assert r.status_code == 302 and r["Location"] == "/s/letter/check-mail"
    s = Signature.objects.get()
    assert s.status == "pending" and s.public_name == "Anna Petrova"
    assert s.revision == statement.current_revision
    assert s.consent_version and s.language == "en"
    assert Contact.objects.get().email == "anna@example.org"
    assert "anna" not in s.email_digest and len(s.email_digest) == 64
    assert mail.outbox == []  # the mail goes through the queue, not the request
    run_worker()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anna@example.org"]


def test_the_check_mail_page_explains_the_next_step(client, statement):
    r = client.get(sign(client, statement)["Location"])
    assert r.status_code == 200
    assert "Check your mail" in r.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "This field is required."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"consent": None}, "consent", "Please agree, or we cannot record your signature."),
        ({"display": "shout"}, "display", "Select a valid choice."),
        ({"name": "x" * 201}, "name", "Ensure this value has at most 200 characters"),
        ({"country": "XX"}, "country", "Select a valid choice."),
    ],
)
def test_it_explains_bad_input_next_to_the_field_and_keeps_what_was_typed(
    client, statement, overrides, field, message
):
    r = sign(client, statement, city="Köln", volunteer_where="Cologne, translations", **overrides)
    assert r.status_code == 400
    html = r.content.decode()
    assert f'id="id_{field}_error"' in html or "has-error" in html
    assert message in html
    assert 'value="Köln"' in html and 'value="Cologne, translations"' in html
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    "name",
    ["Ж" * 200, "Анна 🌻 Петрова", "<script>alert(1)</script>", "Ann\u202eavon\u200b Smith"],
)
def test_it_stores_any_name_and_shows_it_as_text(client, statement, name):
    from undersign.signatures.services import confirm_signature

    assert sign(client, statement, name=name).status_code == 302
    signature = Signature.objects.get()
    confirm_signature(signature)
    html = client.get("/s/letter/").content.decode()
    assert "<script>alert(1)</script>" not in html
    shown = signature.public_name
    assert "\u202e" not in shown and "\u200b" not in shown
    from django.utils.html import escape

    assert escape(shown) in html


def test_initials_and_hidden_names_are_stored_as_chosen(client, statement):
    sign(client, statement, name="Anna Maria Petrova", display="initials")
    sign(client, statement, name="Boris", email="boris@example.org", display="hidden")
    names = dict(Signature.objects.values_list("display", "public_name"))
    assert names == {"initials": "A. M. P.", "hidden": ""}
    assert set(Contact.objects.values_list("name", flat=True)) == {"Anna Maria Petrova", "Boris"}


def test_it_refuses_signing_a_closed_statement_with_a_message(client, statement):
    from undersign.statements.services import close_statement

    close_statement(statement)
    page = client.get("/s/letter/").content.decode()
    assert "Signing of this statement is closed." in page and 'name="email"' not in page
    r = sign(client, statement)
    assert r.status_code == 400
    assert Signature.objects.count() == 0


def test_writing_where_one_can_help_counts_as_ready_to_work_together(client, statement):
    sign(client, statement, volunteer_where="Berlin, legal aid")
    assert Signature.objects.get().volunteer is True
    assert Contact.objects.get().volunteer_where == "Berlin, legal aid"


def test_a_get_to_the_sign_address_changes_nothing(client, statement):
    # It leads to the statement's page (a reload, a copied address): never a 405.
    r = client.get("/s/letter/sign")
    assert r.status_code == 302 and r["Location"] == "/s/letter/"
    assert Signature.objects.count() == 0


def test_the_rows_made_before_the_transaction_are_those_the_orm_would_write(client, statement):
    """The signing path writes its three rows with SQL prepared before the write
    transaction (signatures/inserts.py): the same columns as Model.save() and enqueue()."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    from undersign.signatures.places import place_key

    assert sign(client, statement, city="Köln", email="karl@example.org").status_code == 302
    s = Signature.objects.get()
    assert s.city_key == place_key("Köln") and s.created_at is not None
    assert s.answers == {} and s.imported_in_id is None and s.submissions == 1
    contact = Contact.objects.get()
    assert contact.signature_id == s.pk and contact.email == "karl@example.org"
    assert contact.transit and contact.box_digest == ""
    job = DBTaskResult.objects.get()
    assert job.status == "READY" and job.run_after == get_date_max()
    assert job.args_kwargs == {"args": [s.pk], "kwargs": {}} and job.enqueued_at is not None
    assert job.task_path == "undersign.signatures.tasks.send_confirmation"
    run_worker()
    assert [m.to for m in mail.outbox] == [["karl@example.org"]]
