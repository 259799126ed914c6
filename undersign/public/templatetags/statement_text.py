"""Statement text on pages: Markdown rendered by markdown-it-py, then cleaned by nh3."""

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info

from undersign.statements.markdown import to_html

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(to_html(text))  # noqa: S308 (to_html cleans with nh3's allow-list)


@register.filter
def language_name(code: str) -> str:
    """A language's own name (Deutsch), or its code when Django does not know it."""
    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return code
