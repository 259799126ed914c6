"""Share card (PNG), QR codes and share links for a statement, made on the server with no
network."""

import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlencode

import segno
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from undersign.statements.markdown import plain_text
from undersign.statements.texts import StatementText

# DejaVu Sans ships in the project (fonts/LICENSE-DejaVu.txt): it has Cyrillic, and a card must
# never depend on fonts the server happens to have.
FONTS = Path(__file__).resolve().parent / "fonts"
CARD_SIZE = (1200, 630)  # what Telegram, Mastodon and others show best


@cache
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break `text` into lines no wider than `width` pixels in `font`."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def share_card(title: str, counter_line: str, site: str) -> bytes:
    """A 1200 by 630 PNG with the title and the counter."""
    image = Image.new("RGB", CARD_SIZE, "#fdfcfa")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 24, CARD_SIZE[1]], fill="#8a1c1c")
    size = 64 if len(title) < 60 else 50 if len(title) < 120 else 40
    font = _font(True, size)
    y = 70
    for line in _wrap(title, font, CARD_SIZE[0] - 140)[:5]:
        draw.text((80, y), line, font=font, fill="#1c1b1a")
        y += int(size * 1.25)
    draw.text((80, CARD_SIZE[1] - 150), counter_line, font=_font(True, 52), fill="#8a1c1c")
    draw.text((80, CARD_SIZE[1] - 75), site, font=_font(False, 30), fill="#57534e")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# The end of a sentence: a stop (and closing quotes), a space, then a capital or a digit.
_SENTENCE_END = re.compile(r"[.!?…][\"'»”)]*\s+(?=\W*[^\W_])")
DESCRIPTION_LENGTH = 200


def first_sentence(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """The first sentence of `text` (plain text), cut at a word within `limit` characters."""
    text = " ".join(text.split())
    for match in _SENTENCE_END.finditer(text):
        following = text[match.end() :].lstrip("\"'«„“(")
        word = text[: match.start()].rsplit(" ", 1)[-1]
        if text[match.start()] == "." and len(word) < 3:
            continue  # "z. B.", "т. е.", "e. V.": an abbreviation, not the end
        if following[:1].isupper() or following[:1].isdigit():
            text = text[: match.end()].rstrip()
            break
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–- ")
    return cut + "…"


def description(text: StatementText) -> str:
    """What a link preview says under the title: the preamble's first sentence (else the
    first clause's), in the text's language."""
    for markdown in (text.preamble, *(c.text for c in text.clauses[:1])):
        sentence = first_sentence(plain_text(markdown))
        if sentence:
            return sentence
    return ""


def qr_code(url: str, kind: str) -> bytes:
    """The statement's address as a QR code: "svg" for print, "png" for everything else."""
    qr = segno.make(url, error="m")
    out = io.BytesIO()
    if kind == "svg":
        qr.save(out, kind="svg", scale=10, border=4, title=url)
    else:
        qr.save(out, kind="png", scale=10, border=4)
    return out.getvalue()


@dataclass(frozen=True)
class ShareLinks:
    address: str
    telegram: str
    whatsapp: str
    email: str


def _query(values: dict[str, str]) -> str:
    # %20 for spaces, never "+": mail programs (RFC 6068) and messengers read it alike.
    return urlencode(values, quote_via=quote)


def share_links(address: str, title: str) -> ShareLinks:
    """Plain links that open Telegram, WhatsApp or the mail program with an invitation and
    the statement's address. Nothing of theirs is loaded until the reader follows one, and
    then without a referrer. Signal has no such link: the page offers the address to copy."""
    invitation = _("I signed “%(title)s”. Sign it too:") % {"title": title}
    return ShareLinks(
        address=address,
        telegram="https://t.me/share/url?" + _query({"url": address, "text": invitation}),
        whatsapp="https://wa.me/?" + _query({"text": f"{invitation} {address}"}),
        email="mailto:?" + _query({"subject": title, "body": f"{invitation}\n\n{address}"}),
    )
