"""The workspace's menu shows a person the pages their roles open, and no others."""

from django import template

from undersign.organisers.access import memberships_of

register = template.Library()


@register.simple_tag(takes_context=True)
def workspace_menu(context: template.Context) -> dict[str, bool]:
    request = context["request"]
    memberships = getattr(request, "workspace_memberships", None)
    if memberships is None:  # a page outside workspace_view (an invitation, the login)
        memberships = list(memberships_of(request.user))
    # The same rules as statements.access.may_create and statements.audit.may_read_audit,
    # from the memberships this request read already.
    return {
        "create": any(m.owner or m.editor for m in memberships),
        "audit": any(m.owner for m in memberships),
    }
