"""The rules of mailings: who gets one, writing and translating it, starting it, the worker's
claim → send → mark cycle, and unsubscribing.

Sending is at most once per signer. The worker hands a mail to the SMTP server up to its
final dot, then claims its `Recipient` row (WAITING → SENDING, committed), sends the dot,
and marks the row SENT in its own commit once the server said 250. A worker killed before
the claim leaves an unfinished SMTP transaction, which the server discards, and the row
WAITING: the next worker sends it. A worker killed between the claim's commit and the mark's
(the dot's round trip and one commit: a few milliseconds) leaves one row SENDING; once its
lease runs out that row becomes IN_DOUBT and is never sent again on its own (the mail almost
always went: the server had it all). So a killed worker costs at most one uncertain mail,
never a second mail; the organiser may choose to send those again (`retry_in_doubt`).
"""

import dataclasses
import hmac
import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from undersign.mailings.models import (
    DigestChoice,
    Mailing,
    MailingTranslation,
    Recipient,
    Unsubscription,
)
from undersign.organisers.services import log_action
from undersign.signatures import contacts, tallies
from undersign.signatures.models import Signature
from undersign.signatures.reporting import SignerFilter
from undersign.signatures.reporting.signers import signers
from undersign.signatures.text import clean_line, link_token
from undersign.statements.models import Statement

logger = logging.getLogger(__name__)

SUBJECT_MAX = 150
BODY_MAX = 20000


class MailingError(Exception):
    """A mailing rule refused; `message` is shown to the organiser, `field` says where."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# Who gets it -------------------------------------------------------------------------------


def audience(statement: Statement, where: SignerFilter | None = None) -> QuerySet[Signature]:
    """The confirmed signers matching the signers list's filter who agreed to be contacted
    (a moderator's view of hidden or invalid names is not an audience: the counted ones)."""
    where = where or SignerFilter()
    chosen = dataclasses.replace(where, flags=where.flags | {"contactable"}, moderation="")
    return signers(statement, chosen).order_by()


@dataclasses.dataclass(frozen=True)
class Reach:
    """How many signers a mailing reaches: all who agreed, of them sealed (the server cannot
    read those addresses: `undersign mailing send` from the organisers' computer)."""

    total: int
    sealed: int

    @property
    def by_server(self) -> int:
        return self.total - self.sealed


def reach(statement: Statement, where: SignerFilter | None = None) -> Reach:
    rows, sealed = contacts.sealed_share(audience(statement, where))
    return Reach(total=rows, sealed=sealed)


# Writing -----------------------------------------------------------------------------------


def _cleaned(subject: str, body: str) -> tuple[str, str]:
    subject = clean_line(subject)
    body = body.replace("\r\n", "\n").strip()
    if not subject:
        raise MailingError(_("Please write a subject."), "subject")
    if len(subject) > SUBJECT_MAX:
        raise MailingError(_("The subject is too long."), "subject")
    if not body:
        raise MailingError(_("Please write the text of the mail."), "body")
    if len(body) > BODY_MAX:
        raise MailingError(_("The text is too long."), "body")
    return subject, body


def _editable(mailing: Mailing) -> None:
    if mailing.status != Mailing.Status.DRAFT:
        raise MailingError(_("This mailing has started; it cannot be changed any more."))


def create_mailing(
    statement: Statement,
    *,
    subject: str,
    body: str,
    language: str,
    filter_query: str,
    actor: Any,
) -> Mailing:
    subject, body = _cleaned(subject, body)
    with transaction.atomic():
        mailing = Mailing.objects.create(
            statement=statement,
            subject=subject,
            body=body,
            language=language,
            filter_query=filter_query,
            created_by=actor,
        )
        log_action("mailing.create", actor=actor, obj=statement, data={"mailing": mailing.pk})
    return mailing


def change_mailing(
    mailing: Mailing, *, subject: str, body: str, language: str, filter_query: str, actor: Any
) -> None:
    _editable(mailing)
    subject, body = _cleaned(subject, body)
    with transaction.atomic():
        Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).update(
            subject=subject, body=body, language=language, filter_query=filter_query
        )
        log_action("mailing.edit", actor=actor, obj=mailing.statement, data={"mailing": mailing.pk})
    mailing.refresh_from_db()


