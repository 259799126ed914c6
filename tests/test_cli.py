"""The `undersign` command as an operator meets it: in a fresh data folder, as a process."""

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

# The installed command, as an operator runs it (not `python -m`, not call_command).
UNDERSIGN = [str(Path(sys.executable).parent / "undersign")]
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


def _env(data_dir, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    # Process tests send their load from one address: lift the per-address signing limits.
    env.update(UNDERSIGN_SIGNING_BURST="1000000", UNDERSIGN_SIGNING_SUSTAINED="1000000")
    env.update(UNDERSIGN_DATA=str(data_dir), **extra)
    env.pop("DATABASE_URL", None)
    if "UNDERSIGN_URL" not in extra:
        env.pop("UNDERSIGN_URL", None)  # the test settings' own
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


def _reading(server: subprocess.Popen[str]) -> tuple[list[str], threading.Thread]:
    """What the server prints, line by line as it comes (a thread reads it), so that a test
    can wait for a line before it stops the server."""
    lines: list[str] = []

    def read() -> None:
        for line in server.stdout or ():
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return lines, reader


def _wait_for(condition, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


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
    lines, reader = _reading(server)
    try:
        body = ""
        deadline = time.monotonic() + 60  # a busy machine starts the server slowly
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/s/demo/") as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "free the political prisoners" in body
        # The mail worker starts beside the server, on a loaded machine after the page is
        # answered: CI once stopped the server before the worker had started.
        _wait_for(lambda: any("Starting worker" in line for line in lines), 60)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        reader.join(timeout=10)
    assert server.returncode is not None
    assert "Starting worker" in "".join(lines)
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


def test_it_runs_every_command_the_readme_names(data_dir):
    named = set(re.findall(r"`undersign ([a-z][a-z_-]*)", README.read_text(encoding="utf-8")))
    assert {"run", "serve", "worker", "import", "export-text", "restore"} <= named
    for command in sorted(named):
        result = subprocess.run(
            [*UNDERSIGN, command, "--help"],
            env=_env(data_dir),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"undersign {command}: {result.stderr}"
        assert "usage: undersign" in result.stdout


def test_it_says_in_one_line_that_the_database_is_missing(data_dir):
    result = subprocess.run(
        [*UNDERSIGN, "export-signatures", "demo", "-"],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    database = data_dir / "undersign.sqlite3"
    assert result.returncode == 1
    assert result.stderr == f"undersign: no database at {database}: run `undersign migrate` first\n"
    assert not database.exists(), "no empty database left behind"
    served = subprocess.run(
        [*UNDERSIGN, "serve", "--port", str(free_port())],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 1
    assert served.stderr.splitlines() == [
        f"undersign: no database at {database}: run `undersign migrate` first"
    ]


def test_it_keeps_its_data_in_one_place_whatever_the_current_folder(tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    letter = elsewhere / "letter.md"
    letter.write_text("# A letter\n\n1. One thing.\n", encoding="utf-8")
    env = {k: v for k, v in _env(tmp_path).items() if k not in {"UNDERSIGN_DATA", "XDG_DATA_HOME"}}
    env["HOME"] = str(home)

    def undersign(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*UNDERSIGN, *args], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60
        )

    data = home / ".local" / "share" / "undersign"
    missing = undersign("import", str(letter))
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr
    assert missing.stderr.startswith(f"undersign: no database at {data / 'undersign.sqlite3'}")
    assert not (elsewhere / "data").exists()

    assert undersign("migrate", "-v0").returncode == 0
    imported = undersign("import", str(letter))
    assert imported.returncode == 0, imported.stderr
    assert (data / "undersign.sqlite3").exists()
    assert sorted(p.name for p in elsewhere.iterdir()) == ["letter.md"]


def test_import_prints_the_address_the_site_is_served_at(data_dir, tmp_path):
    _run(data_dir, "migrate", "-v0")
    letter = tmp_path / "letter.md"
    letter.write_text("# A letter\n\n1. One thing.\n", encoding="utf-8")
    port = free_port()
    server = subprocess.Popen(
        [*UNDERSIGN, "serve", "--no-worker", "--workers", "1", "--port", str(port)],
        env=_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60  # a busy machine starts the server slowly
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/").close()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                time.sleep(0.1)
        printed = _run(data_dir, "import", str(letter)).stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert printed.strip() == f"a-letter http://127.0.0.1:{port}/s/a-letter/"
    # An address set by the operator wins.
    other = _run(
        data_dir, "import", str(letter), "--slug", "other", UNDERSIGN_URL="https://sign.example.org"
    )
    assert other.stdout.strip() == "other https://sign.example.org/s/other/"


def _fake(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)


def test_make_test_installs_what_the_tests_need_or_says_what_to_install(tmp_path):
    root = README.parent
    planned = subprocess.run(
        ["make", "-n", "test"], cwd=root, capture_output=True, text=True, timeout=60
    ).stdout
    assert "scripts/system-packages.sh /usr/bin/chromium=chromium xgettext=gettext" in planned
    assert "system-packages.sh" in (root / ".ci" / "run").read_text(encoding="utf-8")

    # A machine with neither package, where we are root: apt-get installs both.
    fakes = tmp_path / "bin"
    fakes.mkdir()
    log = tmp_path / "apt.log"
    _fake(fakes, "apt-get", f'echo "$@" >> {log}')
    _fake(fakes, "id", "echo 0")
    helper = [shutil.which("bash") or "/bin/bash", str(root / "scripts" / "system-packages.sh")]
    wanted = ["/nonexistent/chromium=chromium", "xgettext=gettext"]
    env = {"PATH": str(fakes), "HOME": str(tmp_path)}
    done = subprocess.run([*helper, *wanted], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "install -y -qq chromium gettext" in log.read_text()

    # Not root and no sudo: one line says what to install; the tests go on (and skip), except
    # in CI, where it fails.
    _fake(fakes, "id", "echo 1000")
    told = subprocess.run([*helper, *wanted], env=env, capture_output=True, text=True, timeout=60)
    assert told.returncode == 0
    assert "install them with: sudo apt-get install chromium gettext" in told.stderr
    in_ci = subprocess.run(
        [*helper, *wanted], env={**env, "CI": "true"}, capture_output=True, text=True, timeout=60
    )
    assert in_ci.returncode == 1
