"""The one path that reads and writes contact data.

Everything that needs an email address, a full name, a phone number, a messenger handle or
volunteer details comes through here, so sealing, retention, permissions and the audit log
act in one place.

Sealed mode: when a statement names a `SealingKey`, the contacts are encrypted at submission
with a libsodium sealed box to the organisers' public key. The server can write such a box
but never open it; only `undersign contacts open` with the private key can, on the
organisers' own machine.

Transit: the confirmation mail needs the address (and the name it greets) for a while, and a
repeat attempt carries its whole submission to the job that decides what to do with it.
That part is stored encrypted (a secret box) under the transit key, which lives in the data
folder or the environment, never in the database, and it is erased once the mail has gone
out: the link in that mail is all the signer needs, and a later attempt to sign brings the
address again with it. Only while a pending signature may still get its one reminder before
the purge does the box keep the address and the name (nothing else) until then. So in
sealed mode no contact reaches the database in clear, not even for the minute before the
mail. Unsealed statements go the same way (their contacts are
kept in clear columns for the organisers, as they chose), so every path does the same work.
"""

import base64
import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

from undersign.organisers.services import log_action
from undersign.rows import Columns, first_row, split
from undersign.signatures import fields, questions
from undersign.signatures.inserts import Row
from undersign.signatures.models import Contact, Question, Signature, SigningNotice
from undersign.statements.models import Revision, Statement

logger = logging.getLogger(__name__)

SEALED_PREFIX = "sealed:v1:"  # a letter first, so a spreadsheet never reads it as a formula
TRANSIT_PREFIX = "transit:v1:"


# The contact fields, as declared (`signatures.fields`): each a column of `Contact`.
CONTACT_FIELDS = tuple(f.name for f in fields.CONTACT_FIELDS)
# What a submission writes to `Contact` besides the boxes.
COLUMNS = (*CONTACT_FIELDS, "answers")


class ContactData(dict[str, str]):
    """A signer's contact fields by name (`CONTACT_FIELDS`), each "" when not given; each
    reads as an attribute too (`data.email`). `answers` holds the answers to the questions
    for the organisers and for contacts viewers, by question key."""

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        /,
        *,
        answers: Mapping[str, Any] | None = None,
        **more: Any,
    ) -> None:
        given = {**(values or {}), **more}
        super().__init__({name: str(given.get(name) or "") for name in CONTACT_FIELDS})
        self.answers: dict[str, Any] = dict(answers or {})

    def __getattr__(self, name: str) -> str:  # data.email, data.phone
        if name in CONTACT_FIELDS:
            return self[name]
        raise AttributeError(name)


class ContactsErased(Exception):
    """The statement's contacts deletion date has passed: nothing is left to export."""


# Keys ---------------------------------------------------------------------------------------


def new_key_pair() -> tuple[str, str]:
    """A fresh (private, public) key pair, both base64."""
    private = PrivateKey.generate()
    return (
        base64.b64encode(bytes(private)).decode(),
        base64.b64encode(bytes(private.public_key)).decode(),
    )


def seal(public_key: str, data: ContactData, readable: Mapping[str, str] | None = None) -> str:
    """The contact in a sealed box. Its answers go in as a person reads them (`readable`,
    by question key): the box is opened far from the server and its questions."""
    box = SealedBox(PublicKey(base64.b64decode(public_key)))
    opened = {**data, "answers": dict(readable or {})}
    plain = json.dumps(opened, ensure_ascii=False).encode("utf-8")
    return SEALED_PREFIX + base64.b64encode(box.encrypt(plain)).decode()


def unseal(private_key: str, blob: str) -> ContactData:
    if not blob.startswith(SEALED_PREFIX):
        raise ValueError("not a sealed contact")
    box = SealedBox(PrivateKey(base64.b64decode(private_key)))
    values = json.loads(box.decrypt(base64.b64decode(blob[len(SEALED_PREFIX) :])))
    return ContactData(values, answers=values.get("answers"))


# Transit ------------------------------------------------------------------------------------