def translate_mailing(
    mailing: Mailing, *, language: str, subject: str, body: str, actor: Any
) -> MailingTranslation:
    """Add or replace the mailing in another language: signers who signed in it get it."""
    _editable(mailing)
    if language == mailing.language:
        raise MailingError(_("This is the mailing's own language."), "language")
    if language not in dict(settings.LANGUAGES):
        raise MailingError(_("Choose a language."), "language")
    subject, body = _cleaned(subject, body)
    with transaction.atomic():
        found, _created = MailingTranslation.objects.update_or_create(
            mailing=mailing, language=language, defaults={"subject": subject, "body": body}
        )
        log_action(
            "mailing.translate",
            actor=actor,
            obj=mailing.statement,
            data={"mailing": mailing.pk, "language": language},
        )
    return found


def wording(mailing: Mailing, language: str) -> tuple[str, str, str]:
    """(language, subject, body) of the mailing for a signer who signed in `language`: its
    translation if there is one, else the mailing as written."""
    for translation in mailing.translations.all():
        if translation.language == language:
            return translation.language, translation.subject, translation.body
    return mailing.language, mailing.subject, mailing.body


# Starting ----------------------------------------------------------------------------------


def start_mailing(mailing: Mailing, where: SignerFilter, *, actor: Any) -> int:
    """Write one recipient row per signer the mailing reaches (whose address the server can
    read), record it in the audit log as a use of contacts, and queue the sending, in one
    transaction. Returns how many it will go to."""
    from undersign.mailings.tasks import send_mailing

    if mailing.status != Mailing.Status.DRAFT:
        raise MailingError(_("This mailing has started already."))
    # Read before the transaction: on SQLite the write lock is held for the whole block.
    ids = list(
        audience(mailing.statement, where)
        .filter(contact__sealed="")
        .exclude(contact__email="")
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not ids:
        raise MailingError(_("Nobody to send it to: no signer under this filter agreed to it."))
    with transaction.atomic():
        if not Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).update(
            status=Mailing.Status.SENDING, started_at=timezone.now()
        ):
            raise MailingError(_("This mailing has started already."))
        Recipient.objects.bulk_create(
            (Recipient(mailing_id=mailing.pk, signature_id=i) for i in ids), batch_size=1000
        )
        log_action(
            "contacts.mailing",
            actor=actor,
            obj=mailing.statement,
            data={"mailing": mailing.pk, "filter": where.described(), "rows": len(ids)},
        )
        send_mailing.enqueue(mailing.pk)
    mailing.refresh_from_db()
    return len(ids)


def send_test(mailing: Mailing, *, actor: Any, language: str = "") -> None:
    """Queue the mailing, as a signer in `language` would get it, to the organiser's own
    account address."""
    from undersign.mailings.tasks import send_test_mail

    if not getattr(actor, "email", ""):
        raise MailingError(_("Your account has no email address: add one first."))
    with transaction.atomic():
        send_test_mail.enqueue(mailing.pk, actor.pk, language or mailing.language)


def retry_in_doubt(mailing: Mailing, *, actor: Any) -> int:
    """The organiser's choice: send again to the recipients whose mail is not known to have
    gone (a worker died while sending it). Some of them may get it twice: so it is never
    done on its own. Returns how many."""
    from undersign.mailings.tasks import send_mailing

    with transaction.atomic():
        n = Recipient.objects.filter(mailing=mailing, state=Recipient.State.IN_DOUBT).update(
            state=Recipient.State.WAITING, runner="", done_at=None
        )
        if n:
            # A paused mailing stays paused: those rows go when the organiser resumes it.
            if Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENT).update(
                status=Mailing.Status.SENDING, finished_at=None
            ):
                send_mailing.enqueue(mailing.pk)
            log_action(
                "mailing.retry_in_doubt",
                actor=actor,
                obj=mailing.statement,
                data={"mailing": mailing.pk, "rows": n},
            )
    return n


def pause_mailing(mailing: Mailing, *, actor: Any) -> None:
    """Stop sending a running mailing: from the commit on, no worker claims another
    recipient (`claim` asks the mailing's state in the same UPDATE). A mail already handed
    to the mail server goes out; everyone else waits until `resume_mailing`."""
    with transaction.atomic():
        if not Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
            status=Mailing.Status.PAUSED
        ):
            raise MailingError(_("This mailing is not being sent now."))
        log_action(
            "mailing.pause",
            actor=actor,
            obj=mailing.statement,
            data={"mailing": mailing.pk, "left": _left(mailing.pk)},
        )
    mailing.refresh_from_db()


