"""Hostile input into every field of the form and the API comes out as harmless text."""

import csv
import json

from django.core.management import call_command

from tests.conftest import form_data, run_worker
from undersign.signatures.models import Signature
from undersign.signatures.services import confirm_signature

RLO, ZWSP, ZWJ = "\u202e", "\u200b", "\u200d"
CORPUS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "Анна Петрова" + RLO + "gnp.exe" + ZWSP + ZWJ,
    "Eve\r\nBcc: victim@example.org",
    "Eve\nSubject: pwned",
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "x" * 10_000,
]
FIELDS = ["name", "city", "volunteer_where", "phone", "telegram", "signal", "email"]
FORM_FIELDS = [*FIELDS, "display", "country"]


def _escaped(text: str) -> None:
    assert "<script>alert" not in text
    assert "<img src=x" not in text


def _harmless(text: str) -> None:
    # The zero-width joiner stays: it is part of how Persian and Indic names are written.
    _escaped(text)
    assert RLO not in text and ZWSP not in text


def test_every_field_of_the_form_survives_the_corpus(client, statement, mailoutbox, tmp_path):
    n = 0
    for field in FORM_FIELDS:
        for value in CORPUS:
            n += 1
            data = form_data(**{"email": f"h{n}@example.org", "volunteer": "on", field: value})
            r = client.post("/s/letter/sign", data)
            assert r.status_code in (302, 400), (field, value[:40], r.status_code)
            if r.status_code == 400:
                # The form is shown again with what the person typed, escaped.
                _escaped(r.content.decode())
    assert Signature.objects.exists()
    run_worker()
    for mail in mailoutbox:
        message = mail.message()
        assert message["Bcc"] is None and "pwned" not in str(message["Subject"])
        assert len(mail.to) == 1 and "\n" not in mail.to[0]
        _harmless(mail.subject)
        for body, _ in [(mail.body, "text"), *mail.alternatives]:
            assert "<script>alert" not in str(body)
    for signature in Signature.objects.all():
        confirm_signature(signature)
    page = client.get("/s/letter/").content.decode()
    _harmless(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text
    api = client.get("/api/v1/statements/letter/signatures?limit=200").content.decode()
    assert RLO not in json.loads(api).__repr__()
    out = tmp_path / "contacts.csv"
    call_command("contacts", "export", "letter", str(out))
    with out.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell[:40]
                assert "\n" not in cell and RLO not in cell


def test_every_field_of_the_api_survives_the_corpus(client, statement):
    n = 0
    for field in [*FIELDS, "display", "country"]:
        for value in CORPUS:
            n += 1
            body = {"name": "A", "email": f"a{n}@example.org", "consent": True, field: value}
            r = client.post(
                "/api/v1/statements/letter/signatures",
                json.dumps(body),
                content_type="application/json",
            )
            assert r.status_code in (202, 422), (field, value[:40], r.status_code)
            _harmless(r.content.decode())
