"""The workspace's menus: the pages a person's roles open, and no others; a statement's pages.

Both menus are the same for everyone with the same roles, language and statement, and are on
every workspace page: each is rendered once per such combination and kept in this process
(about a millisecond of every request, otherwise). Everything they show is in the key.
"""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from undersign.organisers.access import memberships_of
from undersign.statements.models import Statement

register = template.Library()


@register.simple_tag(takes_context=True)
def workspace_menu(context: template.Context) -> SafeString:
    """The workspace's links (the logout form, with its token, stays in the page)."""
    request = context["request"]
    memberships = getattr(request, "workspace_memberships", None)
    if memberships is None:  # a page outside workspace_view (an invitation, the login)
        memberships = list(memberships_of(request.user))
    # The same rules as statements.access.may_create and statements.audit.may_read_audit,
    # from the memberships this request read already.
    create = any(m.owner or m.editor for m in memberships)
    audit = any(m.owner for m in memberships)
    return _menu(create, audit, get_language(), get_script_prefix())


@lru_cache(maxsize=64)
def _menu(create: bool, audit: bool, _language: str, _prefix: str) -> SafeString:
    html = render_to_string("workspace/_menu.html", {"create": create, "audit": audit})
    return mark_safe(html)  # noqa: S308 (our own template's output, escaped there)


@register.simple_tag
def statement_nav(statement: Statement, here: str) -> SafeString:
    """The links to a statement's pages, `here` marked as the current one."""
    return _statement_nav(
        statement.slug, statement.is_public, here, get_language(), get_script_prefix()
    )


@lru_cache(maxsize=1024)
def _statement_nav(
    slug: str, is_public: bool, here: str, _language: str, _prefix: str
) -> SafeString:
    context = {
        "slug": slug,
        "public_url": Statement(slug=slug).get_absolute_url() if is_public else "",
        "here": here,
    }
    html = render_to_string("workspace/_statement_nav.html", context)
    return mark_safe(html)  # noqa: S308 (our own template's output, escaped there)