def _as_dict(submission: "Submission") -> dict[str, Any]:
    # `dataclasses.asdict` without its deep copy (a twentieth of a signing, issue 13): the
    # dict is only turned into JSON.
    return {
        "email": submission.email,
        "name": submission.name,
        "contact": submission.contact,
        "choices": submission.choices,
    }


def _lock(values: dict[str, Any]) -> str:
    box = SecretBox(settings.TRANSIT_KEY)
    plain = json.dumps(values, ensure_ascii=False).encode("utf-8")
    return TRANSIT_PREFIX + base64.b64encode(box.encrypt(plain)).decode()


def _unlock(blob: str) -> dict[str, Any] | None:
    """The values in a transit box; None when it is empty or the key cannot open it (the
    transit key changed: the mail cannot go, and the box is useless to anyone)."""
    if not blob.startswith(TRANSIT_PREFIX):
        return None
    try:
        plain = SecretBox(settings.TRANSIT_KEY).decrypt(
            base64.b64decode(blob[len(TRANSIT_PREFIX) :])
        )
    except (CryptoError, ValueError):
        logger.warning("a transit box does not open with this transit key")
        return None
    values = json.loads(plain)
    return values if isinstance(values, dict) else None


def lock_rows(rows: list[list[str]]) -> str:
    """An uploaded sheet's rows (`signatures.imports`) in a transit box, between its preview
    and its import: contacts never wait in the database in clear."""
    return _lock({"rows": rows})


def open_rows(blob: str) -> list[list[str]] | None:
    """The rows `lock_rows` boxed; None when erased or the transit key cannot open them."""
    opened = _unlock(blob)
    rows = opened.get("rows") if opened else None
    return rows if isinstance(rows, list) else None


@dataclass(frozen=True)
class Submission:
    """One signing attempt as the mail job meets it: where the mail goes, the name it greets,
    the Contact columns (clear, or sealed) and the choices for the Signature row."""

    email: str
    name: str
    contact: dict[str, Any]
    choices: dict[str, Any]


@dataclass(frozen=True)
class Prepared:
    """A submission made ready to store: the Contact columns and the transit box."""

    contact: dict[str, Any]
    transit: str


# Writing ------------------------------------------------------------------------------------


def prepare_contact(data: ContactData, statement: Statement, choices: dict[str, Any]) -> Prepared:
    """The Contact columns for `data` (in clear, or sealed if the statement says so) and the
    whole submission in a transit box.

    Done before we know whether the email signed before, so every path costs the same.
    """
    key = statement.sealing_key
    contact: dict[str, Any]
    if key is None:
        contact = {**data, "answers": data.answers, "sealed": ""}
    else:
        readable = questions.readable_answers(statement.pk, data.answers)
        contact = {**dict.fromkeys(CONTACT_FIELDS, ""), "answers": {}}
        contact["sealed"] = seal(key.public_key, data, readable)
    submission = Submission(email=data.email, name=data.name, contact=contact, choices=choices)
    return Prepared(contact=contact, transit=_lock(_as_dict(submission)))


def _box_columns(blob: str) -> dict[str, str]:
    # Every write of a sealed box writes its digest too: an unsubscribe link of a mail sent
    # from the organisers' computer finds its signer by this indexed column, not by reading
    # every box (`signature_of_sealed_digest`).
    return {"sealed": blob, "box_digest": sealed_digest(blob) if blob else ""}


def store_contact(signature: Signature, prepared: Prepared) -> Contact:
    columns = {**prepared.contact, **_box_columns(str(prepared.contact.get("sealed") or ""))}
    return Contact.objects.create(signature=signature, transit=prepared.transit, **columns)


def contact_row(prepared: Prepared) -> Row:
    """The Contact row `store_contact` would write, made ready before the transaction; its
    signature's id is filled in when it is inserted (`inserts.Row.insert`)."""
    columns = {**prepared.contact, **_box_columns(str(prepared.contact.get("sealed") or ""))}
    return Row(Contact, {"transit": prepared.transit, **columns}, {"signature_id": _same})


