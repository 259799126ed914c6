"""Settings from the environment, with working defaults."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from undersign.env import email_settings, env_bool, env_list
from undersign.settings import _cache, _database


def test_email_url_smtp_with_credentials_and_starttls():
    s = email_settings("smtp://user%40x:p%2Fw@mail.example.org:587?tls=1")
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (s["EMAIL_HOST"], s["EMAIL_PORT"]) == ("mail.example.org", 587)
    assert (s["EMAIL_HOST_USER"], s["EMAIL_HOST_PASSWORD"]) == ("user@x", "p/w")
    assert s["EMAIL_USE_TLS"] is True and s["EMAIL_USE_SSL"] is False


def test_email_url_defaults_to_the_console():
    assert email_settings("")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_settings("smtps://h")["EMAIL_PORT"] == 465


def test_email_url_refuses_unknown_schemes():
    with pytest.raises(ValueError, match="EMAIL_URL"):
        email_settings("http://x")


def test_secrets_can_come_from_files(monkeypatch, tmp_path):
    secret = tmp_path / "flag"
    secret.write_text("yes\n")
    monkeypatch.setenv("UNDERSIGN_DEBUG_FILE", str(secret))
    assert env_bool("UNDERSIGN_DEBUG") is True
    monkeypatch.setenv("ALLOWED_HOSTS", "a.org, b.org")
    assert env_list("ALLOWED_HOSTS", []) == ["a.org", "b.org"]


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(monkeypatch):
    # The default database, whichever one this test run uses.
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db = _database()
    assert db["ENGINE"] == "undersign.sqlite"  # Django's, making the file 0600
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["CONN_MAX_AGE"] is None


def test_database_url_and_redis_url_switch_to_postgresql_and_redis(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:pw@db.internal:5432/undersign")
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    db = _database()
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["NAME"], db["USER"]) == ("db.internal", "undersign", "app")
    assert db["CONN_MAX_AGE"] == 600  # persistent connections
    cache = _cache()
    assert cache["BACKEND"] == "undersign.cache.RedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/0"
    monkeypatch.delenv("REDIS_URL")
    assert _cache()["BACKEND"] == "undersign.cache.LocMemCache"


def _effective(tmp_path, code: str, **env: str) -> str:
    """What Django's settings hold in a fresh `undersign` process with this environment."""
    environ = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    environ.pop("REDIS_URL", None)
    environ.update(UNDERSIGN_DATA=str(tmp_path / "data"), **env)
    undersign = Path(sys.executable).parent / "undersign"
    return subprocess.run(
        [undersign, "shell", "-v0", "-c", f"from django.conf import settings; {code}"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()


def test_it_uses_one_redis_cache_for_every_process_when_redis_url_is_set(tmp_path):
    shown = "c = settings.CACHES['default']; print(c['BACKEND'], c.get('LOCATION', '-'))"
    with_redis = _effective(tmp_path, shown, REDIS_URL="redis://127.0.0.1:6379/7")
    assert with_redis == "undersign.cache.RedisCache redis://127.0.0.1:6379/7"
    assert _effective(tmp_path, shown).startswith("undersign.cache.LocMemCache ")
    # And the cache the code gets is that one.
    cache_class = _effective(
        tmp_path,
        "from django.core.cache import caches; c = caches['default'];"
        " print(type(c).__module__, type(c).__name__)",
        REDIS_URL="redis://127.0.0.1:6379/7",
    )
    assert cache_class == "undersign.cache RedisCache"


def test_without_redis_each_process_s_cache_has_room_for_a_surge_s_counters(tmp_path):
    shown = "from django.core.cache import caches; print(caches['default']._max_entries)"
    assert _effective(tmp_path, shown) == "50000"  # Django's default is 300
    assert _effective(tmp_path, shown, UNDERSIGN_CACHE_ENTRIES="1000") == "1000"


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the PostgreSQL and Redis run)"
)
def test_the_redis_cache_stores_and_counts_in_the_redis_named_with_one_client(tmp_path):
    # The cache the code gets in a fresh process stores, reads and counts in the Redis that
    # REDIS_URL names, with the one client it keeps for its pool (undersign/cache.py).
    prefix = f"settings-test-{uuid.uuid4().hex[:8]}"
    used = _effective(
        tmp_path,
        "from django.core.cache import caches; c = caches['default'];"
        " c.set('kept', 'yes', 30); c.add('n', 0, 30);"
        " print(type(c).__module__, c.get('kept'), c.incr('n'), c.incr('n'),"
        " c._cache.get_client() is c._cache.get_client(write=True))",
        REDIS_URL=os.environ["REDIS_URL"],
        UNDERSIGN_CACHE_PREFIX=prefix,
    )
    assert used == "undersign.cache yes 1 2 True"
    import redis

    stored = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert stored.get(f"{prefix}:1:kept") is not None  # in the Redis it names
    stored.delete(f"{prefix}:1:kept", f"{prefix}:1:n")


def test_pages_forbid_third_parties_and_framing(client, statement):
    r = client.get("/s/letter/")
    assert "default-src 'self'" in r["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in r["Content-Security-Policy"]
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    html = r.content.decode()
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html


def test_static_files_are_served_by_the_app(client):
    r = client.get("/static/undersign/style.css")
    assert r.status_code == 200
    assert b"font-family" in b"".join(r.streaming_content)
