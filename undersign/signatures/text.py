"""Cleaning what people type, and the identities derived from it."""

import contextlib
import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

# Control characters and Unicode's format characters (category Cf: zero-width spaces,
# bidirectional overrides and isolates, the soft hyphen, tags): invisible, and used to make a
# name read differently from what it is. Two format characters are letters' business and
# stay: the zero-width joiner and non-joiner (U+200D, U+200C) shape Persian and Indic names.
# tests/test_input_leftovers.py checks this list against Python's Unicode database.
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
)
KEPT_FORMAT = "\u200c\u200d"
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f" + _FORMAT + "]")
_SPACES = re.compile(r"\s+")
# What a text cannot hold: lone surrogates (JSON may carry "\ud800", no text encodes it) and
# U+FFFD, the mark a decoder leaves where bytes were not UTF-8.
_UNREADABLE = re.compile("[\ud800-\udfff\ufffd]")

# Providers that deliver `name+tag@` to `name@`; Gmail also ignores dots.
_PLUS_PROVIDERS = {
    "outlook.com",
    "hotmail.com",
    "live.com",
    "icloud.com",
    "me.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "fastmail.com",
    "yandex.ru",
    "yandex.com",
    "ya.ru",
}
_GMAIL = {"gmail.com", "googlemail.com"}


def is_readable(value: str) -> bool:
    """Whether `value` is text as typed: no lone surrogate, no mark of undecodable bytes."""
    return _UNREADABLE.search(value) is None


def clean_line(value: str) -> str:
    """One line of text: NFC, no invisible characters, runs of whitespace made one space."""
    value = unicodedata.normalize("NFC", value)
    value = _INVISIBLE.sub("", value)
    return _SPACES.sub(" ", value).strip()


def initials(name: str) -> str:
    """'Anna Maria Petrova' → 'A. M. P.'"""
    return " ".join(f"{part[0]}." for part in name.split() if part[0].isalnum())


def _domain(domain: str) -> str:
    """An internationalised domain in one spelling: `xn--e1afmkfd.xn--p1ai` and `пример.рф`
    are one domain, kept in Unicode."""
    labels = []
    for label in domain.split("."):
        # Not valid punycode: kept as typed, an address of its own.
        with contextlib.suppress(UnicodeError):
            if label.startswith("xn--"):
                label = label.encode("ascii").decode("idna").casefold()
        labels.append(label)
    return ".".join(labels)


def normalise_email(email: str) -> str:
    email = unicodedata.normalize("NFKC", email).strip().casefold()
    local, _, domain = email.rpartition("@")
    domain = _domain(domain.rstrip("."))
    if domain in _GMAIL:
        local, domain = local.split("+", 1)[0].replace(".", ""), "gmail.com"
    elif domain in _PLUS_PROVIDERS:
        local = local.split("+", 1)[0]
    return f"{local}@{domain}"


def email_digest(email: str) -> str:
    key = settings.EMAIL_DIGEST_KEY.encode("utf-8")
    return hmac.new(key, normalise_email(email).encode("utf-8"), hashlib.sha256).hexdigest()


def link_token(ref: str, purpose: str) -> str:
    """The secret in a mail link. The database holds only `ref`, so a copy of the database
    cannot confirm or withdraw anyone's signature."""
    message = f"undersign.{purpose}:{ref}".encode()
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), message, hashlib.sha256).hexdigest()[:40]


def check_link_token(ref: str, purpose: str, token: str) -> bool:
    return hmac.compare_digest(link_token(ref, purpose), token)
