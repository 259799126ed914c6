"""Retention: personal data is kept no longer than it serves the signer.

`purge` deletes signatures never confirmed within `UNCONFIRMED_RETENTION_DAYS`, the addresses
of handled repeat-attempt notices after a day, and on a statement's contacts deletion date
every contact of that statement. Confirmed signatures stay, so the counts stay true.

The worker runs it on a schedule: `purge_regularly` is a task that runs the purge and
queues itself again `PURGE_EVERY_MINUTES` later (`ensure_purge_scheduled`, called when a
worker starts, queues the first one if none waits). It lives in the durable queue, so
it survives restarts and needs no cron; with several workers one of them claims it.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from undersign.organisers.services import log_action
from undersign.signatures import contacts
from undersign.signatures.models import Signature, SigningNotice
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


@task()
def purge_regularly() -> str:
    try:
        result = purge()
    finally:
        # Queue the next run even if this one failed: retention must not stop silently.
        with transaction.atomic():
            purge_regularly.using(
                run_after=timezone.now() + timedelta(minutes=settings.PURGE_EVERY_MINUTES)
            ).enqueue()
    return f"{result.unconfirmed} unconfirmed, {result.contacts} contacts"


def ensure_purge_scheduled() -> None:
    """Queue the recurring purge unless one already waits (called as a worker starts)."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=purge_regularly.module_path, status__in=["READY", "RUNNING"]
    )
    if not waiting.exists():
        purge_regularly.enqueue()
