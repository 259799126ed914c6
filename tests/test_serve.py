"""`undersign serve`, the production server, as an operator runs it: a process tree."""

import contextlib
import http.client
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

from tests.conftest import form_data, free_port
from tests.test_cli import UNDERSIGN, _env, _reading, _run, _wait_for
from tests.test_crash import _children, _csrf, _signers


def _get(url: str, **headers: str) -> tuple[bytes, Message]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback only)
    deadline = time.monotonic() + 60  # a busy machine starts the server slowly
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request) as r:  # noqa: S310
                return r.read(), r.headers
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"no answer from {url}")


def _serve(data_dir, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*UNDERSIGN, "serve", *args],
        env=_env(data_dir, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(server: subprocess.Popen[str]) -> str:
    server.send_signal(signal.SIGINT)
    output, _ = server.communicate(timeout=30)
    return output


def test_it_serves_pages_and_hashed_compressed_static_files_with_the_worker(tmp_path):
    data_dir = tmp_path / "data"
    _run(data_dir, "migrate", "-v0")
    _run(data_dir, "demo")
    port = free_port()
    server = _serve(data_dir, "--workers", "1", PORT=str(port))
    lines, reader = _reading(server)
    try:
        body, _ = _get(f"http://127.0.0.1:{port}/s/demo/")
        html = body.decode()
        assert "free the political prisoners" in html
        css = re.search(r'href="(/static/undersign/style\.[0-9a-f]{12}\.css)"', html)
        assert css, "static file names carry their hash"
        plain, _ = _get(f"http://127.0.0.1:{port}{css.group(1)}")
        packed, headers = _get(
            f"http://127.0.0.1:{port}{css.group(1)}", **{"Accept-Encoding": "gzip"}
        )
        assert headers["Content-Encoding"] == "gzip" and len(packed) < len(plain)
        assert "immutable" in headers["Cache-Control"]
        # The mail worker starts beside the server processes: on a loaded machine, later
        # than the pages above are answered (it was once stopped before it had started).
        _wait_for(lambda: any("Starting worker" in line for line in lines), 60)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        reader.join(timeout=10)
    output = "".join(lines)
    assert f"serving http://127.0.0.1:{port}/ with 1 process(es) and the mail worker" in output
    assert "Starting worker" in output
    assert (data_dir / "static" / "staticfiles.json").exists()


def test_it_can_run_without_the_worker(tmp_path):
    data_dir = tmp_path / "data"
    _run(data_dir, "migrate", "-v0")
    _run(data_dir, "demo")
    port = free_port()
    server = _serve(data_dir, "--no-worker", "--port", str(port), WORKERS="2")
    try:
        body, _ = _get(f"http://127.0.0.1:{port}/s/demo/")
        assert "free the political prisoners" in body.decode()
    finally:
        output = _stop(server)
    assert "with 2 process(es)" in output
    assert "Starting worker" not in output


def test_it_starts_a_dead_child_again_and_keeps_the_other_one_up(tmp_path):
    data_dir = tmp_path / "data"
    _run(data_dir, "migrate", "-v0")
    _run(data_dir, "demo")
    port = free_port()
    server = _serve(data_dir, "--workers", "1", "--port", str(port))
    page = f"http://127.0.0.1:{port}/s/demo/"
    try:
        _get(page)
        first = _children(server.pid)
        assert {"worker", "granian"} <= first.keys()

        os.kill(first["worker"], signal.SIGKILL)
        second = _wait_for(
            lambda: (c := _children(server.pid)).get("worker") not in {None, first["worker"]} and c
        )
        assert second["granian"] == first["granian"], "the web server was left alone"
        assert b"free the political prisoners" in _get(page)[0]

        os.kill(second["granian"], signal.SIGKILL)
        third = _wait_for(
            lambda: (
                (c := _children(server.pid)).get("granian") not in {None, second["granian"]} and c
            )
        )
        assert third["worker"] == second["worker"], "the worker was left alone"
        assert b"free the political prisoners" in _get(page)[0]
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)  # as a service manager stops it
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0
    assert "the mail worker stopped (killed by SIGKILL)" in output
    assert "the web server stopped (killed by SIGKILL)" in output
    # SIGTERM stopped both, and nothing is left holding the port.
    assert not any(Path(f"/proc/{pid}").exists() for pid in third.values())
    if shutil.which("ss"):
        listening = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout
        assert f":{port} " not in listening


def test_it_runs_one_thread_per_process_on_sqlite_and_four_on_postgresql(monkeypatch):
    from django.db import connection

    from undersign.management.commands.serve import Command

    monkeypatch.delenv("THREADS", raising=False)
    expected = 4 if connection.vendor == "postgresql" else 1
    assert Command().create_parser("undersign", "serve").parse_args([]).threads == expected
    monkeypatch.setenv("THREADS", "3")  # the operator's choice wins
    assert Command().create_parser("undersign", "serve").parse_args([]).threads == 3


