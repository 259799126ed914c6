"""A diff's pieces as <del>/<ins> on one line: the page keeps the text's own line breaks
(white-space: pre-line) and must get no others from template indentation."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from undersign.statements.diff import ADDED, REMOVED, Piece

register = template.Library()


@register.filter
def pieces(parts: list[Piece]) -> SafeString:
    # format_html escapes every piece of text; nothing typed is trusted as HTML.
    return format_html_join("", "{}", ((_piece(p),) for p in parts))


def _piece(piece: Piece) -> SafeString:
    lang = format_html(' lang="{}"', piece.language) if piece.language else ""
    if piece.kind == REMOVED:
        hint = _("Removed:")
        return format_html(
            '<del{}><span class="visually-hidden">{} </span>{}</del>', lang, hint, piece.text
        )
    if piece.kind == ADDED:
        hint = _("Added:")
        return format_html(
            '<ins{}><span class="visually-hidden">{} </span>{}</ins>', lang, hint, piece.text
        )
    if lang:
        return format_html("<span{}>{}</span>", lang, piece.text)
    return format_html("{}", piece.text)