def _same(signature_id: int) -> int:
    return signature_id


def notice_row(signature_id: int, prepared: Prepared, language: str) -> Row:
    """The notice of a repeat attempt on `signature_id`, made ready to insert."""
    values = {"signature_id": signature_id, "transit": prepared.transit, "language": language}
    return Row(SigningNotice, values)


def store_link_request(statement: Statement, email: str, language: str) -> SigningNotice:
    """A request for the link again: a notice with the address only, and no signature yet."""
    submission = Submission(email=email, name="", contact={}, choices={})
    return SigningNotice.objects.create(
        statement=statement, transit=_lock(_as_dict(submission)), language=language
    )


def attach_notice(notice: SigningNotice, signature_id: int) -> None:
    """A request for the link again found its signature: it counts among its notices."""
    SigningNotice.objects.filter(pk=notice.pk).update(signature_id=signature_id)
    notice.signature = Signature.objects.select_related("statement").get(pk=signature_id)


def replace_contact(signature_id: int, submission: Submission) -> None:
    """Give a pending signature's contact the columns of a later submission. Its transit box
    is replaced only while the confirmation mail still needs one (then it greets the latest
    name); once erased it stays erased."""
    columns = {k: v for k, v in submission.contact.items() if k in COLUMNS}
    if "sealed" in submission.contact:
        columns.update(_box_columns(str(submission.contact["sealed"] or "")))
    Contact.objects.filter(signature_id=signature_id).update(**columns)
    Contact.objects.filter(signature_id=signature_id).exclude(transit="").update(
        transit=_address_box(submission.email, submission.name)
    )


def _address_box(email: str, name: str) -> str:
    # All a signature's mails need (`contact_for_mail`): where to, and whom they greet.
    return _lock({"email": email, "name": name})


@cache
def _after_mail(vendor: str) -> tuple[str, str]:
    """The two UPDATEs of a contact's transit box once its mail went out, as SQL strings
    built once: they run for every mail the worker sends (issue 13). Names from the models;
    the values are parameters."""
    quote = connection.ops.quote_name
    contacts = quote(Contact._meta.db_table)
    signatures = quote(Signature._meta.db_table)
    forget = f"UPDATE {contacts} SET transit = '' WHERE signature_id = %s"  # noqa: S608
    keep = (
        f"UPDATE {contacts} SET transit = CASE WHEN EXISTS (SELECT 1 FROM {signatures}"  # noqa: S608
        " WHERE id = %s AND status = %s AND reminded_at IS NULL) THEN %s ELSE '' END"
        " WHERE signature_id = %s"
    )
    return forget, keep


