"""Background work of the signatures app, run by `undersign worker` from the durable queue."""

import logging
import smtplib
import time
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django_tasks import task

from undersign.signatures import contacts, delivery
from undersign.signatures.emails import confirmation_mail, notice_mail, reminder_mail
from undersign.signatures.models import Contact, Signature, SigningNotice
from undersign.signatures.retention import reminders_on
from undersign.signatures.services import replace_pending_choices, signature_of_address

logger = logging.getLogger(__name__)


def retry_delay(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** (attempt - 1), 3600))


def _durably(write: Callable[[], None]) -> None:
    """Record that a mail went out, through a lost database connection if need be: a job
    that fails here runs again and sends the mail a second time."""
    for pause in (0.1, 0.5, 2.0, None):
        # The connection may have died while the mail server talked: open a new one outside
        # the transaction (inside it, Django may not reconnect).
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        try:
            with transaction.atomic():
                write()
            return
        except (OperationalError, InterfaceError):
            if pause is None:
                raise
            time.sleep(pause)


@cache
def _sent_sql(vendor: str) -> str:
    # Run for every mail the worker sends: built once (the ORM's update cost 0.5 ms of
    # Python to build each time, issue 13). Names from the model; values are parameters.
    table = connection.ops.quote_name(Signature._meta.db_table)
    return f"UPDATE {table} SET mail_sent_at = %s WHERE id = %s"  # noqa: S608


def _record_sent(contact: Contact) -> None:
    signature_id = contact.signature_id

    def write() -> None:
        sent_at = Signature._meta.get_field("mail_sent_at").get_db_prep_value(
            timezone.now(), connection
        )
        with connection.cursor() as cursor:
            cursor.execute(_sent_sql(connection.vendor), [sent_at, signature_id])
        if reminders_on():
            contacts.keep_address_for_reminder(signature_id, contact.email, contact.name)
        else:
            contacts.forget_mail_address(signature_id)

    _durably(write)


@task()
def send_confirmation(signature_id: int, attempt: int = 1) -> str:
    """Send the confirm-or-withdraw mail of one signature; retry with backoff if the mail
    server fails. The job carries only the id: no address sits in the queue table."""
    contact = contacts.contact_for_mail(signature_id)
    if contact is None or contact.signature.mail_sent_at is not None or not contact.email:
        # Withdrawn or purged in the meantime, or already sent by an earlier run.
        return "skipped"
    try:
        delivery.send(confirmation_mail(contact))
    except (smtplib.SMTPException, OSError) as error:
        if attempt >= settings.MAIL_MAX_ATTEMPTS:
            logger.error(
                "confirmation of signature %s failed for good: %s",
                signature_id,
                type(error).__name__,
            )
            contacts.forget_mail_address(signature_id)
            return "failed"
        delay = retry_delay(attempt)
        logger.warning(
            "confirmation of signature %s failed (%s), retry in %s",
            signature_id,
            type(error).__name__,
            delay,
        )
        with transaction.atomic():
            send_confirmation.using(run_after=timezone.now() + delay).enqueue(
                signature_id, attempt + 1
            )
        return "retry"
    _record_sent(contact)
    logger.info("confirmation of signature %s sent", signature_id)
    return "sent"


@task()
def send_reminder(signature_id: int, attempt: int = 1) -> str:
    """The one reminder to a signer who has not confirmed, a day or so before the purge
    (claimed once by `retention.remind`); retried with backoff if the mail server fails.
    The address goes with it."""
    contact = contacts.contact_for_mail(signature_id)
    if contact is None:
        return "skipped"  # withdrawn or purged
    if contact.signature.status != Signature.Status.PENDING or not contact.email:
        contacts.forget_mail_address(signature_id)
        return "skipped"  # confirmed meanwhile, or already sent by an earlier run
    try:
        delivery.send(reminder_mail(contact))
    except (smtplib.SMTPException, OSError) as error:
        if attempt >= settings.MAIL_MAX_ATTEMPTS:
            logger.error("reminder of signature %s failed for good", signature_id)
            contacts.forget_mail_address(signature_id)
            return "failed"
        delay = retry_delay(attempt)
        logger.warning(
            "reminder of signature %s failed (%s), retry in %s",
            signature_id,
            type(error).__name__,
            delay,
        )
        with transaction.atomic():
            send_reminder.using(run_after=timezone.now() + delay).enqueue(signature_id, attempt + 1)
        return "retry"
    _durably(lambda: contacts.forget_mail_address(signature_id))
    logger.info("reminder of signature %s sent", signature_id)
    return "sent"


