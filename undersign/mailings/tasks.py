"""Background work of mailings, run by `undersign worker` from the durable queue. Jobs carry
ids only: no address, no name, no subject sits in the queue table."""

import logging
import re
import smtplib
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import task

from undersign.mailings import services
from undersign.mailings.emails import mailing_mail
from undersign.mailings.models import Mailing, Recipient
from undersign.signatures import contacts
from undersign.statements.texts import title_in

logger = logging.getLogger(__name__)

# After the mail server refused to talk or failed mid-way, the mailing waits this long.
PAUSE_AFTER_TROUBLE = timedelta(seconds=30)


class _Trouble(Exception):
    """The mail server is not taking mails now: stop this slice, try again later."""


class _NotClaimed(Exception):
    """The recipient could not be claimed: another worker took it, or the organisers paused
    the mailing. Its unfinished mail was dropped with the connection: nothing went."""


def _prepare(
    mailing: Mailing, recipient: Recipient, titles: dict
) -> tuple[str, str, EmailMessage | None]:
    """(state, language, the mail) for one recipient, made before it is claimed, so that
    a worker killed while reading or composing leaves it waiting, not in doubt."""
    signature = recipient.signature
    if not services.may_receive(signature):
        return Recipient.State.SKIPPED, "", None
    address = contacts.mailing_address(signature.pk)
    if not address:
        return Recipient.State.SKIPPED, "", None
    language, subject, body = services.wording(mailing, signature.language)
    if language not in titles:
        titles[language] = str(title_in(mailing.statement, language))
    message = mailing_mail(
        subject=subject,
        body=body,
        language=language,
        to=address,
        unsubscribe_url=services.unsubscribe_url(
            services.unsubscribe_token(signature), signature.language
        ),
        title=titles[language],
    )
    return Recipient.State.SENT, language, message


