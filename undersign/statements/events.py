"""Event windows: signing in a room (a forum hall, a meeting) where many people share one
network address. While a window is open, signing with its room code meets looser limits per
address (`undersign.abuse.signing_limited`); the window closes by itself."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from undersign.organisers.services import log_action
from undersign.statements.models import Statement
from undersign.statements.services import Actor, StatementError

# No 0/O or 1/I: read off a screen at the back of a hall and typed on a phone.
_ROOM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_room_code() -> str:
    return "".join(secrets.choice(_ROOM_ALPHABET) for _ in range(8))


@transaction.atomic
def open_event(statement: Statement, *, hours: int, actor: Actor = None) -> Statement:
    """Open an event window for `hours` from now (at most EVENT_MAX_HOURS), or move the end
    of an open one; an open window keeps its room code, already shown in the room."""
    if not 1 <= hours <= settings.EVENT_MAX_HOURS:
        raise StatementError(
            _("An event window lasts from 1 to %(max)d hours.") % {"max": settings.EVENT_MAX_HOURS}
        )
    if not statement.is_open:
        raise StatementError(_("Signing of this statement is closed."))
    if not statement.event_is_open:
        statement.event_code = new_room_code()
    statement.event_until = timezone.now() + timedelta(hours=hours)
    statement.save(update_fields=["event_code", "event_until"])
    # The code is shown in the room, not kept in the log.
    log_action(
        "statement.event_open",
        actor=actor,
        obj=statement,
        data={"hours": hours, "until": statement.event_until.isoformat()},
    )
    return statement


@transaction.atomic
def close_event(statement: Statement, *, actor: Actor = None) -> Statement:
    """End the event window now: its room code stops lifting the limits."""
    statement.event_code = ""
    statement.event_until = None
    statement.save(update_fields=["event_code", "event_until"])
    log_action("statement.event_close", actor=actor, obj=statement)
    return statement
