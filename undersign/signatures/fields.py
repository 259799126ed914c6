"""The signer's fields, declared once.

Every field a signer fills in is listed in `FIELDS`, in the order of the signing form, with
everything the rest of the code asks about it: its label and the note that says who sees it,
its kind, whether it is required, its length, how it is cleaned, where it is stored (a column
of the public `Signature` row, or of `Contact`, which is sealed, travels in transit boxes and is
read only through `contacts.py`), who may see it, and its column in exports. The form, the
API's schema, the signing service, the contacts, the exporters, the organisers' list and filters
and the templates all read it.

Adding a field touches two files: a `SignerField` here, and its column on `Signature` or
`Contact` in `models.py` (with the migration `makemigrations` writes).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Kind(StrEnum):
    TEXT = "text"  # one line of text
    EMAIL = "email"
    PHONE = "phone"
    HANDLE = "handle"  # a messenger's user name
    DISPLAY = "display"  # how the name is shown: full, initials, not at all
    COUNTRY = "country"
    BOOL = "bool"  # a box to tick
    CONSENT = "consent"  # a box whose tick is stored as the version of the text agreed to


class Stored(StrEnum):
    # A column of `Signature`: the organisers read it; everyone, when it is public.
    SIGNATURE = "signature"
    # A column of `Contact`: sealed on a sealed statement, in the transit box until the mail
    # is out, erased on withdrawal; read only through `signatures.contacts`.
    CONTACT = "contact"


class SeenBy(StrEnum):
    PUBLIC = "public"  # everyone, beside the name as shown
    ORGANISERS = "organisers"  # the statement's team: its list, dashboard, exports
    CONTACTS = "contacts"  # who may see contacts: audited views and exports with contacts


@dataclass(frozen=True)
class SignerField:
    name: str
    kind: Kind
    stored: Stored
    seen_by: SeenBy
    label: "StrOrPromise"
    # Said next to the field: who sees what is typed here.
    help: "StrOrPromise" = ""
    required: bool = False
    max_length: int | None = None
    # After the kind's own checks and cleaning; raises ValidationError with a message.
    clean: Callable[[Any], Any] | None = None
    # The model column, when it is not `name`.
    column: str = ""
    # Its column in exports ("": none); exports without contacts hold only fields the team
    # may see (public or organisers).
    export: str = ""
    # For the organisers: the list's column, the filter and the dashboard.
    short_label: "StrOrPromise" = ""
    # A yes/no field the signers list filters by: the filter's name (`?volunteers=on`).
    filter: str = ""
    # Fields of one group share a frame on the form: "contacts" (folded), "place" (a row).
    group: str = ""
    # Also on the short form of the embeddable widget.
    in_widget: bool = False
    # Ticking it goes with a non-empty value of this field (where one can help → ready).
    implied_by: str = ""
    # A yes/no field whose ticks the dashboard counts (a tally by the field's name).
    counted: bool = False
    # Asked only on the forms of statements where this attribute is true.
    asked_if: str = ""
    # A public field shown only when the signer ticked this other field (the place).
    public_if: str = ""
    # Emptied when the signature is withdrawn.
    erase: bool = True
    # CONSENT: the setting that names the version of the consent text.
    version_setting: str = ""
    widget_attrs: dict[str, str] = field(default_factory=dict)
    error_messages: dict[str, "StrOrPromise"] = field(default_factory=dict)

    @property
    def db_column(self) -> str:
        return self.column or self.name

    @property
    def empty(self) -> bool | str:
        """The value when nothing was given (and after withdrawal)."""
        return False if self.kind == Kind.BOOL else ""

    @property
    def is_text(self) -> bool:
        return self.kind in (Kind.TEXT, Kind.EMAIL, Kind.PHONE, Kind.HANDLE)

    @property
    def is_flag(self) -> bool:
        """A box to tick (a consent counts as ticked when it holds a version)."""
        return self.kind in (Kind.BOOL, Kind.CONSENT)

    def ticked(self) -> Q:
        """The signatures that ticked this box."""
        if self.kind == Kind.CONSENT:
            return ~Q(**{self.db_column: ""})
        return Q(**{self.db_column: True})

    def is_asked(self, statement: Any) -> bool:
        return not self.asked_if or bool(getattr(statement, self.asked_if, False))


# Cleaning beyond each kind's own --------------------------------------------------------------

_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{3,38}")


def _name(value: str) -> str:
    if not value:  # only invisible characters were typed
        raise ValidationError(_("Please enter your name."))
    return value


def _email(value: str) -> str:
    value = value.strip()
    if "\r" in value or "\n" in value:
        raise ValidationError(_("Enter a valid email address."))
    return value


def _phone(value: str) -> str:
    if value and not _PHONE.fullmatch(value):
        raise ValidationError(_("Enter a phone number: digits, spaces, + and -."))
    return value


def _telegram(value: str) -> str:
    # Kept as the bare username: "@name" and "t.me/name" are the same person, and a
    # leading "@" would be a formula to a spreadsheet.
    value = re.sub(r"^(https?://)?(www\.)?(t|telegram)\.me/", "", value, flags=re.I)
    return value.lstrip("@")


# The fields, in the order of the form ----------------------------------------------------------

PLACE_HELP = _("The organisers see it, for counts by place. Public only if you tick the box below.")

# Django's own message repeats the value sent; ours does not echo anything back.
CHOOSE = _("Select a valid choice.")

FIELDS: tuple[SignerField, ...] = (
    SignerField(
        name="name",
        kind=Kind.TEXT,
        stored=Stored.CONTACT,
        seen_by=SeenBy.CONTACTS,
        label=_("Your name"),
        help=_("Public only as you choose below. In full, only the organisers see it."),
        required=True,
        max_length=200,
        clean=_name,
        export="name",
        in_widget=True,
        widget_attrs={"autocomplete": "name"},
    ),
    SignerField(
        name="display",
        kind=Kind.DISPLAY,
        stored=Stored.SIGNATURE,
        seen_by=SeenBy.ORGANISERS,
        label=_("How your name is shown"),
        required=True,
        in_widget=True,
        erase=False,
        error_messages={"invalid_choice": CHOOSE},
    ),
    SignerField(
        name="email",
        kind=Kind.EMAIL,
        stored=Stored.CONTACT,
        seen_by=SeenBy.CONTACTS,
        label=_("Email"),
        help=_(
            "To confirm your signature, and to reach you only if you agree below. Never "
            "public: only the organisers see it."
        ),
        required=True,
        max_length=254,
        clean=_email,
        export="email",
        in_widget=True,
        widget_attrs={"autocomplete": "email"},
    ),
    SignerField(
        name="phone",
        kind=Kind.PHONE,
        stored=Stored.CONTACT,
        seen_by=SeenBy.CONTACTS,
        label=_("Phone"),
        help=_("Only if you want the organisers to call you. Never shown."),
        max_length=40,
        clean=_phone,
        export="phone",
        group="contacts",
        widget_attrs={"autocomplete": "tel", "inputmode": "tel"},
    ),
    SignerField(
        name="telegram",
        kind=Kind.HANDLE,
        stored=Stored.CONTACT,
        seen_by=SeenBy.CONTACTS,
        label=_("Telegram"),
        help=_("Your username, e.g. @name. Never shown."),
        max_length=100,
        clean=_telegram,
        export="telegram",
        group="contacts",
        widget_attrs={"autocomplete": "off", "spellcheck": "false"},
    ),
    SignerField(
        name="signal",
        kind=Kind.HANDLE,
        stored=Stored.CONTACT,
        seen_by=SeenBy.CONTACTS,
        label=_("Signal"),
        help=_("Your Signal username or number. Never shown."),
        max_length=100,
        export="signal",
        group="contacts",
        widget_attrs={"autocomplete": "off", "spellcheck": "false"},
    ),
    SignerField(
        name="city",
        kind=Kind.TEXT,
        stored=Stored.SIGNATURE,
        seen_by=SeenBy.PUBLIC,
        label=_("City"),
        help=_(
            "The organisers see it, for counts by place. Public only if you tick the box below."
        ),
        max_length=100,
        export="city",
        group="place",
        public_if="show_place",
        widget_attrs={"autocomplete": "address-level2"},
    ),
    SignerField(
        name="country",
        kind=Kind.COUNTRY,
        stored=Stored.SIGNATURE,
        seen_by=SeenBy.PUBLIC,
        label=_("Country"),
        help=_(
            "The organisers see it, for counts by place. Public only if you tick the box below."
        ),
        export="country",
        group="place",
        public_if="show_place",
        error_messages={"invalid_choice": CHOOSE},
    ),
    # Nobody's place is published unless they ask: with initials, a small town can be enough
    # to tell who signed.
    SignerField(
        name="show_place",
        kind=Kind.BOOL,
        stored=Stored.SIGNATURE,
        seen_by=SeenBy.ORGANISERS,
        label=_("Show my city and country next to my name"),
        help=_(
            "Then everyone sees them in the list of signatures, also beside initials. "
            "Otherwise only the organisers see them."
        ),
        export="show_place",
        group="place",
    ),
    SignerField(
        name="volunteer",
        kind=Kind.BOOL,
        stored=Stored.SIGNATURE,
        seen_by=SeenBy.ORGANISERS,
        label=_("I am ready to work together"),
        help=_("Seen only by the organisers."),
        short_label=_("Ready to work together"),
        export="volunteer",
        filter="volunteers",
        implied_by="volunteer_where",
    ),
    SignerField(
        name="volunteer_where",
        kind=Kind.TEXT,
        stored=Stored.CONTACT,
        seen_by=SeenBy.CONTACTS,
        label=_("Where (country, city) and how"),
        help=_("Seen only by the organisers."),
        max_length=300,
        export="volunteer_where",
    ),
    SignerField(
        name="took_part",
        kind=Kind.BOOL,
        stored=Stored.SIGNATURE,
        seen_by=SeenBy.ORGANISERS,
        label=_("I took part in the assembly"),
        help=_("Seen only by the organisers, who count it."),
        short_label=_("Took part in the assembly"),
        export="took_part",
        filter="took_part",
        counted=True,
        asked_if="ask_took_part",
        in_widget=True,
    ),
    SignerField(
        name="consent",
        kind=Kind.CONSENT,
        stored=Stored.SIGNATURE,
        seen_by=SeenBy.ORGANISERS,
        label=_(
            "I agree that my signature is stored and shown as I chose above. I can withdraw "
            "it at any time."
        ),
        required=True,
        column="consent_version",
        in_widget=True,
        erase=False,  # the record of what was agreed to stays with the anonymous row
        version_setting="SIGNING_CONSENT_VERSION",
        error_messages={"required": _("Please agree, or we cannot record your signature.")},
    ),
    SignerField(
        name="contact_consent",
        kind=Kind.CONSENT,
        stored=Stored.SIGNATURE,
        seen_by=SeenBy.ORGANISERS,
        label=_(
            "The organisers may contact me about this statement, by email or in the other "
            "ways I gave."
        ),
        help=_("Optional: you can sign without it. Then nobody writes to you."),
        short_label=_("Agreed to be contacted"),
        column="contact_consent_version",
        export="contact_consent",
        filter="contactable",
        counted=True,
        in_widget=True,
        version_setting="CONTACT_CONSENT_VERSION",
    ),
)

BY_NAME: dict[str, SignerField] = {f.name: f for f in FIELDS}
# The answer to one of a statement's text questions, cleaned like any line of text.
ANSWER = SignerField(
    name="answer",
    kind=Kind.TEXT,
    stored=Stored.SIGNATURE,
    seen_by=SeenBy.PUBLIC,
    label=_("Answer"),
)
SIGNATURE_FIELDS = tuple(f for f in FIELDS if f.stored == Stored.SIGNATURE)
CONTACT_FIELDS = tuple(f for f in FIELDS if f.stored == Stored.CONTACT)
# The yes/no fields the organisers filter by, by the filter's name.
FILTERS: dict[str, SignerField] = {f.filter: f for f in FIELDS if f.filter}
# The yes/no fields the dashboard counts.
COUNTED = tuple(f for f in SIGNATURE_FIELDS if f.counted and f.is_flag)


def shown(signature: Any, name: str) -> Any:
    """A declared field of a `Signature` as the public may see it: its value when the field
    is public (and its `public_if` box is ticked), else ""."""
    declared = BY_NAME[name]
    value = getattr(signature, declared.db_column)
    if declared.seen_by != SeenBy.PUBLIC:
        return ""
    if declared.public_if and not getattr(signature, BY_NAME[declared.public_if].db_column):
        return ""
    return value


def asked(statement: Any) -> tuple[SignerField, ...]:
    """The fields the signing form of `statement` asks (`asked_if`)."""
    return tuple(f for f in FIELDS if f.is_asked(statement))
