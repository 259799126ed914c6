"""The one path that reads contact data.

Everything that needs an email address, a full name or volunteer details comes through
here, so sealing, retention, permissions and the audit log act in one place. The mail
worker reads the address to send the confirmation; organiser access (views, exports) will
come through here with an audit entry.
"""

from undersign.signatures.models import Contact


def contact_for_mail(signature_id: int) -> Contact | None:
    """The contact a system mail goes to; None once the signature was withdrawn."""
    return (
        Contact.objects.select_related("signature", "signature__statement")
        .filter(signature_id=signature_id)
        .first()
    )
