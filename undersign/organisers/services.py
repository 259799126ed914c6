from typing import Any

from django.db import models

from undersign.organisers.models import AuditEntry


def log_action(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record `action` (a dotted code such as `statement.publish`) in the audit log.

    Call it inside the transaction of the change it describes, so the two commit together.
    """
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        action=action,
        actor=user,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
    )
