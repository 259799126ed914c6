"""Input leftovers: text that is not text, internationalised domains, letters that look
invisible, links that run script, and pages a shared cache must not keep."""

import json
import sys
import unicodedata
from urllib.parse import urlencode

import pytest

from tests.conftest import links, path_of, run_worker, sign
from undersign.signatures.models import Contact, Signature
from undersign.signatures.text import KEPT_FORMAT, clean_line, email_digest
from undersign.statements.models import Statement
from undersign.statements.services import StatementError, import_markdown

API = "/api/v1/statements/letter/signatures"
STRINGS = ["name", "display", "email", "city", "country", "volunteer_where", "phone"]
STRINGS += ["telegram", "signal", "altcha"]
UNREADABLE = ["\ud800", "Anna \udfff Petrova", "a@exa\ud800mple.org", "\udc00\udbffx"]


@pytest.mark.parametrize("field", STRINGS)
def test_a_lone_surrogate_in_any_api_field_is_a_422(client, statement, field):
    for n, value in enumerate(UNREADABLE):
        body = {"name": "A", "email": f"s{n}@example.org", "consent": True, field: value}
        raw = json.dumps(body)  # json writes the lone surrogate as "\ud800", as an attacker would
        r = client.post(API, raw, content_type="application/json")
        assert r.status_code in (202, 422), (field, value, r.status_code)
        if field not in ("altcha",):  # a bad proof is no proof, and no error
            assert r.status_code == 422
            assert r.json()["errors"][field]
    assert not Signature.objects.exclude(contact__name="A").exists()


def test_invalid_utf8_in_a_form_is_refused_with_a_message(client, statement):
    body = b"name=Anna+%FF%FEPetrova&display=full&email=anna%40example.org&consent=on"
    r = client.post(
        "/s/letter/sign", body, content_type="application/x-www-form-urlencoded; charset=utf-8"
    )
    assert r.status_code == 400
    assert "Some characters here could not be read. Please type it again." in r.content.decode()
    assert not Signature.objects.exists()


def test_an_internationalised_domain_is_one_address_in_both_spellings(client, statement):
    assert email_digest("ivan@пример.рф") == email_digest("Ivan@XN--E1AFMKFD.XN--P1AI")
    sign(client, statement, email="ivan@пример.рф")
    sign(client, statement, email="ivan@xn--e1afmkfd.xn--p1ai")
    assert Signature.objects.count() == 1


def test_the_mail_reaches_an_internationalised_domain(client, statement, mailoutbox):
    sign(client, statement, email="ivan@пример.рф")
    run_worker()
    assert len(mailoutbox) == 1
    assert "xn--e1afmkfd.xn--p1ai" in mailoutbox[0].message()["To"]


def test_zero_width_joiners_stay_in_names_and_controls_go(client, statement, mailoutbox):
    persian = "می\u200cخواهم"  # ZWNJ between the two parts of a Persian word
    malayalam = "ന്\u200d"  # ZWJ makes a chillu letter
    name = f"{persian} {malayalam} \u202eevil\u2066\u200b\u00ad"
    sign(client, statement, name=name)
    run_worker()
    client.post(path_of(links(mailoutbox[0].body)["confirm"]))
    assert Signature.objects.get().public_name == f"{persian} {malayalam} evil"
    page = client.get("/s/letter/").content.decode()
    assert persian in page and "\u202e" not in page and "\u200b" not in page


def test_every_format_character_but_the_joiners_is_removed():
    # The list in text.py, checked against Python's Unicode database.
    for point in range(sys.maxunicode + 1):
        char = chr(point)
        if unicodedata.category(char) == "Cf":
            kept = clean_line(f"a{char}b") == f"a{char}b"
            assert kept == (char in KEPT_FORMAT), hex(point)


DOC = """---
title: A letter
sources:
  - {source}
---

We ask {link}.

1. One.
"""


@pytest.mark.parametrize(
    ("source", "link"),
    [
        ("javascript:alert(1)", "nothing"),
        ("https://example.org", "[this](javascript:alert(document.cookie))"),
        ("https://example.org", "[this](JaVaScRiPt:alert(1))"),
        ("https://example.org", '<a href="javascript:alert(1)">this</a>'),
        ("https://example.org", "![x](data:text/html;base64,PHNjcmlwdD4=)"),
        ("data:text/html,x", "nothing"),
    ],
)
def test_a_script_link_is_refused_on_import(db, source, link):
    with pytest.raises(StatementError, match="http"):
        import_markdown(DOC.format(source=source, link=link), slug="x")
    assert not Statement.objects.exists()


