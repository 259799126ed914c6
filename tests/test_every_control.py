"""No control on any public page leads to a 405 or an empty page: every link is followed and
every form is sent with each of its buttons, as a browser without JavaScript sends it (a
button's `form` and `formaction` included), on every kind of public page, also the pages
that answer a post (a form with mistakes)."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client

from tests.conftest import form_data, links, path_of, run_worker, sign
from undersign.signatures.models import Signature
from undersign.signatures.text import link_token
from undersign.statements.services import publish_changes, set_translation

SITE = "http://testserver"


class _Controls(HTMLParser):
    """The links, forms and submit buttons of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: dict[str, dict] = {}  # by id (or a made-up one)
        self.buttons: list[dict] = []  # submit buttons, each with the form it belongs to
        self._form: str | None = None
        self._select: tuple[str, dict] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self._form = a.get("id") or f"form-{len(self.forms)}"
            self.forms[self._form] = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "fields": [],
            }
        elif tag in ("input", "button", "select", "textarea"):
            owner = a.get("form") or self._form
            kind = a.get("type", "submit" if tag == "button" else "text").lower()
            if kind == "submit" and tag in ("button", "input"):
                self.buttons.append({**a, "owner": owner})
            elif tag == "select":
                self._select = (a.get("name", ""), {"owner": owner, "value": None})
            elif owner and a.get("name"):
                if kind in ("checkbox", "radio") and "checked" not in a:
                    return
                if kind in ("checkbox", "radio"):
                    value = a.get("value", "on")
                else:
                    value = a.get("value", "")
                self.forms.setdefault(owner, {"action": "", "method": "get", "fields": []})
                self.forms[owner]["fields"].append((a["name"], value))
        elif tag == "option" and self._select is not None:
            _name, select = self._select
            if select["value"] is None or "selected" in a:
                select["value"] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            name, select = self._select
            if name and select["owner"] in self.forms:
                self.forms[select["owner"]]["fields"].append((name, select["value"] or ""))
            self._select = None


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _ours(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("", "http") and parts.netloc in ("", "testserver")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


class Walk:
    def __init__(self) -> None:
        self.client = Client(enforce_csrf_checks=True)  # as a browser: the form's token
        self.problems: list[str] = []
        self.seen: set[str] = set()
        self.sent: set[tuple] = set()
        self.followed = 0

    def check(self, what: str, response) -> None:
        body = _body(response)
        if response.status_code == 405 or not body.strip():
            self.problems.append(f"{what}: {response.status_code}, {len(body)} bytes")

    def page(self, url: str, response) -> None:
        """Follow every link and send every form of one page (its own address `url`)."""
        self.check(url, response)
        if not response.get("Content-Type", "").startswith("text/html"):
            return
        controls = _Controls()
        controls.feed(_body(response).decode())
        for href in controls.links:
            target = urljoin(url, href)
            if not _ours(target) or urlsplit(target).scheme == "mailto":
                continue
            if href.startswith("#"):
                continue  # within the page: a browser scrolls, it does not load
            path = _path(target)
            if path in self.seen:
                continue
            self.seen.add(path)
            self.followed += 1
            self.check(f"link {href!r} on {url}", self.client.get(path, follow=True))
        for button in controls.buttons:
            form = controls.forms.get(button["owner"])
            if form is None:
                self.problems.append(f"a button on {url} belongs to no form")
                continue
            action = urljoin(url, button.get("formaction") or form["action"] or url)
            method = (button.get("formmethod") or form["method"]).lower()
            data = list(form["fields"])
            if button.get("name"):
                data.append((button["name"], button.get("value", "")))
            key = (method, urlsplit(action).path, button.get("name"), button.get("value"))
            if key in self.sent:
                continue
            self.sent.add(key)
            what = f"button {button.get('value') or button.get('name') or 'submit'} on {url}"
            payload: dict[str, list[str]] = {}
            for name, value in data:
                payload.setdefault(name, []).append(value)
            if method == "post":
                answer = self.client.post(_path(action), payload, follow=True)
            else:
                answer = self.client.get(_path(action), payload, follow=True)
            self.check(what, answer)


def test_it_finds_no_control_that_leads_to_a_405_or_an_empty_page(
    client, statement, mailoutbox, settings
):
    settings.SIGNATURES_PER_PAGE = 1  # a pager
    set_translation(statement, language="ru", title="Письмо", clauses={1: "Освободить."})
    publish_changes(statement)  # "also in" links
    for email in ("pending@example.org", "confirmed@example.org", "another@example.org"):
        sign(client, statement, email=email)
    run_worker()
    by_address = {m.to[0]: links(m.body) for m in mailoutbox}
    confirmed = by_address["confirmed@example.org"]
    client.post(path_of(confirmed["confirm"]))
    client.post(path_of(by_address["another@example.org"]["confirm"]))
    pending = by_address["pending@example.org"]
    ref = Signature.objects.get(status="pending").ref

    walk = Walk()
    pages = [
        "/",
        "/s/letter/",
        "/s/letter/r/1/",
        "/s/letter/check-mail",
        "/s/letter/check-mail?again=1",
        "/s/letter/embed",
        "/s/letter/embed?sent=1",
        path_of(pending["confirm"]) + "?lang=ru&s=letter",
        path_of(confirmed["confirm"]),
        path_of(confirmed["withdraw"]),
        f"/confirm/{ref}/{'0' * 40}/?s=letter",  # a link cut short or made up
        f"/withdraw/{ref}x/{link_token(ref + 'x', 'withdraw')}/",
        "/imprint",
        "/privacy?s=letter",
        "/no/such/page",
    ]
    for page in pages:
        walk.page(page, walk.client.get(page))
    # The pages that answer a post: a form with mistakes, in each place a form is.
    mistakes = form_data(email="not-an-address", consent=None)
    walk.page("/s/letter/sign", walk.client.post("/s/letter/sign", mistakes))
    walk.page("/s/letter/embed", walk.client.post("/s/letter/embed", mistakes))
    walk.page("/s/letter/check-mail", walk.client.post("/s/letter/check-mail", {"email": "x"}))

    assert walk.problems == []
    assert walk.followed > 15 and len(walk.sent) > 10  # the walk did walk
    # The relative links of the page answering the post ("also in", the pager) were walked.
    assert any(path.startswith("/s/letter/sign?lang=") for path in walk.seen)
    assert any(path.startswith("/s/letter/sign?after=") for path in walk.seen)
