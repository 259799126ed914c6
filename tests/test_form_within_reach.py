"""The form within reach: a "Sign" link under the title and after the text, an error summary
that links to each field and takes the focus, and a language switch that keeps what was
typed (the header's buttons send the form itself: no JavaScript, no cookie, no storage)."""

import re
from html.parser import HTMLParser

from django.utils import timezone

from tests.conftest import form_data, sign
from undersign.signatures.models import Signature, SigningNotice


class _Attrs(HTMLParser):
    """Every element's attributes, by tag."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _tags(html: str, tag: str) -> list[dict[str, str]]:
    parser = _Attrs()
    parser.feed(html)
    return [a for t, a in parser.tags if t == tag]


def test_a_sign_link_under_the_title_and_after_the_text_leads_to_the_form(client, statement):
    html = client.get("/s/letter/").content.decode()
    title, text_end = html.index("<h1>"), html.index('class="statement-meta"')
    sign_links = [m.start() for m in re.finditer(r'<a[^>]* href="#sign"', html)]
    assert len(sign_links) == 2
    assert title < sign_links[0] < html.index('class="preamble"')  # right under the title
    assert sign_links[1] > text_end  # and after the text
    assert '<section class="sign" id="sign"' in html


def test_no_sign_link_where_nobody_can_sign(client, statement):
    assert 'href="#sign"' not in client.get("/s/letter/r/1/").content.decode()
    statement.deadline = timezone.now()
    statement.save()
    html = client.get("/s/letter/").content.decode()
    assert 'href="#sign"' not in html and 'id="sign"' not in html


def test_the_error_summary_takes_the_focus_and_links_to_each_field(client, statement):
    r = sign(client, statement, name="", email="not-an-address", display="shout", consent=None)
    assert r.status_code == 400
    html = r.content.decode()
    summary = html[html.index('class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert 'id="form-errors"' in summary and "autofocus" in summary and 'tabindex="-1"' in summary
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets == ["id_name", "id_display_0", "id_email", "id_consent"]
    for target in targets:
        assert f'id="{target}"' in html  # each link leads to a field
    assert "Email: Enter a valid email address." in summary
    assert ">Please agree, or we cannot record your signature.</a>" in summary
    # The consent checkbox shows its mistake as the others do: within its field, described.
    consent = html[html.index('<div class="field choice consent') :]
    consent = consent[: consent.index("</div>")]
    assert "has-error" in consent and 'id="id_consent_error"' in consent
    assert 'aria-describedby="id_consent_error"' in consent


def test_switching_language_after_a_mistake_keeps_what_was_typed(client, statement):
    typed = form_data(name="Анна Петрова", email="anna@example", city="Köln", consent=None)
    r = client.post("/s/letter/sign", typed)
    assert r.status_code == 400
    # On this page the header's buttons send the signing form, to the signing address.
    buttons = [b for b in _tags(r.content.decode(), "button") if b.get("name") == "language"]
    assert {b["value"] for b in buttons} == {"en", "ru", "uk", "de"}
    assert {(b.get("form"), b.get("formaction")) for b in buttons} == {
        ("sign-form", "/s/letter/sign")
    }

    r = client.post("/s/letter/sign", {**typed, "language": "uk"})
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="uk">' in html
    assert 'value="Анна Петрова"' in html and 'value="anna@example"' in html
    assert 'value="Köln"' in html
    assert "Введіть правильну адресу електронної пошти." in html  # the mistake, in Ukrainian
    assert r.cookies["django_language"].value == "uk"  # the next pages speak it too
    # Nothing typed went into an address or a cookie, and nothing was signed or counted.
    for tag, attr in (("a", "href"), ("form", "action"), ("button", "formaction")):
        for element in _tags(html, tag):
            assert "anna@example" not in element.get(attr, ""), (tag, element)
    assert all("anna" not in morsel.value for morsel in r.cookies.values())
    assert not Signature.objects.exists() and not SigningNotice.objects.exists()


def test_a_language_button_never_signs_even_a_valid_form(client, statement, settings):
    settings.SIGNING_BURST_LIMIT = (1, 60)
    for _ in range(3):
        r = client.post("/s/letter/sign", {**form_data(), "language": "de"})
        assert r.status_code == 200 and '<html lang="de">' in r.content.decode()
    assert not Signature.objects.exists()
    assert sign(client, statement).status_code == 302  # no attempt was counted


def test_the_signing_address_leads_to_the_statement_when_opened(client, statement):
    r = client.get("/s/letter/sign")
    assert r.status_code == 302 and r["Location"] == "/s/letter/"
    r = client.get("/s/letter/sign?lang=de&after=abc")
    assert r.status_code == 302 and r["Location"] == "/s/letter/?lang=de&after=abc"
    assert client.get("/s/nothing/sign").status_code == 404