def resume_mailing(mailing: Mailing, *, actor: Any) -> None:
    """Send a paused mailing on to those still waiting. Who unsubscribed or withdrew
    meanwhile is skipped at their turn, as always."""
    from undersign.mailings.tasks import send_mailing

    with transaction.atomic():
        if not Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.PAUSED).update(
            status=Mailing.Status.SENDING
        ):
            raise MailingError(_("This mailing is not paused."))
        log_action(
            "mailing.resume",
            actor=actor,
            obj=mailing.statement,
            data={"mailing": mailing.pk, "left": _left(mailing.pk)},
        )
        # A worker still holding the lease goes on by itself; else this job takes it.
        send_mailing.enqueue(mailing.pk)
    mailing.refresh_from_db()


def _left(mailing_id: int) -> int:
    return Recipient.objects.filter(
        mailing_id=mailing_id, state__in=[Recipient.State.WAITING, Recipient.State.SENDING]
    ).count()


@dataclasses.dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int
    skipped: int
    in_doubt: int
    left: int


def progress(mailing: Mailing) -> Progress:
    by_state = dict(
        Recipient.objects.filter(mailing=mailing)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    states = Recipient.State
    return Progress(
        total=sum(by_state.values()),
        sent=by_state.get(states.SENT, 0),
        failed=by_state.get(states.FAILED, 0),
        skipped=by_state.get(states.SKIPPED, 0),
        in_doubt=by_state.get(states.IN_DOUBT, 0),
        left=by_state.get(states.WAITING, 0) + by_state.get(states.SENDING, 0),
    )


# The worker's cycle ------------------------------------------------------------------------


def take_lease(mailing_id: int, runner: str) -> bool:
    """Become the one worker sending this mailing, unless another holds a live lease. Taking
    over from a dead worker turns the row it had in hand into IN_DOUBT. A paused mailing's
    next slice lets go of its lease instead."""
    now = timezone.now()
    if release_if_paused(mailing_id, runner):
        return False
    until = now + timedelta(seconds=settings.MAILING_LEASE_SECONDS)
    with transaction.atomic():
        free = Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(runner=runner)
        taken = (
            Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING)
            .filter(free)
            .update(runner=runner, lease_until=until)
        )
        if taken:
            # A slice starts with no mail in hand: a row still SENDING was left by a worker
            # that died (or by a slice of this chain that failed) while its mail was on its way.
            doubtful = Recipient.objects.filter(
                mailing_id=mailing_id, state=Recipient.State.SENDING
            )
            n = doubtful.update(state=Recipient.State.IN_DOUBT, done_at=now)
            if n:
                logger.warning("mailing %s: %s mail(s) of a stopped worker in doubt", mailing_id, n)
    return bool(taken)


def release_if_paused(mailing_id: int, runner: str) -> bool:
    """This worker's chain stops: the mailing was paused. One conditional UPDATE, so that a
    resume committed meanwhile keeps the chain going instead."""
    return bool(
        Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.PAUSED, runner=runner).update(
            runner="", lease_until=None
        )
    )


def keep_lease(mailing_id: int, runner: str, pause: timedelta) -> None:
    """Hold the lease for the next slice, queued to run after `pause`."""
    until = timezone.now() + pause + timedelta(seconds=settings.MAILING_LEASE_SECONDS)
    Mailing.objects.filter(pk=mailing_id, runner=runner).update(lease_until=until)


def next_waiting(mailing_id: int) -> Recipient | None:
    """The next waiting recipient of a mailing, not yet claimed; None when none is left or
    the mailing was paused."""
    return (
        Recipient.objects.filter(
            mailing_id=mailing_id,
            state=Recipient.State.WAITING,
            mailing__status=Mailing.Status.SENDING,
        )
        .select_related("signature")
        .order_by("id")
        .first()
    )


def claim(recipient: Recipient, runner: str) -> bool:
    """Claim a recipient for this worker, committed before its mail's final dot; False
    when another worker took it or the organisers paused the mailing (asked in the same
    UPDATE, so a pause once committed lets no further mail go)."""
    with transaction.atomic():
        return bool(
            Recipient.objects.filter(
                pk=recipient.pk,
                state=Recipient.State.WAITING,
                mailing__status=Mailing.Status.SENDING,
            ).update(state=Recipient.State.SENDING, runner=runner)
        )


def claim_next(mailing_id: int, runner: str) -> Recipient | None:
    """The next waiting recipient, claimed for this worker; None when none is left."""
    while (recipient := next_waiting(mailing_id)) is not None:
        if claim(recipient, runner):
            return recipient
    return None


def mark(recipient: Recipient, state: str, runner: str, language: str = "") -> None:
    """Record what became of one recipient's mail, and renew the worker's lease, in one
    commit."""
    now = timezone.now()
    with transaction.atomic():
        Recipient.objects.filter(pk=recipient.pk, runner=runner).update(
            state=state, done_at=now, language=language
        )
        Mailing.objects.filter(pk=recipient.mailing_id, runner=runner).update(
            lease_until=now + timedelta(seconds=settings.MAILING_LEASE_SECONDS)
        )


