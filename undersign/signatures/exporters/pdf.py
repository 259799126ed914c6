"""The handover PDF: the text in one language with its revision hash, then the public
signatures as each signer chose to appear, page numbers, and the totals. Never contacts.

WeasyPrint is imported only here and only when a PDF is made: on a machine without Pango the
rest of the application still starts, and this export says in one line what is missing.
"""

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from undersign.signatures import questions
from undersign.signatures.exporters.base import Exporter, ExportError, Row
from undersign.signatures.models import Question
from undersign.signatures.reporting.dashboard import dashboard
from undersign.signatures.reporting.signers import iterate
from undersign.statements.markdown import to_html
from undersign.statements.texts import text_of_revision

FONTS = Path(settings.BASE_DIR) / "public" / "fonts"


def _weasyprint():
    # Its progress lines (some logged while it imports) say nothing an operator needs.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: the Pango library is missing
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ExportError(
            f"The PDF export needs WeasyPrint and the Pango library ({reason}); "
            "on Debian or Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        ) from None
    return weasyprint


class PdfExporter(Exporter):
    identifier = "pdf"
    verbose_name = _("Handover PDF (the text and the public signatures)")
    extension = "pdf"
    content_type = "application/pdf"
    can_hold_contacts = False

    def prepare(self) -> None:
        _weasyprint()
        if self.statement.current_revision_id is None:
            raise ExportError("This statement has no published revision to hand over.")

    def rows(self) -> Iterator[Row]:
        return iter(())  # the template reads the signatures itself, see `render`

    def render(self, columns: list[str], rows: Iterable[Row]) -> Iterator[bytes]:
        yield self._pdf()

    def _pdf(self) -> bytes:
        weasyprint = _weasyprint()
        statement = self.statement
        revision = statement.current_revision
        assert revision is not None
        language = self.language or statement.language
        text = text_of_revision(revision, language)
        ui_language = text.language if text.language in dict(settings.LANGUAGES) else "en"
        signers = iterate(
            self.queryset()
            .select_related(None)
            .only("public_name", "city", "country", "show_place", "answers", "confirmed_at")
        )
        with translation.override(ui_language):
            made_at = formats.date_format(timezone.localtime(), "DATE_FORMAT")
            footer = f"{text.title} · r{revision.number} · {made_at}"
            html = render_to_string(
                "signatures/handover.html",
                {
                    "statement": statement,
                    "text": text,
                    "preamble": _markdown(text.preamble),
                    "clauses": [(c.number, _markdown(c.text)) for c in text.clauses],
                    "postscript": _markdown(text.postscript),
                    "revision": revision,
                    "board": dashboard(statement),
                    "signer_runs": _runs(
                        signers, questions.of_statement(statement.pk), text.language
                    ),
                    "listed": self.total,
                    "filtered": not self.where.is_empty,
                    "filter_text": ", ".join(
                        f"{k}: {v}" for k, v in self.where.described().items()
                    ),
                    "made_at": made_at,
                    "footer": _css_string(footer),
                    "font_regular": (FONTS / "DejaVuSans.ttf").as_uri(),
                    "font_bold": (FONTS / "DejaVuSans-Bold.ttf").as_uri(),
                },
            )
        document = weasyprint.HTML(string=html, url_fetcher=_local_fonts(weasyprint))
        return document.write_pdf()


RUN = 200  # names per paragraph


def _runs(signers, asked: list[Question], language: str) -> Iterator[str]:
    """The names, numbered in signing order, in paragraphs of `RUN`: "1. Anna Petrova
    (Köln, Germany; public answers) · 2. …"."""
    run: list[str] = []
    for n, s in enumerate(signers, 1):
        city, country = s.shown_city, s.shown_country
        place = ", ".join(p for p in (city, country.name if country else "") if p)
        answers = questions.public_lines(asked, s.answers, language) if asked else []
        said = "; ".join(p for p in (place, *answers) if p)
        run.append(f"{n}.\u00a0{s.public_name}" + (f" ({said})" if said else ""))
        if len(run) == RUN:
            yield " · ".join(run)
            run = []
    if run:
        yield " · ".join(run)


def _markdown(text: str) -> str:
    # to_html cleans with nh3's allow-list, as on the public page.
    return mark_safe(to_html(text)) if text else ""  # noqa: S308


def _css_string(value: str) -> str:
    """`value` inside a CSS string in the <style> element: quotes, backslashes and angle
    brackets as CSS escapes, so a title can neither end the string nor the element."""
    escaped = "".join(f"\\{ord(c):x} " if c in "\\\"'<>&\n\r" else c for c in value)
    return mark_safe(escaped)  # noqa: S308 (escaped above for this one context)


def _local_fonts(weasyprint):
    """A fetcher that reads our font files and nothing else: never the network."""

    class LocalFonts(weasyprint.URLFetcher):  # type: ignore[name-defined]
        def fetch(self, url, headers=None):
            if not url.startswith(FONTS.as_uri() + "/"):
                raise ValueError(f"the handover PDF loads nothing but its fonts ({url})")
            return super().fetch(url, headers)

    return LocalFonts(allowed_protocols={"file"})
