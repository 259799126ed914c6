"""What the workspace's views share: the access decorator and small reading helpers."""

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language_info
from django.views.decorators.cache import never_cache

from undersign.organisers.models import AuditEntry
from undersign.statements.access import may_use_workspace
from undersign.statements.models import Statement
from undersign.statements.services import original_hash


def workspace_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous people go to the login page; accounts without workspace access get a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not may_use_workspace(request.user):
            response = render(request, "workspace/no_access.html", status=403)
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
