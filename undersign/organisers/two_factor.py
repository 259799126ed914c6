"""The two-factor rules for organisers (TOTP with django-otp), the same at every door.

Anyone may turn two-factor login on; once on, the login asks for the code. It is required of
everybody with `ORGANISERS_REQUIRE_2FA` (UNDERSIGN_REQUIRE_2FA), and of the members of a team
that requires it: such a person without a device yet is sent to set one up right after the
password, and sees nothing else until it works.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from undersign.organisers.access import memberships_of
from undersign.organisers.models import Membership
from undersign.organisers.services import log_action

User = AbstractBaseUser | AnonymousUser


# Whether the membership's user has a confirmed device, quoted as both SQLite and PostgreSQL
# read it; the tables are django-otp's and ours (the memberships as "m", access.py).
DEVICE_SQL = (
    'EXISTS (SELECT 1 FROM "otp_totp_totpdevice" WHERE "otp_totp_totpdevice"."user_id" ='
    ' m."user_id" AND "otp_totp_totpdevice"."confirmed" = %s)'
)


def device_annotation() -> dict[str, tuple[str, tuple]]:
    """For the read of the user's memberships (`roles_of_this_request`): whether the user
    has a confirmed device, read in the same round trip (TOTP is the only kind of device
    installed)."""
    # The same as Exists(TOTPDevice.objects.filter(user_id=OuterRef("user_id"),
    # confirmed=True)) written out: building and compiling that subquery cost about a
    # millisecond of every workspace request, more than the rest of the query.
    return {"confirmed_device": (DEVICE_SQL, (True,))}


def has_device(user: User) -> bool:
    return bool(user.is_authenticated and user_has_device(user, confirmed=True))


def requires_two_factor(user: User, memberships: Iterable[Membership] | None = None) -> bool:
    """Whether the account must use two-factor login (`memberships`, with their teams,
    when the caller has them already)."""
    if not user.is_authenticated:
        return False
    if settings.ORGANISERS_REQUIRE_2FA:
        return True
    if memberships is not None:
        return any(m.team.require_two_factor for m in memberships)
    return memberships_of(user).filter(team__require_two_factor=True).exists()


OK, ENROL, CODE = "ok", "enrol", "code"


def login_state(
    user: User, memberships: Iterable[Membership] | None = None, device: bool | None = None
) -> str:
    """ENROL: logged in with the password, but must set up a device before anything else;
    CODE: the account has a device and this session did not give its code; else OK.
    (`device`: whether the user has a confirmed one, when the caller read it already.)"""
    if not (user.is_authenticated and user.is_active):
        return CODE
    if has_device(user) if device is None else device:
        # Set by django-otp's middleware from the session: the code was given at this login.
        return OK if getattr(user, "is_verified", lambda: False)() else CODE
    return ENROL if requires_two_factor(user, memberships) else OK


def must_enrol(user: User) -> bool:
    return login_state(user) == ENROL


def login_complete(user: User) -> bool:
    """Whether this session passed every factor the account needs."""
    return login_state(user) == OK


def pending_device(user: AbstractBaseUser) -> TOTPDevice:
    """The device being set up: made once, shown as a QR code until a code proves it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_device(user: AbstractBaseUser, device: TOTPDevice, token: str) -> bool:
    """Turn two-factor login on for `user` if `token` is the device's current code.

    The caller then marks the session verified (django_otp.login), so the person is not
    asked for a code right after proving they have one.
    """
    if device.user_id != user.pk or device.confirmed:
        return False
    if not device.verify_token(token.strip()[:16]):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    log_action("organiser.two_factor.enable", actor=user, obj=user)
    return True
