"""Organiser login: two-factor (TOTP) for everyone who wants it, required by a setting,
rate-limited, and sessions that end."""

import time

import pytest
from django.contrib.auth.models import User
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from undersign.organisers.models import AuditEntry

PASSWORD = "a long passphrase"


@pytest.fixture
def organiser(db) -> User:
    return User.objects.create_user("vera", "", PASSWORD, is_staff=True)


def _login(client, token: str = ""):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "vera", "password": PASSWORD, "otp_token": token},
    )


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"


def _enable(client, organiser) -> TOTPDevice:
    client.force_login(organiser)
    page = client.get("/admin/two-factor/")
    assert page.status_code == 200
    assert b"data:image/svg+xml;base64," in page.content
    device = TOTPDevice.objects.get(user=organiser)
    assert client.post("/admin/two-factor/", {"token": "000000"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a wrong code
    r = client.post("/admin/two-factor/", {"token": _code(device)})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    client.logout()
    return device


def test_without_two_factor_the_password_is_enough(client, organiser):
    assert _login(client).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_organiser_turns_on_two_factor_and_then_needs_the_code(client, organiser):
    device = _enable(client, organiser)
    assert AuditEntry.objects.filter(action="organiser.two_factor.enable").exists()
    r = _login(client)
    assert r.status_code == 200  # the form again
    assert client.get("/admin/").status_code == 302
    device.refresh_from_db()
    device.last_t = -1  # allow the same time step again in this test
    device.save()
    r = _login(client, _code(device))
    assert r.status_code == 302, r.context["form"].errors
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_does_not_let_in(client, organiser):
    _enable(client, organiser)
    _login(client, "123456")
    assert client.get("/admin/").status_code == 302


def test_when_required_an_organiser_without_a_device_must_set_one_up_first(
    client, organiser, settings
):
    settings.ORGANISERS_REQUIRE_2FA = True
    r = _login(client)
    assert r.status_code == 302 and r["Location"] == "/admin/two-factor/"
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/statements/statement/").status_code == 302
    client.get("/admin/two-factor/")
    device = TOTPDevice.objects.get(user=organiser)
    client.post("/admin/two-factor/", {"token": _code(device)})
    assert client.get("/admin/").status_code == 200


def test_login_attempts_are_rate_limited(client, organiser, settings):
    settings.LOGIN_LIMIT = (3, 900)
    for _ in range(3):
        client.post("/admin/login/", {"username": "vera", "password": "wrong"})
    r = _login(client)
    assert r.status_code == 429
    assert int(r["Retry-After"]) > 0
    assert client.get("/admin/").status_code == 302


def test_an_idle_session_ends(client, organiser, settings):
    client.force_login(organiser)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 10
    session.save()
    assert client.get("/admin/").status_code == 302