def _notice_allowed(notice: SigningNotice) -> bool:
    """Throttle: no notice while the first mail is still on its way or within a few minutes
    of the last mail (a double click, a retry), and at most a few a day per signature."""
    signature = notice.signature
    now = timezone.now()
    if signature is None:
        return False
    if signature.status == Signature.Status.WITHDRAWN or signature.mail_sent_at is None:
        return False
    if signature.mail_sent_at > now - timedelta(minutes=settings.SIGNING_NOTICE_GAP_MINUTES):
        return False
    sent_today = SigningNotice.objects.filter(
        signature_id=signature.pk, sent_at__gte=now - timedelta(days=1)
    ).count()
    return sent_today < settings.SIGNING_NOTICES_PER_DAY


@task()
def send_notice(notice_id: int) -> str:
    """Someone tried to sign again with an address that signed. A pending signature first
    takes the choices of this latest submission (whatever the mail throttle decides), then
    its owner gets the confirmation link again; a confirmed one is left as it is and its
    owner gets a short note. Tried once; the submission is erased whatever happens.

    A request for the link again (`services.send_link_again`) is decided the same way, once
    its address has found a signature; for an address that signed nothing, nothing is sent.
    """
    opened = contacts.notice_for_mail(notice_id)
    if opened is None:
        contacts.forget_notice_address(notice_id, sent=False)
        return "skipped"
    notice, submission = opened
    asked = notice.signature is None  # "send the link again": the address finds its signature
    if asked:
        found = None
        if notice.statement is not None:
            found = signature_of_address(notice.statement, submission.email)
        if found is None:
            contacts.forget_notice_address(notice_id, sent=False)
            return "nobody"
        contacts.attach_notice(notice, found)
    assert notice.signature is not None
    if submission.choices and notice.signature.status == Signature.Status.PENDING:
        # A repeat attempt carries its choices (a request for the link carries none).
        replace_pending_choices(notice.signature.pk, submission)
        notice.signature.refresh_from_db()
    if not _notice_allowed(notice):
        contacts.forget_notice_address(notice_id, sent=False)
        return "throttled"
    try:
        delivery.send(notice_mail(notice, asked=asked))
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("notice %s failed (%s)", notice_id, type(error).__name__)
        contacts.forget_notice_address(notice_id, sent=False)
        return "failed"
    with transaction.atomic():
        contacts.forget_notice_address(notice_id, sent=True)
        Signature.objects.filter(pk=notice.signature.pk).update(mail_sent_at=timezone.now())
    logger.info("notice %s for signature %s sent", notice_id, notice.signature.pk)
    return "sent"


@task()
def import_sheet(import_id: int, user_id: int | None = None) -> str:
    """The workspace's import of a sheet (`imports.queue_import`): `run_import`, which goes
    on from the last chunk written, so a job run again after its worker was killed doubles
    nobody. The job carries ids only; the rows stay in their transit box."""
    from django.contrib.auth import get_user_model

    from undersign.signatures import imports
    from undersign.signatures.models import SignatureImport

    upload = SignatureImport.objects.select_related("statement").filter(pk=import_id).first()
    if upload is None or not upload.is_open or upload.queued_at is None:
        return "skipped"  # imported (by an earlier run of this job) or discarded meanwhile
    if upload.failed_at is not None:  # run again after a passing error: running, then
        SignatureImport.objects.filter(pk=import_id).update(failed_at=None)
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        counts = imports.run_import(upload, actor=actor, progress=None)
    except imports.ImportBusy:
        return "busy"  # another run (a job, the command) has it: it goes on
    except imports.ImportError_:
        # A reason the page says again (the statement closed, a column no longer there).
        logger.warning("import %s stopped", import_id)
        imports.import_failed(import_id)
        return "failed"
    except Exception as error:
        # Failed as a job too: one that failed on a passing error is run again. The error's
        # text may quote a row: only its kind is logged.
        logger.error("import %s failed (%s)", import_id, type(error).__name__)
        imports.import_failed(import_id)
        raise
    logger.info("import %s done: %s", import_id, counts)
    return "done"
