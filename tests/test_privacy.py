"""No contact in any public page, API answer or log line; no other origin on any page."""

import logging
import re
from html.parser import HTMLParser

import pytest

from tests.conftest import links, path_of, run_worker, sign
from undersign.signatures.models import Signature

SIGNERS = [
    {"email": "maria.hidden@example.org", "phone": "+7 916 5550199", "display": "full"},
    {"email": "ivan.quiet@example.net", "phone": "+380 44 5550188", "display": "initials"},
    {"email": "nobody.sees@example.com", "phone": "+49 30 5550177", "display": "hidden"},
]
PRIVATE = [v for s in SIGNERS for v in (s["email"], s["phone"], s["phone"].replace(" ", ""))] + [
    "handle_never_shown",
    "signal.never.shown",
    "Hiddenperson",
]


RESOURCE_ATTRIBUTES = {"src", "href", "action", "srcset", "poster", "data", "challenge"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.links_out: list[str] = []

    def handle_starttag(self, tag, attrs):
        rel = (dict(attrs).get("rel") or "").split()
        for name, value in attrs:
            if tag == "a" and name == "href" and "noreferrer" in rel:
                # A link the reader may follow to another site (sharing, sources): it loads
                # nothing until followed, and then tells that site nothing about this page.
                self.links_out.append(value or "")
            elif name in RESOURCE_ATTRIBUTES and value:
                self.urls.append((tag, name, value))
            if name == "style" and value:
                self.urls += [(tag, "style", u) for u in re.findall(r"url\(([^)]*)\)", value)]


@pytest.fixture
def signed(client, statement, mailoutbox):
    for i, signer in enumerate(SIGNERS):
        name = "Hiddenperson Anon" if signer["display"] == "hidden" else f"Signer {i}"
        sign(
            client,
            statement,
            name=name,
            telegram="handle_never_shown",
            signal="signal.never.shown",
            volunteer="on",
            **signer,
        )
    run_worker()
    for mail in mailoutbox:
        client.post(path_of(links(mail.body)["confirm"]))
    assert Signature.objects.filter(status="confirmed").count() == 3
    return mailoutbox


def test_no_contact_appears_in_any_public_answer_or_log_line(client, statement, signed, caplog):
    caplog.set_level(logging.DEBUG)
    first = links(signed[0].body)
    pages = [
        "/",
        "/s/letter/",
        "/s/letter/?after=bogus",
        "/s/letter/check-mail",
        path_of(first["confirm"]),
        path_of(first["withdraw"]),
        "/no/such/page",
        "/api/v1/statements",
        "/api/v1/statements/letter",
        "/api/v1/statements/letter/signatures",
        "/api/v1/openapi.json",
        "/pow/challenge",
    ]
    answers = [client.get(page).content.decode() for page in pages]
    answers.append(sign(client, statement, **SIGNERS[0]).content.decode())
    answers.append(
        client.post(
            "/api/v1/statements/letter/signatures",
            {"name": "X", "email": SIGNERS[1]["email"], "phone": SIGNERS[1]["phone"]},
            content_type="application/json",
        ).content.decode()
    )
    run_worker()
    assert "Signer 0" in answers[1]  # the page does list the public names
    text = "\n".join(answers) + "\n" + caplog.text
    for secret in PRIVATE:
        assert secret.lower() not in text.lower(), secret


def test_no_public_page_loads_or_links_anything_from_another_origin(client, statement, signed):
    first = links(signed[0].body)
    pages = ["/", "/s/letter/", "/s/letter/check-mail", path_of(first["confirm"])]
    pages += [path_of(first["withdraw"]), "/no/such/page", "/admin/login/"]
    seen: set[str] = set()
    stylesheets: set[str] = set()
    links_out: list[str] = []
    for page in pages:
        parser = _Links()
        parser.feed(client.get(page).content.decode())
        links_out += parser.links_out
        for tag, attr, full_url in parser.urls:
            # Share tags and the canonical link name our own address in full; that is no
            # other origin.
            url = full_url.removeprefix("http://testserver")
            seen.add(url)
            assert not re.match(r"^\s*(\w+:)?//", url), f"{page}: {tag}[{attr}]={url}"
            assert not url.strip().lower().startswith(("http:", "https:", "javascript:")), url
            if tag == "link" and url.endswith(".css"):
                stylesheets.add(url)
    assert "/static/undersign/pow.js" in seen  # the proof-of-work script, served by us
    # The confirmed page's share links are the only links out, each without a referrer.
    hosts = {url.split("?")[0] for url in links_out}
    assert hosts == {"https://t.me/share/url", "https://wa.me/", "mailto:"}, hosts
    assert stylesheets
    for sheet in stylesheets:
        r = client.get(sheet)
        assert r.status_code == 200, sheet
        css = b"".join(r.streaming_content).decode() if r.streaming else r.content.decode()
        for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
            assert url.startswith(("data:", "/", "#")) or "://" not in url, f"{sheet}: {url}"
            assert not url.startswith("//"), f"{sheet}: {url}"
        assert "@import" not in css


def test_the_policy_headers_forbid_other_origins(client, statement):
    r = client.get("/s/letter/")
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["X-Frame-Options"] == "DENY"
