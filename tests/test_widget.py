"""The widget signs from another site: a partner's page on `localhost` frames the widget
served from `127.0.0.1` (two sites to the browser), and a person signs in the frame through
to the confirmation mail. A form posted by another site is refused."""

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import form_data, free_port, links, run_worker
from undersign.signatures.models import Signature

pytestmark = pytest.mark.browser

EMAIL = "widget.signer@example.org"


@pytest.fixture
def site(transactional_db, live_server, statement, smtp, settings) -> str:
    """The app, addressed as 127.0.0.1 (the live server listens on the loopback address)."""
    port = urlsplit(live_server.url).port
    url = f"http://127.0.0.1:{port}"
    settings.SITE_URL = url
    return url


def _serve(folder: Path) -> Iterator[str]:
    port = free_port()
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def partner(tmp_path, site) -> Iterator[str]:
    """A partner's site on another host name: a page that frames the widget, and a page
    that tries to make its visitors sign by posting our form itself."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>Partner</title><h1>A partner's article</h1>"
        f'<iframe src="{site}/s/letter/embed" title="Sign" width="420" height="900"></iframe>',
        encoding="utf-8",
    )
    (tmp_path / "forged.html").write_text(
        "<!doctype html><title>Forged</title>"
        f'<form method="post" action="{site}/s/letter/sign">'
        '<input name="name" value="Forged Name"><input name="display" value="full">'
        f'<input name="email" value="forged@example.org"><input name="consent" value="on">'
        "<button>Go</button></form>",
        encoding="utf-8",
    )
    yield from _serve(tmp_path)


def test_it_signs_in_a_frame_on_another_site_through_to_the_mail(new_page, partner, site, smtp):
    page = new_page(js=False)
    page.goto(f"{partner}/index.html")
    frame = page.frame_locator("iframe")
    frame.get_by_label("Your name", exact=True).fill("Wanda Widget")
    frame.get_by_label("Initials only", exact=True).check()
    frame.get_by_label("Email", exact=True).fill(EMAIL)
    frame.get_by_label("I agree", exact=False).check()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        frame.get_by_role("button", name="Sign", exact=True).click()
    assert answer.value.status in (200, 302), answer.value.status
    # The frame's form is a page of our site: the browser says so, though another site frames it.
    assert answer.value.request.all_headers()["origin"] == site
    expect(frame.get_by_role("heading", name="Check your mail")).to_be_visible()
    assert page.url == f"{partner}/index.html"  # the person stays on the partner's page

    run_worker()
    assert [m["X-Envelope-To"] for m in smtp.messages] == [EMAIL]
    assert set(links(smtp.text(smtp.messages[0]))) == {"confirm", "withdraw"}
    signature = Signature.objects.get()
    assert signature.public_name == "W. W." and signature.status == "pending"


def test_bad_input_in_the_frame_is_shown_there_with_what_was_typed(new_page, partner):
    page = new_page(js=True)
    page.goto(f"{partner}/index.html")
    frame = page.frame_locator("iframe")
    frame.get_by_label("Your name", exact=True).fill("Wanda Widget")
    frame.get_by_label("Email", exact=True).fill("not an address")
    frame.get_by_role("button", name="Sign", exact=True).click()
    expect(frame.locator(".field.has-error .error").first).to_be_visible()
    expect(frame.get_by_label("Your name", exact=True)).to_have_value("Wanda Widget")
    assert not Signature.objects.exists()


def test_the_widget_may_be_framed_by_any_site_and_nothing_else_may(client, statement):
    widget = client.get("/s/letter/embed")
    assert "frame-ancestors *" in widget["Content-Security-Policy"]
    assert "X-Frame-Options" not in widget
    assert "csrftoken" not in widget.cookies  # nothing per reader: no cookie needed
    page = client.get("/s/letter/")
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_a_form_posted_by_another_site_is_refused(new_page, partner, site):
    page = new_page(js=False)
    page.goto(f"{partner}/forged.html")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Go").click()
    assert answer.value.status == 403
    assert not Signature.objects.exists()


def test_the_signing_forms_refuse_posts_from_other_sites_and_take_their_own(client, statement):
    for url in ("/s/letter/sign", "/s/letter/embed"):
        for origin in ("https://evil.example", "null"):
            r = client.post(url, form_data(), HTTP_ORIGIN=origin)
            assert r.status_code == 403, (url, origin)
        r = client.post(url, form_data(), HTTP_SEC_FETCH_SITE="cross-site")
        assert r.status_code == 403
    assert not Signature.objects.exists()
    r = client.post("/s/letter/sign", form_data(), HTTP_ORIGIN="http://testserver")
    assert r.status_code == 302
    r = client.post(
        "/s/letter/embed",
        form_data(email="w@example.org"),
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert r.status_code == 302 and r["Location"] == "/s/letter/embed?sent=1"
    assert Signature.objects.count() == 2