def _deliver(connection, message: EmailMessage, claim: Callable[[], bool]) -> str:
    """Hand one mail to the SMTP server, claiming its recipient (`claim`, committed) only
    once the server holds the whole mail but the final dot: a worker killed before that
    leaves an unfinished SMTP transaction, which the server throws away, and the recipient
    still waiting. Only a kill between that commit and the commit of the result (the dot's
    round trip and one commit, a few milliseconds) leaves the mail in doubt. Returns the
    state to record; raises `_Trouble` when the server is not taking mails now."""
    smtp = getattr(connection, "connection", None)
    if not isinstance(smtp, smtplib.SMTP):  # mails printed to the terminal (`make run`)
        if not claim():
            raise _NotClaimed
        connection.send_messages([message])
        return Recipient.State.SENT
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    (to,) = [sanitize_address(a, encoding) for a in message.recipients()]
    data = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]  # as Django's backend
    body = re.sub(rb"(?m)^\.", b"..", data)  # RFC 5321's dot-stuffing
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    try:
        smtp.ehlo_or_helo_if_needed()
        options = [f"SIZE={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
        code, _said = smtp.mail(sender, options)
        if code == 250:
            code, _said = smtp.rcpt(to)
        if code in (250, 251):
            code, _said = smtp.docmd("DATA")
        if code != 354:
            smtp.rset()
            if 400 <= code < 500:  # not now: it may go later
                raise _Trouble(Recipient.State.WAITING)
            return Recipient.State.FAILED if claim() else Recipient.State.WAITING
        smtp.send(body)
    except (smtplib.SMTPException, OSError) as error:
        raise _Trouble(Recipient.State.WAITING) from error  # nothing was taken
    if not claim():  # taken by another worker, or paused: drop the mail with the connection
        _drop(connection, smtp)
        raise _NotClaimed
    try:
        smtp.send(b".\r\n")
        code, _said = smtp.getreply()
    except (smtplib.SMTPException, OSError) as error:
        # The connection broke while the mail was complete: it may have been taken.
        raise _Trouble(Recipient.State.IN_DOUBT) from error
    if code == 250:
        return Recipient.State.SENT
    if 400 <= code < 500:
        raise _Trouble(Recipient.State.WAITING)
    return Recipient.State.FAILED


def _drop(connection, smtp: smtplib.SMTP) -> None:
    """Close a connection in the middle of a mail's DATA: no QUIT (the server would read it
    as more of the mail and never answer), just the socket, so the server discards the mail."""
    smtp.close()
    connection.connection = None


@task()
def send_mailing(mailing_id: int, runner: str = "") -> str:
    """Send a slice of a mailing (`MAILING_SLICE_SECONDS`) at `MAILING_RATE` mails a second,
    then queue the next slice, so other mail (confirmations) gets its turn in between.
    Each mail: claim (committed) → the final dot → mark (committed); see `_deliver`. The next slice
    keeps this one's lease (`runner`, a random name), so one chain of jobs sends a mailing."""
    runner = runner or get_random_string(32)
    if not services.take_lease(mailing_id, runner):
        return "busy"  # another worker holds it, or it is done
    mailing = (
        Mailing.objects.select_related("statement", "statement__current_revision")
        .prefetch_related("translations")
        .get(pk=mailing_id)
    )
    interval = 1.0 / max(settings.MAILING_RATE, 1)
    deadline = time.monotonic() + settings.MAILING_SLICE_SECONDS
    titles: dict[str, str] = {}
    connection = get_connection()
    later = timedelta(0)
    sent = 0
    try:
        connection.open()
        # The mail and its final dot go in two writes: without this, Nagle's algorithm holds
        # the dot until the server's delayed ACK (some 40 ms a mail).
        smtp = getattr(connection, "connection", None)
        if isinstance(smtp, smtplib.SMTP) and smtp.sock is not None:
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("mailing %s: mail server unavailable (%s)", mailing_id, type(error).__name__)
        later = PAUSE_AFTER_TROUBLE
    try:
        while not later and time.monotonic() < deadline:
            recipient = services.next_waiting(mailing_id)
            if recipient is None:
                break
            started = time.monotonic()
            state, language, message = _prepare(mailing, recipient, titles)
            try:
                if message is None:
                    if not services.claim(recipient, runner):
                        continue  # another worker took it meanwhile
                else:
                    state = _deliver(
                        connection, message, partial(services.claim, recipient, runner)
                    )
            except _NotClaimed:
                break  # the next slice (if not paused) starts on a fresh connection
            except _Trouble as trouble:
                services.mark(recipient, str(trouble), runner)
                logger.warning(
                    "mailing %s: mail server trouble (%s)",
                    mailing_id,
                    type(trouble.__cause__).__name__,
                )
                later = PAUSE_AFTER_TROUBLE
                break
            services.mark(recipient, state, runner, language)
            sent += state == Recipient.State.SENT
            pause = interval - (time.monotonic() - started)
            if pause > 0:
                time.sleep(pause)
    finally:
        connection.close()
    logger.info("mailing %s: %s mail(s) sent in this slice", mailing_id, sent)
    if services.finish_if_done(mailing_id):
        return "done"
    if services.release_if_paused(mailing_id, runner):
        logger.info("mailing %s paused", mailing_id)
        return "paused"
    with transaction.atomic():
        services.keep_lease(mailing_id, runner, later)
        send_mailing.using(run_after=timezone.now() + later).enqueue(mailing_id, runner)
    return "more"


@task()
def send_test_mail(mailing_id: int, user_id: int, language: str) -> str:
    """The mailing as a signer in `language` would get it, to the organiser's own address."""
    mailing = Mailing.objects.select_related("statement").filter(pk=mailing_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if mailing is None or user is None or not user.email:
        return "skipped"
    language, subject, body = services.wording(mailing, language)
    mailing_mail(
        subject=subject,
        body=body,
        language=language,
        to=user.email,
        unsubscribe_url="",
        title=str(title_in(mailing.statement, language)),
        test=True,
    ).send()
    logger.info("test of mailing %s sent to its organiser %s", mailing_id, user_id)
    return "sent"


def resume_stalled_mailings() -> int:
    """Queue again each mailing whose worker died (its lease ran out): called by every
    housekeeping round, and so at each worker's start."""
    stalled = services.stalled_mailings()
    for mailing_id in stalled:
        with transaction.atomic():
            send_mailing.enqueue(mailing_id)
    if stalled:
        logger.warning("resumed %s mailing(s) whose worker stopped", len(stalled))
    return len(stalled)
