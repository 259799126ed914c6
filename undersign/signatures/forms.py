"""The signing form: the door for HTML input, and the rules the API applies too."""

import re
from typing import ClassVar

from django import forms
from django.conf import settings
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from undersign.signatures.models import Signature
from undersign.signatures.services import SignatureInput
from undersign.signatures.text import clean_line, is_readable

_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{3,38}")


# Django's own message repeats the value sent; ours does not echo anything back.
_CHOOSE = _("Select a valid choice.")


def _country_choices() -> list[tuple[str, str]]:
    # Evaluated per form, so names follow the reader's language. The common countries come
    # first, then a separator (itself an empty value), then all countries.
    language = get_language()
    if language not in _choices_by_language:
        _choices_by_language[language] = [
            ("", str(_("(not given)"))),
            *((str(code), str(name)) for code, name in countries),
        ]
    return _choices_by_language[language]


_choices_by_language: dict[str | None, list[tuple[str, str]]] = {}


class CountryField(forms.ChoiceField):
    """A choice of country, checked against the set of codes rather than the list of names."""

    codes: ClassVar[frozenset[str]] = frozenset(countries.countries)

    def valid_value(self, value) -> bool:
        return value == "" or value in self.codes


class CountrySelect(forms.Select):
    """A select of ~250 countries, rendered once per language while nothing is chosen.

    Rendering it option by option through the widget templates cost more than all the rest
    of the statement page together.
    """

    _rendered: ClassVar[dict[tuple, SafeString]] = {}

    def render(self, name, value, attrs=None, renderer=None):
        if value not in (None, "", [], [""]):
            return super().render(name, value, attrs, renderer)
        key = (get_language(), name, tuple(sorted((attrs or {}).items())))
        if key not in self._rendered:
            self._rendered[key] = super().render(name, value, attrs, renderer)
        return self._rendered[key]


class _Readable:
    """Refuses text that is not text: a lone surrogate (JSON can carry one) or the U+FFFD a
    decoder leaves where a form's bytes were not UTF-8. Refused before anything stores it."""

    def to_python(self, value):
        value = super().to_python(value)  # type: ignore[misc]
        if isinstance(value, str) and not is_readable(value):
            raise forms.ValidationError(
                _("Some characters here could not be read. Please type it again."),
                code="unreadable",
            )
        return value


class TextField(_Readable, forms.CharField):
    pass


class EmailField(_Readable, forms.EmailField):
    pass


class SignatureForm(forms.Form):
    name = TextField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    display = forms.ChoiceField(
        label=_("How your name is shown"),
        choices=Signature.Display.choices,
        initial=Signature.Display.FULL,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _CHOOSE},
    )
    email = EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Only to confirm your signature. Never shown."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = TextField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("Only if you want the organisers to call you. Never shown."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    telegram = TextField(
        label=_("Telegram"),
        max_length=100,
        required=False,
        help_text=_("Your username, e.g. @name. Never shown."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    signal = TextField(
        label=_("Signal"),
        max_length=100,
        required=False,
        help_text=_("Your Signal username or number. Never shown."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    city = TextField(
        label=_("City"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    country = CountryField(
        label=_("Country"),
        required=False,
        choices=_country_choices,
        widget=CountrySelect,
        error_messages={"invalid_choice": _CHOOSE},
    )
    volunteer = forms.BooleanField(label=_("I am ready to work together"), required=False)
    volunteer_where = TextField(
        label=_("Where (country, city) and how"),
        max_length=300,
        required=False,
        help_text=_("Seen only by the organisers."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that my signature is stored and shown as I chose above, and that the "
            "organisers may contact me about this statement. I can withdraw at any time."
        ),
        error_messages={"required": _("Please agree, or we cannot record your signature.")},
    )

    def _clean_text(self, field: str) -> str:
        return clean_line(self.cleaned_data.get(field) or "")

    def clean_name(self) -> str:
        name = self._clean_text("name")
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name

    def clean_city(self) -> str:
        return self._clean_text("city")

    def clean_volunteer_where(self) -> str:
        return self._clean_text("volunteer_where")

    def clean_phone(self) -> str:
        phone = self._clean_text("phone")
        if phone and not _PHONE.fullmatch(phone):
            raise forms.ValidationError(_("Enter a phone number: digits, spaces, + and -."))
        return phone

    def clean_telegram(self) -> str:
        # Kept as the bare username: "@name" and "t.me/name" are the same person, and a
        # leading "@" would be a formula to a spreadsheet.
        handle = self._clean_text("telegram")
        handle = re.sub(r"^(https?://)?(www\.)?(t|telegram)\.me/", "", handle, flags=re.I)
        return handle.lstrip("@")

    def clean_signal(self) -> str:
        return self._clean_text("signal")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if "\r" in email or "\n" in email:
            raise forms.ValidationError(_("Enter a valid email address."))
        return email

    def clean(self):
        data = super().clean()
        if data and data.get("volunteer_where") and not data.get("volunteer"):
            data["volunteer"] = True  # writing where one can help says yes by itself
        return data

    def signature_input(self, language: str, revision_number: int | None = None) -> SignatureInput:
        """What the signing service takes, from a valid form."""
        data = self.cleaned_data
        return SignatureInput(
            name=data["name"],
            display=data["display"],
            email=data["email"],
            city=data["city"],
            country=str(data["country"] or ""),
            volunteer=data["volunteer"],
            volunteer_where=data["volunteer_where"],
            phone=data.get("phone", ""),
            telegram=data.get("telegram", ""),
            signal=data.get("signal", ""),
            language=language,
            consent_version=settings.CONSENT_VERSION,
            revision_number=revision_number,
        )


class PublicSignatureForm(SignatureForm):
    """The form on the page: the same fields, plus a honeypot for robots.

    The honeypot is hidden from people (CSS) and from screen readers (aria-hidden), out of
    the tab order, and labelled so that anyone who still meets it leaves it empty.
    """

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))