def test_a_server_process_has_loaded_what_a_first_request_would_before_it_takes_one(tmp_path):
    """granian imports `undersign.wsgi` in each process before serving: by then the URL
    modules (the API, the assemblies' numerical code) and every language's catalogue are
    loaded, so a new process's first visitors do not wait for them (issue 13)."""
    shown = (
        "import sys; import undersign.wsgi;"
        " from django.utils.translation import trans_real;"
        " print(sorted(m for m in ('undersign.api.api', 'numpy') if m in sys.modules),"
        " sorted(trans_real._translations))"
    )
    out = _printed_after_the_server_s_import(tmp_path, shown)
    assert out == "['numpy', 'undersign.api.api'] ['de', 'en', 'ru', 'uk']"


def test_a_server_process_leaves_the_loaded_app_out_of_the_garbage_collector_s_scans(tmp_path):
    """A full collection scanned every object of the loaded app, a pause of 75 ms every few
    thousand signings for each request waiting in that process (issue 13): the module
    granian imports freezes them, so a collection sees what requests leave behind."""
    shown = "import gc; import undersign.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    frozen, scanned = map(int, _printed_after_the_server_s_import(tmp_path, shown).split())
    assert frozen > 50_000 and scanned < frozen / 10


def _printed_after_the_server_s_import(tmp_path, code: str) -> str:
    """What `code` prints in a fresh Python process, as a server process starts."""
    return subprocess.run(
        [sys.executable, "-c", code],
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.strip()


def _signatures_in_the_file_itself(data_dir: Path, copy: Path) -> int | None:
    """The signatures in the database file alone, without its write-ahead log: what the
    checkpoints have copied into it. None while a checkpoint is writing the file."""
    shutil.copyfile(data_dir / "undersign.sqlite3", copy)
    try:
        with contextlib.closing(sqlite3.connect(copy)) as db:
            return int(db.execute("SELECT count(*) FROM signatures_signature").fetchone()[0])
    except sqlite3.DatabaseError:
        return None


def test_a_server_process_copies_the_write_ahead_log_into_the_database_from_a_thread(tmp_path):
    """SQLite copies its WAL into the database inside the COMMIT that makes it pass a
    thousand pages, and that COMMIT holds the write turn every other writer waits for; its
    fsyncs made the longest turns ten times longer under a surge (issue 13). A server
    process checkpoints from a thread of its own instead (undersign/sqlite/checkpoints.py):
    five signings, some hundred pages, are in the database file itself within seconds."""
    data_dir = tmp_path / "data"
    _run(data_dir, "migrate", "-v0")
    _run(data_dir, "demo")
    copy = tmp_path / "copy.sqlite3"
    before = _signatures_in_the_file_itself(data_dir, copy)
    port = free_port()
    server = _serve(data_dir, "--no-worker", "--workers", "2", PORT=str(port))
    try:
        _csrf(port)  # the server answers
        for n in range(5):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            body = urllib.parse.urlencode(form_data(email=f"wal{n}@example.org"))
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            connection.request("POST", "/s/demo/sign", body, headers)
            assert connection.getresponse().status == 302
        assert (data_dir / "undersign.sqlite3-wal").stat().st_size > 0
        _wait_for(lambda: _signatures_in_the_file_itself(data_dir, copy) == before + 5)
    finally:
        _stop(server)


def _log_restarts(data_dir: Path) -> int:
    """How many times the WAL has started again from its beginning (its header's checkpoint
    sequence number)."""
    with (data_dir / "undersign.sqlite3-wal").open("rb") as wal:
        return int.from_bytes(wal.read(16)[12:16], "big")


def test_the_write_ahead_log_starts_again_while_the_signings_go_on(tmp_path):
    """A checkpoint made while others write never ends with the whole log copied, and the
    log starts again only after one that did: under a steady load it grew by some hundred
    MB a second. The checkpoint thread copies the last pages in a write turn."""
    data_dir = tmp_path / "data"
    _run(data_dir, "migrate", "-v0")
    _run(data_dir, "demo")
    port = free_port()
    server = _serve(data_dir, "--no-worker", "--workers", "2", PORT=str(port))
    stop, answered = threading.Event(), []
    signers = _signers(port, stop, answered)
    try:
        for signer in signers:
            signer.start()
        _wait_for(lambda: len(answered) > 50)
        first = _log_restarts(data_dir)
        _wait_for(lambda: _log_restarts(data_dir) > first + 1)
    finally:
        stop.set()
        for signer in signers:
            signer.join()
        _stop(server)