def forget_mail_address(signature_id: int) -> None:
    """The confirmation mail is out (or failed for good), the reminder went, or the
    signature was confirmed: the transit box goes."""
    forget, _keep = _after_mail(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(forget, [signature_id])


def keep_address_for_reminder(signature_id: int, email: str, name: str) -> None:
    """The confirmation mail is out and the signature may need its one reminder before the
    purge: the transit box keeps the address and the name, nothing else, still encrypted
    under the transit key (outside the database), until the reminder went out or the
    signature was confirmed, withdrawn or purged. Otherwise (confirmed, withdrawn or already
    reminded by then) it goes."""
    _forget, keep = _after_mail(connection.vendor)
    box = _address_box(email, name)
    with connection.cursor() as cursor:
        cursor.execute(keep, [signature_id, Signature.Status.PENDING.value, box, signature_id])


def forget_notice_address(notice_id: int, *, sent: bool) -> None:
    SigningNotice.objects.filter(pk=notice_id).update(
        transit="", sent_at=timezone.now() if sent else None
    )


def erase_contacts_of(statement: Statement) -> int:
    """Delete every contact (and pending notice) of a statement; the signatures stay counted."""
    with transaction.atomic():
        SigningNotice.objects.filter(
            Q(signature__statement=statement) | Q(statement=statement)
        ).delete()
        deleted, _ = Contact.objects.filter(signature__statement=statement).delete()
    return deleted


def erase_contact_of(signature_id: int) -> None:
    SigningNotice.objects.filter(signature_id=signature_id).delete()
    Contact.objects.filter(signature_id=signature_id).delete()


# Reading ------------------------------------------------------------------------------------


@cache
def _mail_plan(vendor: str) -> tuple[str, tuple[Columns, ...]]:
    contact = Columns(Contact, "c")
    signature = Columns(Signature, "s")
    statement = Columns(Statement, "st")
    # The mail names the wording signed: its titles, not its whole text.
    revision = Columns(Revision, "r", skip=("text",))
    shares = (contact, signature, statement, revision)
    names = [name for share in shares for name in share.names()]
    sql = (
        f"SELECT {', '.join(names)} FROM {contact.table}"  # noqa: S608
        f" INNER JOIN {signature.table} ON s.id = c.signature_id"
        f" INNER JOIN {statement.table} ON st.id = s.statement_id"
        f" INNER JOIN {revision.table} ON r.id = s.revision_id"
        " WHERE c.signature_id = %s"
    )
    return sql, shares


def _contact_with_signature(signature_id: int) -> Contact | None:
    """What `Contact.objects.select_related("signature__statement", "signature__revision")`
    gives, read with one SQL string built once: every mail the worker sends starts here, and
    the queryset cost 2 ms of Python to build each time (issue 13)."""
    sql, shares = _mail_plan(connection.vendor)
    row = first_row(sql, [signature_id])
    if row is None:
        return None
    contact, signature, statement, revision = (
        share.instance(values) for share, values in zip(shares, split(row, *shares), strict=True)
    )
    Signature.statement.field.set_cached_value(signature, statement)  # type: ignore[attr-defined]
    Signature.revision.field.set_cached_value(signature, revision)  # type: ignore[attr-defined]
    Contact.signature.field.set_cached_value(contact, signature)  # type: ignore[attr-defined]
    return contact


def contact_for_mail(signature_id: int) -> Contact | None:
    """The contact a system mail goes to, its `email` and `name` opened from the transit box
    (empty once the mail went out); None once the signature was withdrawn."""
    contact = _contact_with_signature(signature_id)
    if contact is not None:
        opened = _unlock(contact.transit) or {}
        contact.email = str(opened.get("email", ""))
        contact.name = str(opened.get("name", ""))
    return contact


def notice_for_mail(notice_id: int) -> tuple[SigningNotice, Submission] | None:
    """A waiting notice with its address, and the submission it carries; None once it was
    handled (or its box does not open)."""
    notice = (
        SigningNotice.objects.select_related("signature", "signature__statement", "statement")
        .filter(pk=notice_id)
        .exclude(transit="")
        .first()
    )
    opened = _unlock(notice.transit) if notice is not None else None
    if notice is None or opened is None:
        return None
    contact = dict(opened.get("contact") or {})
    submission = Submission(
        email=str(opened.get("email", "")),
        name=str(opened.get("name", "")),
        contact={
            **{k: str(contact.get(k) or "") for k in (*CONTACT_FIELDS, "sealed")},
            "answers": dict(contact.get("answers") or {}),
        },
        choices=dict(opened.get("choices") or {}),
    )
    notice.email = submission.email
    return notice, submission


@dataclass(frozen=True)
class ContactCard:
    """One signer's contacts as an organiser sees them: clear text, or sealed. Each contact
    field reads as an attribute (`card.email`)."""

    values: dict[str, str] = field(default_factory=dict)
    # Answers to the questions for the organisers or contacts viewers, by question key.
    answers: dict[str, Any] = field(default_factory=dict)
    # The sealed box, as stored: only `undersign contacts open` with the key opens it.
    sealed: str = ""

    def __getattr__(self, name: str) -> str:
        if name in CONTACT_FIELDS:
            return self.values.get(name, "")
        raise AttributeError(name)

    @property
    def is_sealed(self) -> bool:
        return bool(self.sealed)

    @property
    def shown(self) -> list[tuple[str, str, str]]:
        """(name, label, value) of each contact field given, in the declared order."""
        return [
            (f.name, str(f.label), self.values[f.name])
            for f in fields.CONTACT_FIELDS
            if self.values.get(f.name)
        ]


def _card(contact: Contact | None) -> ContactCard:
    if contact is None:  # erased on the statement's deletion date
        return ContactCard()
    if contact.sealed:
        return ContactCard(sealed=contact.sealed)
    return ContactCard(
        values={f: getattr(contact, f) for f in CONTACT_FIELDS}, answers=contact.answers or {}
    )


def ensure_contacts_kept(statement: Statement) -> None:
    deletion = statement.contacts_delete_on
    if deletion is not None and deletion <= timezone.localdate():
        raise ContactsErased(statement.slug)


def cards_for(signature_ids: list[int]) -> dict[int, ContactCard]:
    """The contacts of a page of signers, by signature id. The caller records the view in
    the audit log in the same transaction (`contacts.view`)."""
    rows = Contact.objects.filter(signature_id__in=signature_ids)
    return {c.signature_id: _card(c) for c in rows}


def view_cards(
    statement: Statement,
    signature_ids: list[int],
    *,
    actor: Any,
    described_filter: dict[str, Any],
) -> dict[int, ContactCard]:
    """The contacts of a page of signers, for an organiser's eyes: read and recorded in the
    audit log (`contacts.view`: who, which filter, how many rows, how many sealed) in one
    transaction, so no view goes unrecorded."""
    ensure_contacts_kept(statement)
    with transaction.atomic():
        cards = cards_for(signature_ids)
        sealed_rows = sum(1 for card in cards.values() if card.is_sealed)
        log_action(
            "contacts.view",
            actor=actor,
            obj=statement,
            data={
                "filter": described_filter,
                "rows": len(signature_ids),
                "sealed": sealed_rows == len(signature_ids),
                "sealed_rows": sealed_rows,
            },
        )
    return cards


def with_contacts(
    signatures: QuerySet[Signature], fields: tuple[str, ...], chunk: int = 2000
) -> Iterator[tuple[tuple, ContactCard]]:
    """The `fields` of each signature of a (possibly huge) set, with its contacts, as
    tuples in flat memory. The caller records the export in the audit log before it reads
    (`contacts.export`)."""
    contact_fields = ("contact__signature_id", *(f"contact__{f}" for f in CONTACT_FIELDS))
    rows = signatures.values_list(*fields, *contact_fields, "contact__answers", "contact__sealed")
    n = len(fields)
    for values in rows.iterator(chunk_size=chunk):
        contact_id, *clear, answers, sealed = values[n:]
        if contact_id is None:  # erased on the statement's deletion date
            card = ContactCard()
        elif sealed:
            card = ContactCard(sealed=sealed)
        else:
            card = ContactCard(
                values=dict(zip(CONTACT_FIELDS, clear, strict=True)), answers=answers or {}
            )
        yield values[:n], card


def answer_condition(question: Question, value: str) -> Q:
    """The signatures whose clear contact data holds this answer to a question for the
    organisers (a sealed contact is never read here)."""
    return questions.answer_condition("contact__answers", question, value)


def record_answer_filter(
    statement: Statement, *, actor: Any, described_filter: dict[str, Any]
) -> None:
    """A list filtered by answers meant for the organisers tells who gave them: each page
    asked is recorded in the audit log (`contacts.filter`: who, which filter)."""
    with transaction.atomic():
        log_action("contacts.filter", actor=actor, obj=statement, data={"filter": described_filter})


def answer_counts(statement: Statement, asked: list[Question]) -> dict[str, int]:
    """{"q12=c3": n} of the counted signers' clear answers to these questions for the
    organisers, in one query; sealed contacts are not counted (the server cannot read
    them)."""
    wanted = {
        f"{q.key}={value}": questions.answer_condition("contact__answers", q, value)
        for q in asked
        for value in questions.filter_values(q)
    }
    if not wanted:
        return {}
    aliases = {f"n{i}": key for i, key in enumerate(wanted)}
    totals = Signature.objects.filter(
        statement=statement, status=Signature.Status.CONFIRMED
    ).aggregate(**{alias: Count("id", filter=wanted[key]) for alias, key in aliases.items()})
    return {key: int(totals[alias] or 0) for alias, key in aliases.items()}


def sealed_share(signatures: QuerySet[Signature]) -> tuple[int, int]:
    """(rows, of them sealed) of a set of signatures, for an honest audit entry."""
    totals = signatures.order_by().aggregate(
        rows=Count("id"),
        sealed=Count("id", filter=Q(contact__isnull=False) & ~Q(contact__sealed="")),
    )
    return int(totals["rows"] or 0), int(totals["sealed"] or 0)


# Sealing what is stored --------------------------------------------------------------------


def sealing_state(statement: Statement) -> tuple[int, int]:
    """(sealed, all) contacts of a statement's signatures."""
    totals = Contact.objects.filter(signature__statement=statement).aggregate(
        all=Count("signature_id"), sealed=Count("signature_id", filter=~Q(sealed=""))
    )
    return int(totals["sealed"] or 0), int(totals["all"] or 0)


def seal_stored(statement: Statement, *, batch: int = 500) -> int:
    """Seal every clear-text contact of `statement` to its key, in batches; returns how
    many it sealed. A contact still waiting for its confirmation mail keeps the address
    (and the name the mail greets) until `forget_mail_address`, like a new sealed one."""
    key = statement.sealing_key
    if key is None:
        return 0
    sealed = 0
    while True:
        with transaction.atomic():
            rows = list(
                Contact.objects.select_for_update()
                .filter(signature__statement=statement, sealed="")
                .select_related("signature")
                .order_by("signature_id")[:batch]
            )
            for contact in rows:
                data = ContactData(
                    {f: getattr(contact, f) for f in CONTACT_FIELDS}, answers=contact.answers
                )
                readable = questions.readable_answers(statement.pk, data.answers)
                keep_address = contact.signature.mail_sent_at is None and (
                    contact.signature.status == Signature.Status.PENDING
                )
                cleared = {
                    **dict.fromkeys(CONTACT_FIELDS, ""),
                    "answers": {},
                    # The mail still to go needs the address and the name it greets.
                    "name": data.name if keep_address else "",
                    "email": data.email if keep_address else "",
                }
                Contact.objects.filter(pk=contact.pk).update(
                    **_box_columns(seal(key.public_key, data, readable)), **cleared
                )
        sealed += len(rows)
        if len(rows) < batch:
            return sealed


# Mailings ------------------------------------------------------------------------------------


def mailing_address(signature_id: int) -> str:
    """The clear address a mailing goes to: "" when the contact is sealed (only the
    organisers' own computer can open it), erased or has none. The caller recorded the
    mailing in the audit log when it started (`contacts.mailing`)."""
    found = (
        Contact.objects.filter(signature_id=signature_id, sealed="")
        .values_list("email", flat=True)
        .first()
    )
    return found or ""


DIGEST_LENGTH = 40


def sealed_digest(blob: str) -> str:
    """A name for one sealed box that both the server and the holder of a sealed export can
    compute, without the address: the unsubscribe token of a mail sent from the
    organisers' computer (`undersign mailing send`)."""
    return hashlib.sha256(f"undersign.unsubscribe:{blob}".encode()).hexdigest()[:DIGEST_LENGTH]


def signature_of_sealed_digest(digest: str) -> int | None:
    """The confirmed signature whose sealed contact has this digest: one lookup by the
    indexed `box_digest`, whatever the number of signers (a made-up token costs no more
    than a real one). Never reads or opens a box."""
    if len(digest) != DIGEST_LENGTH or digest.strip("0123456789abcdef"):
        return None
    found = (
        Contact.objects.filter(box_digest=digest, signature__status=Signature.Status.CONFIRMED)
        .values_list("signature_id", flat=True)
        .first()
    )
    return int(found) if found is not None else None
