"""Links in a statement that lead to another site's form or to a tracker."""

import re
from urllib.parse import parse_qsl, urlsplit

from undersign.statements.markdown import MarkdownError, parse, token_stream

# Pages that collect signers' data elsewhere (forms) or follow them (trackers, click
# counters): a letter that links them sends people at risk out of this site's protection.
_THIRD_PARTY_HOSTS = {
    *("forms.gle", "forms.office.com", "forms.microsoft.com", "typeform.com", "tally.so"),
    *("surveymonkey.com", "jotform.com", "forms.yandex.ru", "forms.yandex.com"),
    *("google-analytics.com", "googletagmanager.com", "doubleclick.net", "mc.yandex.ru"),
    *("connect.facebook.net", "bit.ly", "clck.ru", "t.co", "ow.ly"),
}
_THIRD_PARTY_PREFIXES = ("docs.google.com/forms", "goo.gl/forms", "facebook.com/tr", "vk.com/rtrg")
_TRACKING_PARAMETERS = ("utm_", "fbclid", "gclid", "yclid", "mc_eid", "_hsenc")
_BARE_ADDRESS = re.compile(r"https?://[^\s<>()\"']+")


def _addresses(text: str) -> list[str]:
    found = []
    for token in token_stream(text):
        for child in token.children or []:
            if child.type == "link_open":
                found.append(str(child.attrGet("href") or ""))
            elif child.type == "text":
                found.extend(_BARE_ADDRESS.findall(child.content))
        if token.type == "html_block":
            found.extend(_BARE_ADDRESS.findall(token.content))
    return found


def _is_third_party(address: str) -> bool:
    parts = urlsplit(address.strip())
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").removeprefix("www.")
    if any(host == h or host.endswith("." + h) for h in _THIRD_PARTY_HOSTS):
        return True
    if f"{host}{parts.path}".startswith(_THIRD_PARTY_PREFIXES):
        return True
    return any(key.startswith(_TRACKING_PARAMETERS) for key, _v in parse_qsl(parts.query))


def third_party_links(text: str) -> list[str]:
    """The links in a Markdown statement that lead to another site's form or to a tracker
    (Google Forms, Typeform, click counters, addresses with utm_ or fbclid parameters)."""
    try:
        doc = parse(text)
    except MarkdownError:
        return []
    parts = [doc.preamble, *doc.clauses.values(), doc.postscript]
    addresses = [a for part in parts for a in _addresses(part)] + list(doc.sources)
    return list(dict.fromkeys(a for a in addresses if _is_third_party(a)))
