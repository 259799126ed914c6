"""Rules for signatures: sign, confirm, withdraw, count and list."""

import base64
import logging
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from undersign.signatures import contacts, counting, fields, inserts, questions, tallies
from undersign.signatures.counting import reconcile_counts  # noqa: F401 (a service too)
from undersign.signatures.models import Signature, SigningNotice
from undersign.signatures.places import place_key
from undersign.signatures.text import check_link_token, email_digest, initials
from undersign.statements.models import Revision, Statement

logger = logging.getLogger(__name__)


class SigningError(Exception):
    """A signing rule refused the request; `message` is shown to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SignatureInput:
    """One submission as the signing service takes it: each declared field by name
    (`signatures.fields.FIELDS`; a consent holds the version of the text agreed to, "" when
    not given), the answers to the statement's questions by key ("q12"), and the language
    and the revision it was made in. Read `data.email` or `data.values`."""

    def __init__(
        self,
        *,
        language: str = "en",
        revision_number: int | None = None,
        answers: dict[str, Any] | None = None,
        **values: Any,
    ) -> None:
        unknown = set(values) - set(fields.BY_NAME)
        if unknown:
            raise TypeError(f"not a signer's field: {', '.join(sorted(unknown))}")
        self.values: dict[str, Any] = {f.name: values.get(f.name, f.empty) for f in fields.FIELDS}
        self.answers: dict[str, Any] = dict(answers or {})
        self.language = language
        # The revision number the form was shown with: the wording the person read.
        self.revision_number = revision_number

    def __getattr__(self, name: str) -> Any:
        if name != "values" and name in fields.BY_NAME:
            return self.values[name]
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"<SignatureInput in {self.language}>"  # never the values: they are personal


def public_name(name: str, display: str) -> str:
    if display == Signature.Display.FULL:
        return name
    if display == Signature.Display.INITIALS:
        return initials(name)
    return ""


def revision_read(statement: Statement, number: int | None) -> int:
    """The id of the revision a signer read: the one their form was shown with, when it is
    one of this statement's (the text may have changed while they were typing); else the
    current one."""
    current = statement.current_revision
    if current is None:
        raise SigningError(_("Signing of this statement is closed."))
    if number is None or current.number == number:
        return current.pk
    shown = Revision.objects.filter(statement=statement, number=number).values_list("id", flat=True)
    return shown.first() or current.pk


def prepare_signature(
    statement: Statement, data: SignatureInput
) -> tuple[str, dict[str, Any], contacts.Prepared]:
    """What a submission writes, made ready before any transaction: the email's digest, the
    `Signature` columns, and the contact (sealed where the statement is) with its transit
    box. The web form, the API and the imports (`signatures.imports`) share it."""
    digest = email_digest(data.email) if data.email else ""
    # Public answers go on the row; the others are contact data (sealed where it is).
    public, private = questions.split(questions.of(statement), data.answers)
    choices = {
        **{f.db_column: data.values[f.name] for f in fields.SIGNATURE_FIELDS},
        "public_name": public_name(data.name, data.display),
        "answers": public,
        "language": data.language,
        "revision_id": revision_read(statement, data.revision_number),
    }
    contact = contacts.ContactData(
        {f.name: data.values[f.name] for f in fields.CONTACT_FIELDS}, answers=private
    )
    return digest, choices, contacts.prepare_contact(contact, statement, choices)


def add_signature(statement: Statement, data: SignatureInput) -> None:
    """Record a pending signature and queue its confirmation mail, in one transaction.

    Returns nothing on purpose: the caller answers the same whether this email is new,
    pending, confirmed or withdrawn. Every path does the same work (the sealing, the transit
    box, one lookup by the email's digest, a row with the box, one job), so the time taken
    tells nothing either. A second submission of the same email (a double click, a retry,
    a change of mind, or someone else typing that address) finds the earlier signature, and
    a concurrent one hits the unique constraint; then a notice carrying the whole submission
    is queued instead, and the job decides (`tasks.send_notice`): a pending signature takes
    the choices of this latest submission and gets its link again, a confirmed one is never
    changed and its owner gets a note; mails at most a few a day.
    """
    if not statement.is_open or statement.current_revision_id is None:
        raise SigningError(_("Signing of this statement is closed."))
    from undersign.signatures.tasks import send_confirmation, send_notice

    digest, choices, prepared = prepare_signature(statement, data)
    # The three rows made ready before the write transaction (on SQLite its lock is held
    # throughout), and on every path, so that a repeat attempt costs the same.
    signature = inserts.Row(
        Signature,
        {
            "statement_id": statement.pk,
            "ref": secrets.token_urlsafe(18),
            "email_digest": digest,
            "city_key": place_key(choices.get("city", "")),  # as Signature.save() sets it
            **choices,
        },
    )
    contact = contacts.contact_row(prepared)
    job = inserts.task_row(send_confirmation, lambda signature_id: [signature_id])
    earlier, ids = _earlier_and_ids(statement, digest)
    if earlier is None:
        try:
            signature_id = inserts.insert_together(signature, [contact, job], ids[0])
        except IntegrityError:
            # The same email in a concurrent request won the race.
            earlier = _signature_with_digest(statement, digest)
        else:
            inserts.enqueued(job)
            # DEBUG: a line per signing was about 2% of its cost in a surge (issue 13); the
            # mail job's lines and the dashboard say how many signed.
            logger.debug("signature %s pending on statement %s", signature_id, statement.pk)
            return
    if earlier is None:  # withdrawn in the meantime: nothing to tell
        return
    # The notice and its job, as prepared rows like the first attempt's: the answer must
    # take about as long whatever the address's history.
    notice = contacts.notice_row(earlier, prepared, data.language)
    notice_job = inserts.task_row(send_notice, lambda notice_id: [notice_id])
    inserts.insert_together(notice, [notice_job], ids[1])
    inserts.enqueued(notice_job)
    logger.debug("repeat attempt on signature %s", earlier)


# The Signature columns a later submission replaces while the signature is pending.
REPLACED_CHOICES = (
    *(f.db_column for f in fields.SIGNATURE_FIELDS),
    "public_name",
    "answers",
    "language",
    "revision_id",
)


def replace_pending_choices(signature_id: int, submission: contacts.Submission) -> bool:
    """Give a pending signature the choices and contacts of a later submission for its
    address. Returns whether it did.

    The latest submission decides while nothing is confirmed: someone who signed first with
    another person's address cannot keep their choices once that person signs, and a signer
    who signs again to change how the name appears is heard. A confirmed signature is never
    changed by a submission. Counting `submissions` lets the confirm page notice a change
    made after it was shown.
    """
    fields = {k: submission.choices[k] for k in REPLACED_CHOICES if k in submission.choices}
    if "city" in fields:
        fields["city_key"] = place_key(fields["city"])  # what the dashboard groups by
    with transaction.atomic():
        replaced = Signature.objects.filter(
            pk=signature_id, status=Signature.Status.PENDING
        ).update(**fields, submissions=F("submissions") + 1)
        if replaced:
            contacts.replace_contact(signature_id, submission)
    if replaced:
        logger.info("signature %s takes the choices of a later submission", signature_id)
    return bool(replaced)


def send_link_again(statement: Statement, email: str, language: str) -> None:
    """Ask for the confirmation link again (the check-mail page's "Send the link again").

    Returns nothing, and does the same work whatever the address: no lookup here, one
    notice row holding the address in a transit box, one job. The job (`tasks.send_notice`)
    finds the signature by the address and decides as for a repeat attempt: a pending one
    gets its link again, a confirmed one a note that it counts, an unknown address nothing;
    with the same limits (`SIGNING_NOTICE_GAP_MINUTES`, `SIGNING_NOTICES_PER_DAY`).
    """
    from undersign.signatures.tasks import send_notice

    with transaction.atomic():
        notice = contacts.store_link_request(statement, email, language)
        send_notice.enqueue(notice.pk)
    logger.info("link asked for again on statement %s", statement.pk)


def signature_of_address(statement: Statement, email: str) -> int | None:
    """The id of the signature `email` made on `statement`, if any (for the mail job)."""
    return _signature_with_digest(statement, email_digest(email))


def _signature_with_digest(statement: Statement, digest: str) -> int | None:
    # Every signing attempt asks this once; a SQL string instead of a queryset saves about
    # 0.4 ms of query building each time (the unique index answers either way).
    with connection.cursor() as cursor:
        cursor.execute(_WITH_DIGEST, [statement.pk, digest])
        row = cursor.fetchone()
    return int(row[0]) if row else None


_WITH_DIGEST = (
    f"SELECT id FROM {Signature._meta.db_table} WHERE statement_id = %s AND email_digest = %s"  # noqa: S608 (table name from the model; values are parameters)
)


def _earlier_and_ids(statement: Statement, digest: str) -> tuple[int | None, list[int | None]]:
    """The signature this digest made on `statement`, if any; and on PostgreSQL the ids a
    new signature and a notice take, from their sequences in the same round trip (a
    signing waited out each one, issue 13). Both ids are taken whichever is used, so a
    first signing and a repeat do the same work. Elsewhere the database gives the ids as it
    inserts (None, None)."""
    if connection.vendor != "postgresql":
        return _signature_with_digest(statement, digest), [None, None]
    with connection.cursor() as cursor:
        cursor.execute(_WITH_DIGEST_AND_IDS, [statement.pk, digest])
        earlier, *ids = cursor.fetchone()
    return (None if earlier is None else int(earlier)), [int(n) for n in ids]


_WITH_DIGEST_AND_IDS = f"SELECT ({_WITH_DIGEST}), {inserts.next_ids((Signature, SigningNotice))}"


def signature_for_link(ref: str, purpose: str, token: str) -> Signature | None:
    """The signature a mail link points at, or None when the link is not genuine."""
    if not check_link_token(ref, purpose, token):
        return None
    return Signature.objects.select_related("statement").filter(ref=ref).first()


# From the most public way to show a name to the least.
_PRIVACY = [Signature.Display.FULL, Signature.Display.INITIALS, Signature.Display.HIDDEN]


def more_private_displays(display: str) -> list[str]:
    """The ways to show the name that reveal no more than `display`: the confirm page's
    choices."""
    return [str(d) for d in _PRIVACY[_PRIVACY.index(Signature.Display(display)) :]]


def _more_private(signature: Signature, display: str, hide_place: bool) -> dict[str, object]:
    changes: dict[str, object] = {}
    if display in more_private_displays(signature.display) and display != signature.display:
        changes["display"] = display
        full = signature.public_name if signature.display == Signature.Display.FULL else ""
        changes["public_name"] = initials(full) if display == Signature.Display.INITIALS else ""
    if hide_place:
        changes["city"] = changes["country"] = changes["city_key"] = ""
        changes["show_place"] = False  # type: ignore[assignment]
    return changes


def confirm_signature(
    signature: Signature,
    *,
    shown: int | None = None,
    display: str = "",
    hide_place: bool = False,
) -> bool:
    """Count a pending signature. Returns whether it is (now) confirmed.

    The confirm page passes `shown`, the number of submissions the signature had when the
    page showed it: if another submission replaced its choices since, nothing is confirmed
    and the page shows the new ones. It may also make the signature more private (`display`
    initials or hidden, `hide_place`); a less private choice is ignored, never applied.
    """
    rows = Signature.objects.filter(pk=signature.pk, status=Signature.Status.PENDING)
    if shown is not None:
        rows = rows.filter(submissions=shown)
    with transaction.atomic():
        current = rows.select_for_update().first()
        if current is not None and rows.update(
            status=Signature.Status.CONFIRMED,
            confirmed_at=timezone.now(),
            **_more_private(current, display, hide_place),
        ):
            tallies.count(tallies.counted_row(signature.pk), +1)  # type: ignore[arg-type]
            contacts.forget_mail_address(signature.pk)  # no reminder will be needed
        signature.refresh_from_db()
    if signature.status == Signature.Status.CONFIRMED:
        logger.info("signature %s confirmed", signature.pk)
    return signature.status == Signature.Status.CONFIRMED


def withdraw_signature(signature: Signature) -> None:
    """Take a signature off the count and erase the name and contacts it carried.

    What stays is an anonymous row (statement, revision, times) so the history of the
    count stays true.
    """
    erase: dict[str, Any] = {
        "status": Signature.Status.WITHDRAWN,
        "withdrawn_at": timezone.now(),
        **{f.db_column: f.empty for f in fields.SIGNATURE_FIELDS if f.erase},
        "public_name": "",
        "city_key": "",
        "answers": {},
        "email_digest": None,
        "hidden_reason": "",
    }
    with transaction.atomic():
        contacts.erase_contact_of(signature.pk)
        rows = Signature.objects.filter(pk=signature.pk)
        # What the breakdowns counted, read under the row lock before it is erased.
        counted = tallies.counted_row(signature.pk)
        # The conditional update decides, under the row lock, whether this withdrawal takes
        # one off the counter: two concurrent withdrawals cannot both.
        if rows.filter(status=Signature.Status.CONFIRMED).update(**erase):
            tallies.count(counted, -1)  # type: ignore[arg-type]
        else:
            rows.exclude(status=Signature.Status.WITHDRAWN).update(**erase)
        signature.refresh_from_db()
    logger.info("signature %s withdrawn", signature.pk)


def confirmed(statement: Statement) -> QuerySet[Signature]:
    return Signature.objects.filter(statement=statement, status=Signature.Status.CONFIRMED)


def signature_count(statement: Statement) -> int:
    """The public counter: confirmed, not withdrawn signatures, read from a few shard rows."""
    return counting.cached_count(statement.pk)


def hidden_count(statement: Statement) -> int:
    """How many counted signatures moderators hid from the public list."""
    return counting.hidden_count(statement.pk)


def paper_count(statement: Statement) -> int:
    """How many of the counted signatures were signed on paper (`signatures.imports`)."""
    return counting.paper_count(statement.pk)


def signature_count_by_revision(statement: Statement) -> dict[int, int]:
    """{revision id: confirmed signatures}: what each wording gathered, from the counter."""
    return counting.cached_count_by_revision(statement.pk)


def _encode_cursor(signature: Signature) -> str:
    assert signature.confirmed_at is not None
    raw = f"{signature.confirmed_at.isoformat()}|{signature.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        when = datetime.fromisoformat(stamp)
        return (when, int(pk)) if when.tzinfo else None
    except (ValueError, UnicodeDecodeError):
        return None


class BadCursor(ValueError):
    pass


def public_signatures(
    statement: Statement, *, cursor: str = "", limit: int | None = None
) -> tuple[list[Signature], str]:
    """One page of confirmed signatures with a public name, newest first.

    Keyset pagination: the cursor names the last row seen, so a deep page costs what the
    first one does. Returns the rows and the cursor of the next page ("" when none).
    """
    limit = limit or settings.SIGNATURES_PER_PAGE
    if not cursor and limit == settings.SIGNATURES_PER_PAGE:
        # The first page is what a surge of readers asks for; confirm and withdraw clear it.
        key = counting.first_page_key(statement.pk, limit)
        first: tuple[list[Signature], str] | None = cache.get(key)
        if first is None:
            first = _page(statement, "", limit)
            cache.set(key, first, settings.PUBLIC_CACHE_SECONDS)
        return first
    return _page(statement, cursor, limit)


def _page(statement: Statement, cursor: str, limit: int) -> tuple[list[Signature], str]:
    rows = (
        confirmed(statement)
        .exclude(display=Signature.Display.HIDDEN)
        .filter(hidden_at__isnull=True)  # hidden by moderators: counted, not listed
        .only("public_name", "city", "country", "show_place", "answers", "confirmed_at")
        .order_by("-confirmed_at", "-id")
    )
    if cursor:
        position = _decode_cursor(cursor)
        if position is None:
            raise BadCursor(cursor)
        when, pk = position
        # The plain `<=` bound lets the database seek into the index; the OR alone made
        # SQLite walk it from the newest row, so deep pages cost more than the first.
        rows = rows.filter(confirmed_at__lte=when).filter(
            Q(confirmed_at__lt=when) | Q(confirmed_at=when, id__lt=pk)
        )
    page = list(rows[: limit + 1])
    next_cursor = _encode_cursor(page[limit - 1]) if len(page) > limit else ""
    return page[:limit], next_cursor
