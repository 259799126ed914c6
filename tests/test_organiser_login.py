"""Organiser login: one door with two faces. /workspace/login/ and /admin/login/ ask for the
same password and TOTP code with the same form, count attempts against the same limit, and
apply the same two-factor rules (UNDERSIGN_REQUIRE_2FA, a team's own requirement)."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from undersign.organisers.models import AuditEntry

DOORS = ["/workspace/login/", "/admin/login/"]


@pytest.fixture
def organiser(team) -> User:
    """An editor of `team`, who is also staff, so both doors lead somewhere for her."""
    user = User.objects.create_user("vera", "", PASSWORD, is_staff=True)
    team.memberships.create(user=user, editor=True)
    return user


def _login(client, door: str = "/workspace/login/", token: str = "", password: str = PASSWORD):
    target = "/admin/" if door.startswith("/admin/") else "/workspace/"
    return client.post(
        f"{door}?next={target}",
        {"username": "vera", "password": password, "otp_token": token, "next": target},
    )


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"


def _fresh(device: TOTPDevice) -> TOTPDevice:
    """Let the same time step be used again (django-otp refuses a code twice) and forget
    earlier wrong codes (django-otp slows down guessing)."""
    device.refresh_from_db()
    device.last_t = -1
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    return device


def _enable(client, organiser) -> TOTPDevice:
    client.force_login(organiser)
    page = client.get("/workspace/two-factor/")
    assert page.status_code == 200
    assert b"data:image/svg+xml;base64," in page.content
    device = TOTPDevice.objects.get(user=organiser)
    r = client.post("/workspace/two-factor/", {"token": "000000"})
    assert r.status_code == 400 and "That code did not match" in r.content.decode()
    device = _fresh(device)
    r = client.post("/workspace/two-factor/", {"token": _code(device)})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    client.logout()
    return _fresh(device)


def test_without_two_factor_the_password_is_enough_at_either_door(client, organiser):
    r = _login(client, "/workspace/login/")
    assert r.status_code == 302 and r["Location"] == "/workspace/"
    assert client.get("/workspace/").status_code == 200
    client.logout()
    assert _login(client, "/admin/login/").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_page_sends_browsers_to_the_one_login_page(client, organiser):
    r = client.get("/admin/", follow=True)
    assert r.redirect_chain[-1][0] == "/workspace/login/?next=%2Fadmin%2F"
    page = r.content.decode()
    assert 'name="otp_token"' in page and 'name="next" value="/admin/"' in page
    r = client.post(
        "/workspace/login/",
        {"username": "vera", "password": PASSWORD, "next": "/admin/"},
    )
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_organiser_turns_on_two_factor_in_the_workspace_and_then_needs_the_code(
    client, organiser
):
    device = _enable(client, organiser)
    assert AuditEntry.objects.filter(action="organiser.two_factor.enable").exists()
    page = client.get("/workspace/login/").content.decode()
    assert "Code from your authenticator app" in page
    for door in DOORS:
        r = _login(client, door)
        assert r.status_code == 200  # the form again, asking for the code
        assert "Type the code from your authenticator app." in r.content.decode()
        assert client.get("/workspace/").status_code == 302
        assert client.get("/admin/").status_code == 302
    for door, home in [("/workspace/login/", "/workspace/"), ("/admin/login/", "/admin/")]:
        r = _login(client, door, _code(_fresh(device)))
        assert r.status_code == 302, r.context["form"].errors
        assert client.get(home).status_code == 200
        client.logout()


def test_the_totp_user_cannot_get_into_the_workspace_with_the_password_alone(client, organiser):
    device = _enable(client, organiser)
    r = _login(client, "/workspace/login/")
    assert r.status_code == 200
    assert "_auth_user_id" not in client.session
    r = client.get("/workspace/")
    assert r.status_code == 302 and r["Location"].startswith("/workspace/login/")
    _login(client, "/workspace/login/", "123456")
    assert client.get("/workspace/").status_code == 302
    _login(client, "/workspace/login/", _code(_fresh(device)))
    assert client.get("/workspace/").status_code == 200


def test_a_session_without_the_code_is_sent_to_log_in_again(client, organiser):
    """A session made before the device existed, or by hand, does not pass for one that gave
    the code: the workspace and the admin both send it to the login."""
    _enable(client, organiser)
    client.force_login(organiser)
    r = client.get("/workspace/")
    assert r.status_code == 302 and r["Location"] == "/workspace/login/?next=%2Fworkspace%2F"
    assert "_auth_user_id" not in client.session  # logged out, so the login page shows
    client.force_login(organiser)
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("door", DOORS)
def test_when_required_an_organiser_without_a_device_sets_one_up_first(
    client, organiser, settings, door
):
    settings.ORGANISERS_REQUIRE_2FA = True
    r = _login(client, door)
    assert r.status_code == 302 and r["Location"].startswith("/workspace/two-factor/?next=")
    for url in ["/workspace/", "/workspace/teams/", "/admin/", "/admin/statements/statement/"]:
        r = client.get(url, follow=True)
        assert r.redirect_chain[-1][0].startswith("/workspace/two-factor/?next="), url
    page = client.get("/workspace/two-factor/").content.decode()
    assert "Your account must use two-factor login." in page
    device = TOTPDevice.objects.get(user=organiser)
    r = client.post("/workspace/two-factor/", {"token": _code(device), "next": "/admin/"})
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert client.get("/workspace/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_team_that_requires_two_factor_requires_it_of_its_members(client, organiser, team):
    team.require_two_factor = True
    team.save()
    r = _login(client, "/workspace/login/")
    assert r.status_code == 302 and r["Location"].startswith("/workspace/two-factor/")
    for url in ["/workspace/s/letter/", "/admin/"]:
        r = client.get(url, follow=True)
        assert r.redirect_chain[-1][0].startswith("/workspace/two-factor/?next="), url


@pytest.mark.parametrize("door", DOORS)
def test_the_eleventh_wrong_password_is_answered_429(client, organiser, door):
    for attempt in range(10):
        r = _login(client, door, password=f"wrong {attempt}")
        assert r.status_code == 200, attempt
    r = _login(client, door, password="wrong again")
    assert r.status_code == 429
    assert int(r["Retry-After"]) > 0
    assert "Too many attempts" in r.content.decode()
    assert _login(client, door).status_code == 429  # even the right one, until the window ends
    assert client.get("/workspace/").status_code == 302


def test_both_doors_count_against_one_limit(client, organiser, settings):
    settings.LOGIN_LIMIT = (4, 900)
    for door in DOORS:
        for _ in range(2):
            assert _login(client, door, password="wrong").status_code == 200
    assert _login(client, "/workspace/login/").status_code == 429
    assert _login(client, "/admin/login/").status_code == 429


def test_the_limit_holds_per_user_name_from_many_addresses(client, organiser, settings):
    settings.LOGIN_LIMIT = (3, 900)
    for n in range(3):
        client.post(
            "/workspace/login/",
            {"username": "vera", "password": "wrong"},
            REMOTE_ADDR=f"192.0.2.{n}",
        )
    r = client.post(
        "/workspace/login/", {"username": "vera", "password": PASSWORD}, REMOTE_ADDR="192.0.2.99"
    )
    assert r.status_code == 429


def test_the_admin_door_stays_closed_to_members_who_are_not_staff(client, editor):
    r = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    r = client.post("/workspace/login/", {"username": "editor", "password": PASSWORD})
    assert r.status_code == 302
    assert client.get("/workspace/").status_code == 200
    assert client.get("/admin/").status_code == 302


def test_an_idle_session_ends(client, organiser, settings):
    client.force_login(organiser)
    assert client.get("/workspace/").status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 10
    session.save()
    assert client.get("/workspace/").status_code == 302


def test_a_session_logged_out_or_expired_lets_nobody_in_with_its_cookie(client, organiser):
    """The session row is read on every request: a logout from one browser (or another
    server process) ends it for every holder of the cookie, and so does its expiry."""
    client.force_login(organiser)
    copy = Client()
    copy.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert copy.get("/workspace/").status_code == 200
    assert client.post("/workspace/logout/").status_code == 302
    assert copy.get("/workspace/").status_code == 302

    client.force_login(organiser)
    assert client.get("/workspace/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    r = client.get("/workspace/")
    assert r.status_code == 302 and r["Location"].startswith("/workspace/login/")


def test_an_account_deactivated_or_with_a_new_password_is_refused_at_its_next_request(
    client, organiser
):
    client.force_login(organiser)
    assert client.get("/workspace/").status_code == 200
    User.objects.filter(pk=organiser.pk).update(is_active=False)
    assert client.get("/workspace/").status_code == 302
    User.objects.filter(pk=organiser.pk).update(is_active=True)
    client.force_login(organiser)
    assert client.get("/workspace/").status_code == 200
    organiser.set_password("another long passphrase")
    organiser.save()  # elsewhere: this session's hash no longer matches
    assert client.get("/workspace/").status_code == 302


def test_the_environment_sets_the_rules_both_doors_apply(tmp_path):
    """UNDERSIGN_REQUIRE_2FA and UNDERSIGN_LOGIN_ATTEMPTS reach the settings the login reads."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(
        UNDERSIGN_DATA=str(tmp_path), UNDERSIGN_REQUIRE_2FA="1", UNDERSIGN_LOGIN_ATTEMPTS="4"
    )
    code = "from django.conf import settings as s; print(s.ORGANISERS_REQUIRE_2FA, s.LOGIN_LIMIT)"
    out = subprocess.run(
        [Path(sys.executable).parent / "undersign", "shell", "--no-imports", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert out.strip().splitlines()[-1] == "True (4, 900)"
