"""Sealing that organisers run: the team's public key, chosen for a statement, and the
contacts already stored sealed to it.

The private key is made on an organiser's own computer (`undersign keys new`, offline); the
server only ever receives the public half, pasted or uploaded in the workspace.
"""

import base64
import binascii
import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from nacl.public import PublicKey

from undersign.organisers.models import SealingKey
from undersign.organisers.services import log_action
from undersign.signatures import contacts
from undersign.statements.models import Statement

logger = logging.getLogger(__name__)

# Contacts whose form was sent before the key was chosen may be stored a moment after the
# first pass: a second pass a little later seals them too.
SECOND_PASS = timedelta(minutes=1)


class SealingError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_public_key(text: str) -> str:
    """The key in `text` (base64 of 32 bytes, as `undersign keys new` prints it), or
    SealingError. Comment lines and spaces are ignored."""
    lines = [ln.strip() for ln in text.splitlines()]
    value = "".join(ln for ln in lines if ln and not ln.startswith("#")).replace(" ", "")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise SealingError(
            _(
                "This is not a public key: paste the line `undersign keys new` printed after "
                "“Public key” (44 characters ending in =)."
            )
        )
    PublicKey(raw)  # a Curve25519 public key is any 32 bytes; this documents the type
    return base64.b64encode(raw).decode()


def add_key(*, name: str, public_key: str, actor=None) -> SealingKey:
    """Store the public half of an organisers' key pair. Raises SealingError for a bad or
    already known key or name."""
    key = parse_public_key(public_key)
    name = " ".join(name.split())[:100]
    if not name:
        raise SealingError(_("Give the key a name your team recognises."))
    existing = SealingKey.objects.filter(public_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            created = SealingKey.objects.create(name=name, public_key=key)
            log_action(
                "keys.add", actor=actor, obj=created, data={"fingerprint": created.fingerprint}
            )
    except IntegrityError:
        raise SealingError(_("A key with this name exists already; choose another name.")) from None
    return created


def use_key(statement: Statement, key: SealingKey, *, actor=None) -> None:
    """Seal the statement's contacts to `key` from now on, and queue the sealing of the
    contacts already stored in clear (`seal_statement_contacts`). Contacts sealed to an
    earlier key stay sealed to it."""
    with transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(sealing_key=key)
        log_action(
            "statement.sealing_key",
            actor=actor,
            obj=statement,
            data={"key": key.pk, "fingerprint": key.fingerprint},
        )
        seal_statement_contacts.enqueue(statement.pk)
        seal_statement_contacts.using(run_after=timezone.now() + SECOND_PASS).enqueue(statement.pk)
    statement.refresh_from_db()


def seal_stored_contacts(statement: Statement) -> int:
    """Seal what is stored in clear to the statement's key now, in batches; audited."""
    sealed = contacts.seal_stored(statement)
    if sealed:
        with transaction.atomic():
            log_action("contacts.seal", obj=statement, data={"sealed": sealed})
        logger.info("sealed %s stored contacts of statement %s", sealed, statement.pk)
    return sealed


@task()
def seal_statement_contacts(statement_id: int) -> int:
    statement = Statement.objects.select_related("sealing_key").filter(pk=statement_id).first()
    if statement is None:
        return 0
    return seal_stored_contacts(statement)
