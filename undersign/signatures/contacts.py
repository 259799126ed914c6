"""The one path that reads and writes contact data.

Everything that needs an email address, a full name, a phone number, a messenger handle or
volunteer details comes through here, so sealing, retention, permissions and the audit log
act in one place.

Sealed mode: when a statement names a `SealingKey`, the contacts are encrypted at submission
with a libsodium sealed box to the organisers' public key. The server can write such a box
but never open it; only `undersign contacts open` with the private key can, on the
organisers' own machine. The plaintext email (and the name the mail greets) is kept only
until the confirmation mail has gone out: the link in that mail is all the signer needs, and
a later attempt to sign brings the address again with it.
"""

import base64
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from nacl.public import PrivateKey, PublicKey, SealedBox

from undersign.signatures.models import Contact, Signature, SigningNotice
from undersign.statements.models import Statement

SEALED_PREFIX = "sealed:v1:"  # a letter first, so a spreadsheet never reads it as a formula


@dataclass(frozen=True)
class ContactData:
    name: str
    email: str
    phone: str = ""
    telegram: str = ""
    signal: str = ""
    volunteer_where: str = ""


CONTACT_FIELDS = tuple(ContactData.__dataclass_fields__)


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


def seal(public_key: str, data: ContactData) -> str:
    box = SealedBox(PublicKey(base64.b64decode(public_key)))
    plain = json.dumps(asdict(data), ensure_ascii=False).encode("utf-8")
    return SEALED_PREFIX + base64.b64encode(box.encrypt(plain)).decode()


def unseal(private_key: str, blob: str) -> ContactData:
    if not blob.startswith(SEALED_PREFIX):
        raise ValueError("not a sealed contact")
    box = SealedBox(PrivateKey(base64.b64decode(private_key)))
    values = json.loads(box.decrypt(base64.b64decode(blob[len(SEALED_PREFIX) :])))
    return ContactData(**{k: str(values.get(k, "")) for k in CONTACT_FIELDS})


# Writing ------------------------------------------------------------------------------------


def prepare_contact(data: ContactData, statement: Statement) -> dict[str, str]:
    """The Contact fields for `data`: in clear, or sealed if the statement says so.

    Done before we know whether the email signed before, so both paths cost the same.
    """
    key = statement.sealing_key
    if key is None:
        return asdict(data)
    return {
        "name": data.name,  # for the greeting of the confirmation mail; erased after it
        "email": data.email,  # for the confirmation mail; erased after it
        "sealed": seal(key.public_key, data),
    }


def store_contact(signature: Signature, prepared: dict[str, str]) -> Contact:
    return Contact.objects.create(signature=signature, **prepared)


def store_notice(signature_id: int, email: str, language: str) -> SigningNotice:
    return SigningNotice.objects.create(signature_id=signature_id, email=email, language=language)


def forget_mail_address(signature_id: int) -> None:
    """The confirmation mail is out (or failed for good): a sealed contact keeps no clear text."""
    Contact.objects.filter(signature_id=signature_id).exclude(sealed="").update(name="", email="")


def forget_notice_address(notice_id: int, *, sent: bool) -> None:
    SigningNotice.objects.filter(pk=notice_id).update(
        email="", sent_at=timezone.now() if sent else None
    )


def erase_contacts_of(statement: Statement) -> int:
    """Delete every contact (and pending notice) of a statement; the signatures stay counted."""
    with transaction.atomic():
        SigningNotice.objects.filter(signature__statement=statement).delete()
        deleted, _ = Contact.objects.filter(signature__statement=statement).delete()
    return deleted


def erase_contact_of(signature_id: int) -> None:
    SigningNotice.objects.filter(signature_id=signature_id).delete()
    Contact.objects.filter(signature_id=signature_id).delete()


# Reading ------------------------------------------------------------------------------------


def contact_for_mail(signature_id: int) -> Contact | None:
    """The contact a system mail goes to; None once the signature was withdrawn."""
    return (
        Contact.objects.select_related("signature", "signature__statement")
        .filter(signature_id=signature_id)
        .first()
    )


def notice_for_mail(notice_id: int) -> SigningNotice | None:
    """A waiting notice with its address; None once it was handled."""
    return (
        SigningNotice.objects.select_related("signature", "signature__statement")
        .filter(pk=notice_id)
        .exclude(email="")
        .first()
    )


EXPORT_COLUMNS = [
    "signed_at",
    "shown_as",
    "city",
    "country",
    "volunteer",
    *CONTACT_FIELDS,
    "sealed",
]


def contacts_for_export(
    statement: Statement, *, volunteers_only: bool = False, country: str = ""
) -> Iterator[dict[str, Any]]:
    """Rows of the contacts of confirmed signatures: sealed boxes as they are, or clear text.

    The caller records the access in the audit log (`exports.export_contacts` does).
    """
    ensure_contacts_kept(statement)
    return _export_rows(statement, volunteers_only=volunteers_only, country=country)


def ensure_contacts_kept(statement: Statement) -> None:
    deletion = statement.contacts_delete_on
    if deletion is not None and deletion <= timezone.localdate():
        raise ContactsErased(statement.slug)


def _export_rows(
    statement: Statement, *, volunteers_only: bool, country: str
) -> Iterator[dict[str, Any]]:
    rows = Contact.objects.filter(
        signature__statement=statement, signature__status=Signature.Status.CONFIRMED
    ).select_related("signature")
    if volunteers_only:
        rows = rows.filter(signature__volunteer=True)
    if country:
        rows = rows.filter(signature__country=country.upper())
    for contact in rows.order_by("signature__confirmed_at", "signature_id").iterator():
        s = contact.signature
        row: dict[str, Any] = {
            "signed_at": s.confirmed_at.isoformat() if s.confirmed_at else "",
            "shown_as": s.public_name,
            "city": s.city,
            "country": str(s.country or ""),
            "volunteer": "yes" if s.volunteer else "",
            "sealed": contact.sealed,
        }
        for field in CONTACT_FIELDS:
            row[field] = "" if contact.sealed else getattr(contact, field)
        yield row


def count_for_export(statement: Statement, *, volunteers_only: bool = False, country: str = ""):
    rows = Contact.objects.filter(
        signature__statement=statement, signature__status=Signature.Status.CONFIRMED
    )
    if volunteers_only:
        rows = rows.filter(signature__volunteer=True)
    if country:
        rows = rows.filter(signature__country=country.upper())
    return rows.count()
