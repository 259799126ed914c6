"""Moderation: hiding a fake or abusive public name, and marking a signature invalid.

A hidden name leaves the public list and the API but stays counted, and the public page says
how many names moderators hid. A signature marked invalid leaves the counter too (its
status becomes `invalid`, so every count of confirmed signatures leaves it out by itself).
Each action is audited on the statement and undone by its opposite.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from undersign.organisers.services import log_action
from undersign.signatures import counting, tallies
from undersign.signatures.models import Signature
from undersign.signatures.text import clean_line
from undersign.statements.models import Statement

logger = logging.getLogger(__name__)

REASON_MAX = 300


class ModerationError(Exception):
    """The action does not apply to this signature; `message` is shown to the moderator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def signature_of(statement: Statement, signature_id: int) -> Signature:
    """A counted or invalidated signature of `statement` (never a pending or withdrawn one)."""
    found = Signature.objects.filter(
        statement=statement,
        pk=signature_id,
        status__in=[Signature.Status.CONFIRMED, Signature.Status.INVALID],
    ).first()
    if found is None:
        raise ModerationError(_("This signature is not there any more."))
    return found


def _audit(action: str, signature: Signature, actor, **data) -> None:
    log_action(
        action,
        actor=actor,
        obj=signature.statement,
        data={"signature": signature.pk, **data},
    )


def hide_signature(signature: Signature, *, reason: str, actor=None) -> bool:
    """Hide a signature's public name from the public list and API, with a reason the
    moderators see. It stays counted. Returns whether it changed anything (hiding a hidden
    name again only changes the reason)."""
    reason = clean_line(reason)[:REASON_MAX]
    if not reason:
        raise ModerationError(_("Say why the name is hidden; other moderators will read it."))
    with transaction.atomic():
        rows = Signature.objects.filter(pk=signature.pk, hidden_at__isnull=True)
        changed = bool(rows.update(hidden_at=timezone.now(), hidden_reason=reason))
        if not changed:
            Signature.objects.filter(pk=signature.pk).update(hidden_reason=reason)
        _audit("signature.hide", signature, actor, reason=reason)
        counting.forget_public_data(signature.statement_id)
    signature.refresh_from_db()
    logger.info("signature %s hidden", signature.pk)
    return changed


def unhide_signature(signature: Signature, *, actor=None) -> bool:
    """Show a hidden name again. Returns whether it was hidden."""
    with transaction.atomic():
        rows = Signature.objects.filter(pk=signature.pk, hidden_at__isnull=False)
        changed = bool(rows.update(hidden_at=None, hidden_reason=""))
        if changed:
            _audit("signature.unhide", signature, actor)
            counting.forget_public_data(signature.statement_id)
    signature.refresh_from_db()
    return changed


def invalidate_signature(signature: Signature, *, reason: str = "", actor=None) -> bool:
    """Take a confirmed signature off the counter, the breakdowns and every list: a fake
    one. Its name is hidden too (with `reason`). Undone by `validate_signature`. Returns
    whether it was counted before."""
    reason = clean_line(reason)[:REASON_MAX]
    with transaction.atomic():
        counted = tallies.counted_row(signature.pk)
        rows = Signature.objects.filter(pk=signature.pk, status=Signature.Status.CONFIRMED)
        changed = bool(rows.update(status=Signature.Status.INVALID))
        if changed:
            assert counted is not None
            tallies.count(counted, -1)
            Signature.objects.filter(pk=signature.pk, hidden_at__isnull=True).update(
                hidden_at=timezone.now(), hidden_reason=reason or _("marked invalid")
            )
            _audit("signature.invalidate", signature, actor, reason=reason)
    signature.refresh_from_db()
    if changed:
        logger.info("signature %s marked invalid", signature.pk)
    return changed


def validate_signature(signature: Signature, *, actor=None) -> bool:
    """Count an invalidated signature again (its name stays hidden until unhidden).
    Returns whether it was invalid."""
    with transaction.atomic():
        counted = tallies.counted_row(signature.pk)
        rows = Signature.objects.filter(pk=signature.pk, status=Signature.Status.INVALID)
        changed = bool(rows.update(status=Signature.Status.CONFIRMED))
        if changed:
            assert counted is not None
            tallies.count(counted, +1)
            _audit("signature.validate", signature, actor)
    signature.refresh_from_db()
    return changed
