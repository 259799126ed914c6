"""Background work of the signatures app, run by `undersign worker` from the durable queue."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from undersign.signatures.contacts import contact_for_mail
from undersign.signatures.emails import confirmation_mail
from undersign.signatures.models import Signature

logger = logging.getLogger(__name__)


def retry_delay(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** (attempt - 1), 3600))


@task()
def send_confirmation(signature_id: int, attempt: int = 1) -> str:
    """Send the confirm-or-withdraw mail of one signature; retry with backoff if the mail
    server fails. The job carries only the id: no address sits in the queue table."""
    contact = contact_for_mail(signature_id)
    if contact is None or contact.signature.mail_sent_at is not None:
        return "skipped"  # withdrawn in the meantime, or already sent by an earlier run
    try:
        confirmation_mail(contact).send()
    except (smtplib.SMTPException, OSError) as error:
        if attempt >= settings.MAIL_MAX_ATTEMPTS:
            logger.error(
                "confirmation of signature %s failed for good: %s",
                signature_id,
                type(error).__name__,
            )
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
    Signature.objects.filter(pk=signature_id).update(mail_sent_at=timezone.now())
    logger.info("confirmation of signature %s sent", signature_id)
    return "sent"
