"""The results as a PDF for the record and for handing over: the tallies of every text and
clause (online, paper, both) with their charts, and the consensus map. Aggregates only.

Made with WeasyPrint, imported only when a PDF is asked for (it needs Pango); the font is the
DejaVu Sans the project ships (Cyrillic whatever fonts the server has), and WeasyPrint may
read those font files and nothing else.
"""

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from undersign.assemblies import results
from undersign.assemblies.charts import text_chart
from undersign.assemblies.models import Assembly

FONTS = Path(__file__).resolve().parent.parent / "public" / "fonts"


class PdfUnavailable(Exception):
    """WeasyPrint cannot run here (Pango is missing)."""


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            "Cannot make the PDF: WeasyPrint needs Pango (Debian: apt-get install "
            f"libpango-1.0-0 libpangoft2-1.0-0) ({error})"
        ) from None
    # Its progress lines (one per step and page) would fill the server's log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return weasyprint


def _fonts_only() -> Any:
    """A URL fetcher that reads our font files and nothing else: no network, no other file.

    WeasyPrint 68 and later take a URLFetcher object (and no longer a function)."""
    from weasyprint.urls import URLFetcher

    fonts = FONTS.as_uri() + "/"

    class FontsOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(fonts) and ".." not in url:
                return super().fetch(url, headers)
            raise ValueError(f"not fetched: {url[:60]}")

    return FontsOnly(allowed_protocols=["file"])


def results_pdf(assembly: Assembly) -> bytes:
    """The PDF of the results, in the current language."""
    weasyprint = _weasyprint()
    data = results.assembly_results(assembly)
    marks = results.marks(data)
    context = {
        "assembly": assembly,
        "results": data,
        "fonts": FONTS.as_uri(),
        "computed": datetime.fromisoformat(data["computed_at"]),
        "texts": [
            {
                **text,
                "chart": text_chart(text, ident=f"pdf-{text['id']}"),
                "rows": [{**c, "mark": marks.get(c["id"], "")} for c in text["clauses"]],
            }
            for text in data["texts"]
        ],
        **results.consensus_view(data),
    }
    html = render_to_string("assemblies/results_pdf.html", context)
    return bytes(weasyprint.HTML(string=html, url_fetcher=_fonts_only()).write_pdf())
