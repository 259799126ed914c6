"""The parts of every page around its content: the icons and style sheet, the header with
the language switcher, the footer.

They are the same for every page with the same language (and, for the header, the same
address to come back to), and are on every page: each is rendered once per such
combination and kept in this process, as the workspace's menus are (their tags cost about
half a millisecond of each organiser's page, issue 13). Everything they show is in the key.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from undersign.public.languages import autonym

register = template.Library()


@register.simple_tag
def site_head() -> SafeString:
    return _render("public/_site_head.html", get_language(), get_script_prefix())


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    """The site's name and the language switcher, which leads back to `language_next` (or
    sends the page's own form: `languages.switch_within`)."""
    key = (
        get_language(),
        str(context.get("language_next") or ""),
        context.get("language_form", ""),
        context.get("language_action", ""),
        get_script_prefix(),
    )
    if "?" in str(key[1]):
        # A query may carry what someone typed (a search of the signers for a name): such
        # a header is rendered for its page and not kept.
        return _header.__wrapped__(*key)
    return _header(*key)


@register.simple_tag
def site_footer() -> SafeString:
    return _render("public/_site_footer.html", get_language(), get_script_prefix())


@lru_cache(maxsize=64)
def _render(name: str, _language: str, _prefix: str) -> SafeString:
    return mark_safe(render_to_string(name))  # noqa: S308 (our own template's output, escaped there)


@lru_cache(maxsize=1024)
def _header(language: str, next_url: str, form: str, action: str, _prefix: str) -> SafeString:
    context = {
        "LANGUAGE_CODE": language,
        "site_languages": [(code, autonym(code)) for code, _name in settings.LANGUAGES],
        "language_next": next_url,
        "language_form": form,
        "language_action": action,
    }
    html = render_to_string("public/_site_header.html", context)
    return mark_safe(html)  # noqa: S308 (our own template's output, escaped there)
