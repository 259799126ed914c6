"""The JSON API: public fields only, the form's rules, the OpenAPI document."""

import json

from tests.conftest import run_worker
from undersign.signatures.models import Signature
from undersign.signatures.services import confirm_signature

URL = "/api/v1/statements/letter/signatures"


def _post(client, **body):
    data = {"name": "Anna", "email": "anna@example.org", "consent": True, **body}
    return client.post(URL, json.dumps(data), content_type="application/json")


def _confirmed(client, n: int) -> None:
    for i in range(n):
        _post(client, name=f"Signer {i}", email=f"s{i}@example.org", city="Berlin", country="DE")
    for s in Signature.objects.order_by("id"):  # in signing order, whatever the database
        confirm_signature(s)


def test_it_lists_published_statements_with_their_counts(client, statement, draft):
    _confirmed(client, 2)
    r = client.get("/api/v1/statements")
    assert r.status_code == 200
    assert r.json() == [
        {
            "slug": "letter",
            "title": "Open letter on political prisoners",
            "url": "http://testserver/s/letter/",
            "signature_count": 2,
        }
    ]


def test_it_gives_the_text_with_numbered_clauses(client, statement):
    r = client.get("/api/v1/statements/letter")
    body = r.json()
    assert body["clauses"] == [
        {"number": 1, "text": "Release them."},
        {"number": 2, "text": "Give them visas."},
        {"number": 3, "text": "Stop extraditions."},
    ]
    assert body["preamble"].startswith("We, the undersigned")
    assert body["signature_count"] == 0


def test_drafts_and_unknown_statements_are_404(client, draft):
    assert client.get("/api/v1/statements/draft").status_code == 404
    assert client.get("/api/v1/statements/nothing/signatures").status_code == 404


def test_signing_answers_202_and_queues_the_mail(client, statement, mailoutbox):
    r = _post(
        client, display="initials", name="Anna Petrova", volunteer=True, volunteer_where="Köln"
    )
    assert r.status_code == 202
    assert r.json()["status"] == "check_your_mail"
    s = Signature.objects.get()
    assert (s.status, s.public_name, s.volunteer) == ("pending", "A. P.", True)
    run_worker()
    assert len(mailoutbox) == 1


def test_invalid_input_gets_422_with_field_errors(client, statement):
    r = _post(client, email="nope", consent=False, display="loud")
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"email", "consent", "display"}
    assert Signature.objects.count() == 0


def test_wrong_types_and_broken_json_get_422_not_500(client, statement):
    assert _post(client, consent="maybe").status_code == 422
    r = client.post(URL, "{not json", content_type="application/json")
    assert r.status_code in (400, 422)
    r = client.post(URL, json.dumps({"name": "x"}), content_type="application/json")
    assert r.status_code == 422 and "email" in r.json()["errors"]


def test_the_list_shows_public_fields_only_and_pages_by_cursor(client, statement):
    _confirmed(client, 5)
    _post(client, name="Hidden One", email="hidden@example.org", display="hidden")
    confirm_signature(Signature.objects.get(public_name=""))
    first = client.get(URL, {"limit": 3}).json()
    assert len(first["items"]) == 3
    assert set(first["items"][0]) == {"display_name", "city", "country", "signed_at", "answers"}
    second = client.get(URL, {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(second["items"]) == 2 and second["next_cursor"] is None
    names = [i["display_name"] for i in first["items"] + second["items"]]
    assert names == [f"Signer {i}" for i in (4, 3, 2, 1, 0)]
    raw = json.dumps(first) + json.dumps(second)
    assert "example.org" not in raw and "Hidden One" not in raw


def test_a_bad_cursor_or_limit_is_a_422(client, statement):
    assert client.get(URL, {"cursor": "garbage!"}).status_code == 422
    assert client.get(URL, {"limit": 0}).status_code == 422


def test_the_openapi_document_describes_every_endpoint(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert set(paths) == {
        "/api/v1/statements",
        "/api/v1/statements/{slug}",
        "/api/v1/statements/{slug}/signatures",
        "/api/v1/assemblies/{slug}",
        "/api/v1/assemblies/{slug}/positions",
        "/api/v1/assemblies/{slug}/results",
        "/api/v1/statements/{slug}/openapi.json",
    }
    assert set(paths["/api/v1/statements/{slug}/signatures"]) == {"get", "post"}
    assert set(paths["/api/v1/assemblies/{slug}/positions"]) == {"put"}


def test_a_nul_byte_or_junk_in_lang_or_slug_is_no_server_error(client, statement):
    assert client.get("/api/v1/statements", {"lang": "de\x00x"}).status_code == 200
    assert client.get("/api/v1/statements/letter", {"lang": "\x00"}).status_code == 200
    assert client.get("/api/v1/statements/let%00ter").status_code == 404
    assert client.get("/s/letter/", {"lang": "ru\x00"}).status_code == 200
