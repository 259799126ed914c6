"""What the workspace's views share: the access decorator and small reading helpers."""

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import get_language_info
from django.views.decorators.cache import never_cache

from undersign.organisers import two_factor
from undersign.organisers.access import roles_of_this_request
from undersign.organisers.models import AuditEntry
from undersign.statements.access import may_use_workspace
from undersign.statements.models import Statement
from undersign.statements.services import original_hash


def _to(url_name: str, request: HttpRequest) -> HttpResponse:
    query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    return redirect(f"{resolve_url(url_name)}?{query}")


def workspace_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every workspace page: anonymous people go to the login page; a person who must set up
    two-factor login first goes there; accounts in no team get a 403. Which statements and
    teams a person may touch is then asked of the access helpers, by the view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        # The roles, the teams' two-factor rule and whether the user has a device: one query
        # per request, and every access question of this request is answered from it.
        with roles_of_this_request(user, two_factor.device_annotation()) as memberships:
            request.workspace_memberships = memberships  # type: ignore[attr-defined]
            device = bool(memberships[0].confirmed_device) if memberships else None  # type: ignore[attr-defined]
            state = two_factor.login_state(user, memberships, device)
            if state == two_factor.ENROL:
                response = _to("workspace:two_factor", request)
            elif state != two_factor.OK:
                logout(request)  # a session that skipped the code: log in again, with it
                response = _to("workspace:login", request)
            elif not may_use_workspace(user, memberships):
                response = render(
                    request, "workspace/no_access.html", {"hide_menu": True}, status=403
                )
            else:
                response = view(request, *args, **kwargs)
        # Drafts and the organisers' pages stay out of search engines and shared caches.
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(login_required(wrapper))


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return code


def translation_states(statement: Statement) -> list[tuple[str, str, bool]]:
    """(code, name, out of date) for each translation, from the prefetched rows."""
    current = original_hash(statement)
    return [
        (t.language, language_name(t.language), t.original_hash != current)
        for t in statement.translations.all()
        if t.language != statement.language
    ]


def last_changes(statements: list[Statement]) -> dict[int, datetime]:
    """When each statement was last changed, read from the audit log in one query."""
    rows = (
        AuditEntry.objects.filter(
            object_type=Statement._meta.label_lower,
            object_id__in=[str(s.pk) for s in statements],
        )
        .values("object_id")
        .annotate(at=Max("created_at"))
    )
    return {int(row["object_id"]): row["at"] for row in rows}
