"""Access codes: made at random, printed on cards, typed at the door, kept only as hashes.

A code is 16 symbols of Crockford's base32 (no I, L, O or U), 80 random bits, printed as four
groups of four: `7KQ2-M9XD-4HTB-PW3E`. Typing is forgiving: case, spaces and dashes do not
matter, and O, I and L are read as 0, 1 and 1.

Two keyed hashes of a code, with different keys derived from SECRET_KEY: `code_hash` finds
the Participant (the register), `ballot_key` the Ballot (the positions). Neither can be
computed from the other, and the code itself is stored nowhere, so the database alone
(even with the key) cannot tell whose ballot is whose. Changing SECRET_KEY voids all codes.
"""

import secrets

from django.utils.crypto import salted_hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS = 4
GROUP_LENGTH = 4
LENGTH = GROUPS * GROUP_LENGTH  # 16 symbols of 5 bits: 80 bits
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " \t\n\r-–—_.·")


def new_code() -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return _grouped(symbols)


def _grouped(symbols: str) -> str:
    return "-".join(symbols[i : i + GROUP_LENGTH] for i in range(0, LENGTH, GROUP_LENGTH))


def normalise(typed: str | None) -> str | None:
    """The code in its printed form, or None when `typed` cannot be a code."""
    if not typed or len(typed) > 64:
        return None
    symbols = typed.translate(_SEPARATORS).upper().translate(_READ_AS)
    if len(symbols) != LENGTH or any(s not in ALPHABET for s in symbols):
        return None
    return _grouped(symbols)


def code_hash(code: str) -> str:
    """The Participant's column (of a normalised code)."""
    return salted_hmac("undersign.assemblies.participant", code, algorithm="sha256").hexdigest()


def ballot_key(code: str) -> str:
    """The Ballot's column (of a normalised code), under another key."""
    return salted_hmac("undersign.assemblies.ballot", code, algorithm="sha256").hexdigest()
