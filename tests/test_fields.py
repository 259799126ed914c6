"""The signer's fields are declared once (`signatures.fields`): the form, the API's schema,
the storage and the exports all follow the declaration."""

import re

from tests.conftest import sign
from undersign.signatures import fields
from undersign.signatures.exporters.base import CONTACT_COLUMNS, PUBLIC_COLUMNS
from undersign.signatures.forms import SignatureForm
from undersign.signatures.models import Contact, Signature


def test_every_declared_field_is_on_the_form_in_order():
    assert list(SignatureForm.base_fields) == [f.name for f in fields.FIELDS]


def test_every_declared_field_is_in_the_api_signing_schema(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["SignatureIn"]
    # Besides the declared fields: the answers to the statement's questions, the proof.
    assert set(schema["properties"]) == {*fields.BY_NAME, "answers", "altcha"}
    required = {f.name for f in fields.FIELDS if f.required and f.is_text}
    assert set(schema["required"]) == required


def test_every_declared_field_has_its_column_where_it_is_stored():
    for declared in fields.FIELDS:
        model = Signature if declared.stored == fields.Stored.SIGNATURE else Contact
        names = {f.name for f in model._meta.get_fields()}
        assert declared.db_column in names, f"{declared.name}: no column on {model.__name__}"


def test_exports_name_each_exported_field_once_and_contacts_only_with_contacts():
    for declared in fields.FIELDS:
        if not declared.export:
            continue
        in_public = declared.export in PUBLIC_COLUMNS
        assert CONTACT_COLUMNS.count(declared.export) == 1
        private = declared.stored == fields.Stored.CONTACT or (
            declared.seen_by == fields.SeenBy.CONTACTS
        )
        assert in_public is not private, declared.name


def test_a_signature_stores_each_field_in_its_declared_place(client, statement):
    sign(
        client,
        statement,
        phone="+49 30 1234567",
        telegram="@anna",
        signal="anna.01",
        volunteer_where="Köln, translations",
    )
    signature = Signature.objects.get()
    contact = Contact.objects.get()
    stored = {
        f.name: getattr(signature if f.stored == fields.Stored.SIGNATURE else contact, f.db_column)
        for f in fields.FIELDS
    }
    assert stored["email"] == "anna@example.org" and stored["telegram"] == "anna"
    assert stored["city"] == "Köln" and stored["country"] == "DE"
    assert stored["volunteer"] is True  # where one can help says yes by itself
    assert stored["volunteer_where"] == "Köln, translations"


def test_each_field_says_next_to_it_who_sees_it(client, statement):
    """Every field but the choice of display and the consent to sign (which say it in their
    own words) has a note beside it, tied to it for screen readers."""
    statement.ask_took_part = True
    statement.save()
    html = client.get("/s/letter/").content.decode()
    inputs = {
        m.group(1): m.group(0)
        for m in re.finditer(r'<(?:input|select)[^>]*name="(\w+)"[^>]*>', html)
    }
    for declared in fields.FIELDS:
        if declared.kind == fields.Kind.DISPLAY or declared.name == "consent":
            continue
        note = re.search(rf'<p class="help" id="id_{declared.name}_helptext">([^<]+)</p>', html)
        assert note is not None and str(declared.help) in note.group(1), declared.name
        assert f'aria-describedby="id_{declared.name}_helptext' in inputs[declared.name]
