"""Retention: personal data is kept no longer than it serves the signer.

`purge` deletes signatures never confirmed within `UNCONFIRMED_RETENTION_DAYS`, the addresses
of handled repeat-attempt notices after a day, and on a statement's contacts deletion date
every contact of that statement. Confirmed signatures stay, so the counts stay true.
`remind` sends, once, a reminder to the signer of a pending signature shortly before
(`UNCONFIRMED_REMINDER_DAYS`).

The worker runs it as it starts and on every round of its `housekeeping` job
(`undersign/housekeeping.py`), which lives in the durable queue: it survives restarts,
needs no cron, and with several workers one of them claims it.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from undersign.organisers.services import log_action
from undersign.signatures import contacts
from undersign.signatures.models import Signature, SignatureImport, SigningNotice
from undersign.statements.models import Statement

logger = logging.getLogger(__name__)


@dataclass
class Purged:
    unconfirmed: int = 0
    notices: int = 0
    contacts: int = 0
    statements: int = 0


def purge() -> Purged:
    """Delete what retention says must go. Safe to run at any time, as often as wanted."""
    now = timezone.now()
    result = Purged()
    cutoff = now - timedelta(days=settings.UNCONFIRMED_RETENTION_DAYS)
    with transaction.atomic():
        stale = Signature.objects.filter(status=Signature.Status.PENDING, created_at__lt=cutoff)
        stale_ids = list(stale.values_list("pk", flat=True))
        for pk in stale_ids:
            contacts.erase_contact_of(pk)
        result.unconfirmed, _ = Signature.objects.filter(pk__in=stale_ids).delete()
        result.notices, _ = SigningNotice.objects.filter(
            created_at__lt=now - timedelta(days=1)
        ).delete()
        # An uploaded sheet left in its preview (`signatures.imports`) keeps its rows a day.
        SignatureImport.objects.filter(
            created_at__lt=now - timedelta(days=1), imported_at__isnull=True
        ).exclude(rows="").update(rows="", discarded_at=now)
    due = Statement.objects.filter(contacts_delete_on__lte=timezone.localdate())
    for statement in due:
        with transaction.atomic():
            erased = contacts.erase_contacts_of(statement)
            if erased:
                log_action("contacts.erase", obj=statement, data={"contacts": erased})
                result.statements += 1
            result.contacts += erased
    logger.info(
        "purge: %s unconfirmed signatures, %s notices, %s contacts of %s statements",
        result.unconfirmed,
        result.notices,
        result.contacts,
        result.statements,
    )
    return result


def reminders_on() -> bool:
    """Whether a pending signature gets one reminder before the purge (a setting)."""
    return 0 < settings.UNCONFIRMED_REMINDER_DAYS < settings.UNCONFIRMED_RETENTION_DAYS


def remind(batch: int = 500) -> int:
    """Queue the one reminder of each pending signature whose purge is near. Returns how
    many it queued.

    Due `UNCONFIRMED_REMINDER_DAYS` before the purge, for signatures whose confirmation mail
    went out (the address waits in the transit box for this), not within a few minutes of
    the last mail. Each is claimed by a conditional UPDATE of `reminded_at` in the
    transaction that queues its job: with several workers, a reminder is queued once.
    """
    from undersign.signatures.tasks import send_reminder

    if not reminders_on():
        return 0
    now = timezone.now()
    days = settings.UNCONFIRMED_RETENTION_DAYS
    due = Signature.objects.filter(
        status=Signature.Status.PENDING,
        reminded_at__isnull=True,
        created_at__gte=now - timedelta(days=days),
        created_at__lt=now - timedelta(days=days - settings.UNCONFIRMED_REMINDER_DAYS),
        mail_sent_at__lt=now - timedelta(minutes=settings.SIGNING_NOTICE_GAP_MINUTES),
    )
    queued = 0
    for pk in list(due.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            claimed = Signature.objects.filter(
                pk=pk, status=Signature.Status.PENDING, reminded_at__isnull=True
            ).update(reminded_at=now)
            if claimed:
                send_reminder.enqueue(pk)
        queued += claimed
    if queued:
        logger.info("reminders queued for %s unconfirmed signatures", queued)
    return queued
