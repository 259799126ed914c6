"""The `undersign` command as an operator meets it: in a fresh data folder, as a process."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import free_port

UNDERSIGN = [sys.executable, "-m", "undersign.cli"]


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


def _env(data_dir, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    # Process tests send their load from one address: lift the per-address signing limits.
    env.update(UNDERSIGN_SIGNING_BURST="1000000", UNDERSIGN_SIGNING_SUSTAINED="1000000")
    env.update(UNDERSIGN_DATA=str(data_dir), **extra)
    env.pop("DATABASE_URL", None)
    return env


def _run(data_dir, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*UNDERSIGN, *args],
        env=_env(data_dir, **extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_it_runs_django_commands_and_ours(data_dir):
    out = _run(data_dir, "help").stdout
    for command in ("migrate", "createsuperuser", "worker", "demo", "run"):
        assert command in out


def test_migrate_and_demo_twice_keep_one_demo(data_dir):
    _run(data_dir, "migrate", "-v0")
    first = _run(data_dir, "demo").stdout
    second = _run(data_dir, "demo").stdout
    assert "/s/demo/" in first and "user organiser" in first
    assert first == second  # the same login, printed again
    db = sqlite3.connect(data_dir / "undersign.sqlite3")
    assert db.execute("select count(*) from statements_statement").fetchone() == (1,)
    assert db.execute("select count(*) from auth_user").fetchone() == (1,)
    assert db.execute("pragma journal_mode").fetchone() == ("wal",)
    assert (data_dir / "secret_key").stat().st_mode & 0o077 == 0


def test_run_serves_the_demo_and_stops_on_ctrl_c(data_dir):
    _run(data_dir, "migrate", "-v0")
    _run(data_dir, "demo")
    port = free_port()
    server = subprocess.Popen(
        [*UNDERSIGN, "run", "--port", str(port)],
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/s/demo/") as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "free the political prisoners" in body
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert server.returncode is not None
    assert "Starting worker" in output
    # No child is left behind holding the port.
    if shutil.which("ss"):
        listening = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout
        assert f":{port} " not in listening


def test_email_url_and_bad_settings_give_clear_errors(data_dir):
    result = subprocess.run(
        [*UNDERSIGN, "check"],
        env=_env(data_dir, EMAIL_URL="imap://x"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "EMAIL_URL must start with smtp://" in result.stderr
