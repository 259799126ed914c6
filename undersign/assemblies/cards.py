"""Access codes printed as cards for the registration desk: a PDF, one card per code with
the assembly's name, the card's number, the code, the sign-in address and a QR code that
opens the sign-in page with the code filled in.

Made on the server with WeasyPrint (imported only here: it needs Pango, and nothing else in
the app does) and segno; the font is the DejaVu Sans the project ships, so Cyrillic prints
whatever fonts the server has, and nothing is fetched from anywhere else.
"""

import csv
import io
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from undersign.assemblies.models import Assembly
from undersign.assemblies.services import NewCode
from undersign.signatures.exporters import spreadsheet_cell

FONTS = Path(__file__).resolve().parent.parent / "public" / "fonts"
# Cards per rendering pass: the progress bar moves between passes.
CHUNK = 80


class CardsUnavailable(Exception):
    """WeasyPrint cannot run here (Pango is missing)."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise CardsUnavailable(
            f"Cannot make PDF cards: WeasyPrint needs Pango (Debian: apt-get install "
            f"libpango-1.0-0 libpangoft2-1.0-0) ({error})"
        ) from None
    # Its progress lines (one per step and page) would fill the server's log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return weasyprint


def _fonts_only(weasyprint: Any) -> Any:
    """A fetcher that reads our font files and nothing else: no network, no other file."""
    prefix = FONTS.as_uri() + "/"
    urls = weasyprint.urls
    if hasattr(urls, "URLFetcher"):  # WeasyPrint 68 and later

        class FontsOnly(urls.URLFetcher):  # type: ignore[name-defined]
            def fetch(self, url: str, headers: Any = None) -> Any:
                if not url.startswith(prefix):
                    raise ValueError(f"not fetched: {url[:60]}")
                return super().fetch(url, headers)

        return FontsOnly()

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
        if not url.startswith(prefix):
            raise ValueError(f"not fetched: {url[:60]}")
        return urls.default_url_fetcher(url, *args, **kwargs)

    return fetch


def codes_csv(made: Sequence[NewCode], *, address: Callable[[str], str]) -> str:
    """The list of codes: number, name, code, and the link of each card's QR code."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["number", "name", "code", "link"])
    for new in made:
        writer.writerow([new.number, spreadsheet_cell(new.label), new.code, address(new.code)])
    return out.getvalue()


def qr_svg(address: str) -> str:
    return segno.make(address, error="m").svg_inline(scale=1, border=2, omitsize=True)


def _chunks(items: Sequence[NewCode], size: int) -> Iterator[Sequence[NewCode]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def cards_pdf(
    assembly: Assembly,
    cards: Sequence[NewCode],
    *,
    address: Callable[[str], str],
    door: str,
    language: str | None = None,
    progress: Callable[[Iterable[Sequence[NewCode]], int], Iterable[Sequence[NewCode]]]
    | None = None,
) -> bytes:
    """The PDF of `cards`: `address(code)` is the link in each QR code, `door` the sign-in
    page printed for typing the code. In `language` (default: the assembly's first)."""
    weasyprint = _weasyprint()
    language = language or (assembly.languages[0] if assembly.languages else None)
    chunks: Iterable[Sequence[NewCode]] = _chunks(cards, CHUNK)
    if progress is not None:
        chunks = progress(chunks, -(-len(cards) // CHUNK))
    documents = []
    fetcher = _fonts_only(weasyprint)
    with translation.override(language or translation.get_language()):
        for chunk in chunks:
            html = render_to_string(
                "assemblies/cards.html",
                {
                    "assembly": assembly,
                    "fonts": FONTS.as_uri(),
                    "door": door,
                    "cards": [
                        {"card": card, "qr": mark_safe(qr_svg(address(card.code)))}  # noqa: S308 (segno's SVG of our own address)
                        for card in chunk
                    ],
                },
            )
            documents.append(weasyprint.HTML(string=html, url_fetcher=fetcher).render())
    if not documents:
        return b""
    pages = [page for document in documents for page in document.pages]
    return bytes(documents[0].copy(pages).write_pdf())
