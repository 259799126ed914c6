"""Two consents: signing (store and show the signature as chosen) is required; agreeing to
be contacted by the organisers is optional. Each is recorded with the version of its text,
and "agreed to be contacted" is a filter, a count and an export column for the organisers."""

import csv
import json
import re

import pytest
from django.conf import settings

from tests.conftest import links, path_of, run_worker, sign
from tests.signers import confirmed, organiser
from undersign.signatures import services
from undersign.signatures.exporters import exporter_for
from undersign.signatures.models import Signature
from undersign.signatures.reporting import SignerFilter, dashboard, signers

API = "/api/v1/statements/letter/signatures"


def test_signing_with_only_the_consent_to_sign_works(client, statement):
    r = sign(client, statement)
    assert r.status_code == 302
    signature = Signature.objects.get()
    assert signature.consent_version == settings.SIGNING_CONSENT_VERSION
    assert signature.contact_consent_version == ""


def test_the_consent_to_be_contacted_is_recorded_with_its_version(client, statement):
    sign(client, statement, contact_consent="on")
    assert Signature.objects.get().contact_consent_version == settings.CONTACT_CONSENT_VERSION


def test_the_consent_to_be_contacted_does_not_replace_the_consent_to_sign(client, statement):
    r = sign(client, statement, consent=None, contact_consent="on")
    assert r.status_code == 400
    assert "Please agree, or we cannot record your signature." in r.content.decode()
    assert Signature.objects.count() == 0


def test_the_api_takes_the_two_consents_apart(client, statement):
    body = {"name": "Anna", "email": "anna@example.org", "consent": True}
    r = client.post(API, json.dumps(body), content_type="application/json")
    assert r.status_code == 202
    both = {**body, "email": "boris@example.org", "contact_consent": True}
    client.post(API, json.dumps(both), content_type="application/json")
    versions = list(Signature.objects.order_by("id").values_list("contact_consent_version"))
    assert versions == [("",), (settings.CONTACT_CONSENT_VERSION,)]
    refused = {**body, "email": "c@example.org", "consent": False, "contact_consent": True}
    r = client.post(API, json.dumps(refused), content_type="application/json")
    assert r.status_code == 422 and set(r.json()["errors"]) == {"consent"}


@pytest.mark.parametrize("path", ["/s/letter/", "/s/letter/embed"])
def test_the_form_and_the_widget_ask_both_and_say_the_second_is_optional(client, statement, path):
    html = client.get(path).content.decode()
    assert 'name="consent"' in html and 'name="contact_consent"' in html
    assert "I agree that my signature is stored and shown as I chose above." in html
    assert "The organisers may contact me about this statement" in html
    assert "Optional: you can sign without it." in html
    tags = {m.group(1): m.group(0) for m in re.finditer(r'<input[^>]*name="(\w+)"[^>]*>', html)}
    assert " required" in tags["consent"] and " required" not in tags["contact_consent"]


def test_the_latest_submission_decides_the_consent_while_pending(client, statement, mailoutbox):
    sign(client, statement, contact_consent="on")
    run_worker()
    sign(client, statement)  # the same address, now without agreeing to be contacted
    run_worker()
    assert Signature.objects.get().contact_consent_version == ""


def test_withdrawing_takes_back_the_consent_to_be_contacted(client, statement, mailoutbox):
    sign(client, statement, contact_consent="on")
    run_worker()
    client.post(path_of(links(mailoutbox[0].body)["withdraw"]))
    signature = Signature.objects.get()
    assert signature.status == "withdrawn" and signature.contact_consent_version == ""
    assert signature.consent_version == settings.SIGNING_CONSENT_VERSION  # what was agreed


def test_agreed_to_be_contacted_is_a_filter_a_count_and_a_column(client, statement, tmp_path):
    confirmed(client, statement, name="Anna Yes", contact_consent="on")
    confirmed(client, statement, name="Boris No")
    confirmed(client, statement, name="Clara Yes", contact_consent="on")
    rows = signers(statement, SignerFilter(contactable=True))
    assert sorted(rows.values_list("public_name", flat=True)) == ["Anna Yes", "Clara Yes"]
    assert dashboard(statement).flags["contact_consent"] == 2

    client.force_login(organiser())
    page = client.get("/workspace/s/letter/signers/?contactable=on").content.decode()
    assert "Anna Yes" in page and "Clara Yes" in page and "Boris No" not in page
    board = client.get("/workspace/s/letter/dashboard").content.decode()
    assert "Agreed to be contacted" in board and "?contactable=on" in board

    path = tmp_path / "signers.csv"
    exporter_for("csv")(statement).write(path)
    with path.open(encoding="utf-8-sig") as f:
        exported = {r["shown_as"]: r["contact_consent"] for r in csv.DictReader(f)}
    version = settings.CONTACT_CONSENT_VERSION
    assert exported == {"Anna Yes": version, "Boris No": "", "Clara Yes": version}


def test_the_count_survives_a_rebuild_of_the_tallies(client, statement):
    confirmed(client, statement, contact_consent="on")
    withdrawn = confirmed(client, statement, contact_consent="on")
    services.withdraw_signature(withdrawn)
    assert dashboard(statement).flags["contact_consent"] == 1
    from undersign.signatures.tallies import rebuild

    rebuild(statement.pk)
    from undersign.signatures.counting import forget_public_data

    forget_public_data(statement.pk)
    assert dashboard(statement).flags["contact_consent"] == 1