def finish_if_done(mailing_id: int) -> bool:
    left = Recipient.objects.filter(
        mailing_id=mailing_id, state__in=[Recipient.State.WAITING, Recipient.State.SENDING]
    )
    if left.exists():
        return False
    Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).update(
        status=Mailing.Status.SENT, finished_at=timezone.now(), lease_until=None
    )
    return True


def may_receive(signature: Signature) -> bool:
    """Still confirmed and still agreeing, at its turn (a signer may unsubscribe or withdraw
    while the mailing runs)."""
    return signature.status == Signature.Status.CONFIRMED and bool(
        signature.contact_consent_version
    )


def stalled_mailings() -> list[int]:
    """Mailings being sent whose worker's lease ran out (or that have none): the housekeeping
    round queues them again."""
    now = timezone.now()
    return list(
        Mailing.objects.filter(status=Mailing.Status.SENDING)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("id", flat=True)
    )


# Unsubscribing -----------------------------------------------------------------------------

SEALED_TOKEN = "s"  # noqa: S105 (a prefix, not a secret). A token of a mail sent from the organisers' computer: s.<digest>


def unsubscribe_token(signature: Signature) -> str:
    """`ref.hmac`: only the server (with its secret key) makes it; the database alone does
    not."""
    return f"{signature.ref}.{link_token(signature.ref, 'unsubscribe')}"


def sealed_unsubscribe_token(sealed_box: str) -> str:
    """The token of a signer whose contact is sealed, made from the box in the export."""
    return f"{SEALED_TOKEN}.{contacts.sealed_digest(sealed_box)}"


def unsubscribe_url(token: str, language: str = "") -> str:
    """The link in a mail (and its List-Unsubscribe header): the page it opens speaks the
    signer's `language`, whatever the browser or mail program that opens it says."""
    known = language in dict(settings.LANGUAGES)
    query = "?" + urlencode({"lang": language}) if known else ""
    return f"{settings.SITE_URL}/unsubscribe/{token}{query}"


def signature_for_token(token: str) -> Signature | None:
    first, _dot, rest = token.partition(".")
    if not rest or len(token) > 120:
        return None
    if first == SEALED_TOKEN:
        found = contacts.signature_of_sealed_digest(rest)
        if found is None:
            return None
        return Signature.objects.select_related("statement").filter(pk=found).first()
    if not hmac.compare_digest(link_token(first, "unsubscribe"), rest):
        return None
    return Signature.objects.select_related("statement").filter(ref=first).first()


def unsubscribe(signature: Signature, *, way: str) -> bool:
    """The signer withdraws the consent to be contacted about this statement: no mailing
    reaches them any more, the signature itself stays. Their own act: recorded as an
    `Unsubscription`, not in the organisers' audit log. Returns whether it changed
    anything (a second click changes nothing)."""
    with transaction.atomic():
        before = tallies.counted_row(signature.pk)
        counted = Signature.objects.filter(
            pk=signature.pk, status=Signature.Status.CONFIRMED
        ).exists()
        changed = (
            Signature.objects.filter(pk=signature.pk)
            .exclude(contact_consent_version="")
            .update(contact_consent_version="")
        )
        if not changed:
            return False
        if before is not None and counted:
            # The dashboard counts who agreed: move its tallies with the change.
            tallies.count(before, -1)
            after = tallies.counted_row(signature.pk)
            tallies.count(after, +1)  # type: ignore[arg-type]
        Unsubscription.objects.create(
            signature_id=signature.pk, statement_id=signature.statement_id, way=way
        )
        Recipient.objects.filter(signature_id=signature.pk, state=Recipient.State.WAITING).update(
            state=Recipient.State.SKIPPED, done_at=timezone.now()
        )
    logger.info("signature %s unsubscribed", signature.pk)
    return True


# The daily digest --------------------------------------------------------------------------


def choose_digest(user: Any, *, daily: bool, language: str) -> None:
    """A person's own choice of the daily digest, and the language it is written in."""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    DigestChoice.objects.update_or_create(
        user=user, defaults={"daily": daily, "language": language}
    )


def digest_choice(user: Any) -> DigestChoice | None:
    return DigestChoice.objects.filter(user=user).first()


def wants_digest(user: Any) -> bool:
    return DigestChoice.objects.filter(user=user, daily=True).exists()
