"""Production mode: HTTPS settings on, and refusal to start with unsafe settings."""

import subprocess
import sys

import pytest

from tests.test_cli import UNDERSIGN, _env

SAFE = {
    "UNDERSIGN_PRODUCTION": "true",
    "ALLOWED_HOSTS": "sign.example.org",
    "UNDERSIGN_URL": "https://sign.example.org",
}


def _check(data_dir, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*UNDERSIGN, "check", *args],
        env=_env(data_dir, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_reports_nothing(tmp_path):
    result = _check(tmp_path, "--deploy", "--fail-level", "WARNING", **SAFE)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("unsafe", "message"),
    [
        ({"UNDERSIGN_DEBUG": "true"}, "UNDERSIGN_DEBUG is on in production"),
        ({"SECRET_KEY": "secret"}, "SECRET_KEY is short or a default"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 50}, "SECRET_KEY is short or a default"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS is open to any host name"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS names only this machine"),
        ({"UNDERSIGN_URL": "http://sign.example.org"}, "UNDERSIGN_URL does not start with"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path, unsafe, message):
    result = _check(tmp_path, **{**SAFE, **unsafe})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_to_serve_unsafe_settings_under_wsgi(tmp_path):
    env = _env(tmp_path, **{**SAFE, "UNDERSIGN_DEBUG": "true"})
    result = subprocess.run(
        [sys.executable, "-c", "import undersign.wsgi"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "undersign.E001" in result.stderr


def test_production_mode_sends_hsts_and_secure_cookies(tmp_path):
    code = (
        "from django.conf import settings as s; import django; django.setup();"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER)"
    )
    env = _env(
        tmp_path, DJANGO_SETTINGS_MODULE="undersign.settings", UNDERSIGN_TRUSTED_PROXIES="1", **SAFE
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["31536000", "True", "True", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')"]