def test_web_and_mail_links_are_taken_on_import(db):
    doc = DOC.format(source="mailto:team@example.org", link="[us](https://example.org/about)")
    statement = import_markdown(doc, slug="x")
    assert statement.sources == ["mailto:team@example.org"]


def test_a_script_link_is_refused_in_the_editor(client, draft, editor):
    client.force_login(editor)
    data = {
        "title": "A draft",
        "language": "en",
        "preamble": "See [this](javascript:alert(1)).",
        "sources": "https://example.org\nmailto:team@example.org",
        "clauses-TOTAL_FORMS": "1",
        "clauses-INITIAL_FORMS": "1",
        "clauses-0-number": "1",
        "clauses-0-text": "One [link](javascript:void(0)).",
    }
    r = client.post("/workspace/s/draft/", data)
    assert r.status_code == 400
    page = r.content.decode()
    assert page.count("Links may lead only to web pages") == 2
    data.update({"preamble": "See [this](https://example.org).", "clauses-0-text": "One."})
    data["sources"] = "javascript:alert(1)"
    assert client.post("/workspace/s/draft/", data).status_code == 400
    data["sources"] = "https://example.org\nmailto:team@example.org"
    assert client.post("/workspace/s/draft/", data).status_code == 302
    assert Statement.objects.get(slug="draft").sources == [
        "https://example.org",
        "mailto:team@example.org",
    ]


def test_confirm_and_withdraw_pages_are_never_stored(client, statement, mailoutbox):
    sign(client, statement)
    run_worker()
    for kind, url in links(mailoutbox[0].body).items():
        for response in (client.get(path_of(url)), client.post(path_of(url))):
            assert "no-store" in response["Cache-Control"], kind


def test_the_contact_keeps_what_was_typed_in_the_name(client, statement):
    sign(client, statement, name="Zoë \u200dAli")
    assert Contact.objects.get().name == "Zoë \u200dAli"


HOSTILE = [
    "\ud800",
    "\udfff\ud800",
    "\ufffd",
    "\x00",
    "a\x00b",
    "\u202egnp.exe",
    "\u200b\u200c\u200d\u2066\u00ad",
    "ivan@пример.рф",
    "ivan@xn--e1afmkfd.xn--p1ai",
    "ivan@xn--zz.xn--",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "x" * 5000,
    "😀" * 100,
    "Eve\r\nBcc: victim@example.org",
]
ORIGINS = [None, "null", "https://evil.example", "http://testserver"]


def hostile_cases() -> list[tuple[str, str, str, str | None]]:
    """(door, field, value, Origin) for every field of the page's form, the widget's and the
    API's."""
    fields = [*STRINGS, "website", "room", "revision", "consent"]
    return [
        (door, field, value, origin)
        for door in ("/s/letter/sign", "/s/letter/embed", API)
        for field in fields
        for value in HOSTILE
        for origin in ORIGINS
    ]


def test_no_hostile_input_gives_a_server_error(client, statement):
    statuses: dict[int, int] = {}
    for n, (door, field, value, origin) in enumerate(hostile_cases()):
        headers = {"HTTP_ORIGIN": origin} if origin else {}
        data = {"name": "A", "email": f"h{n}@example.org", "consent": "on", field: value}
        if door == API:
            data["consent"] = True if field != "consent" else value
            body = json.dumps(data)
            r = client.post(door, body, content_type="application/json", **headers)
        else:
            # As a browser would send it: UTF-8, a lone surrogate as the bytes it would be.
            body = urlencode({k: str(v).encode("utf-8", "surrogatepass") for k, v in data.items()})
            r = client.post(door, body, content_type="application/x-www-form-urlencoded", **headers)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        assert r.status_code < 500, (door, field, value[:20], origin, r.status_code)
    # Raw bytes that are no UTF-8, in a form and in a JSON body.
    for body in (b"name=%FF%FE&email=a%40example.org&consent=on", b"name=\xff\xfe&consent=on"):
        r = client.post("/s/letter/sign", body, content_type="application/x-www-form-urlencoded")
        assert r.status_code == 400
    for body in (b'{"name": "\xff\xfe", "email": "a@example.org", "consent": true}', b"\xff"):
        assert client.post(API, body, content_type="application/json").status_code in (400, 422)
    assert set(statuses) <= {202, 302, 400, 403, 422}, statuses
