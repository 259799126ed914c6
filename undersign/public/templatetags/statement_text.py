"""Statement text on pages: Markdown rendered by markdown-it-py, then cleaned by nh3."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from undersign.statements.markdown import to_html

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(to_html(text))  # noqa: S308 (to_html cleans with nh3's allow-list)
