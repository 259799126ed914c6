"""Cleaning what people type, and the identities derived from it."""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

# Control characters, zero-width characters and bidirectional overrides: invisible, and
# used to make a name read differently from what it is.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")

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


def clean_line(value: str) -> str:
    """One line of text: NFC, no invisible characters, runs of whitespace made one space."""
    value = unicodedata.normalize("NFC", value)
    value = _INVISIBLE.sub("", value)
    return _SPACES.sub(" ", value).strip()


def initials(name: str) -> str:
    """'Anna Maria Petrova' → 'A. M. P.'"""
    return " ".join(f"{part[0]}." for part in name.split() if part[0].isalnum())


def normalise_email(email: str) -> str:
    email = unicodedata.normalize("NFKC", email).strip().casefold()
    local, _, domain = email.rpartition("@")
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
