"""Crash safety: SIGKILL the server in the middle of a signing load, start it again.

Every signature that got a success answer must be there, and every confirmation mail that
was pending must go out once the worker is back.
"""

import http.client
import os
import re
import signal
import subprocess
import threading
import time
import urllib.parse
from collections import Counter

from tests.conftest import form_data, free_port
from tests.test_cli import UNDERSIGN, _env, _run


def _start(data_dir, port: int, smtp_port: int, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*UNDERSIGN, "serve", "--port", str(port), "--workers", "2"],
        env=_env(data_dir, EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}", **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so one kill takes all of it
    )


def _csrf(port: int) -> tuple[str, str]:
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/s/demo/")
            response = connection.getresponse()
            html = response.read().decode()
            cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", ""))
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
            assert cookie and token
            return cookie.group(1), token.group(1)
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not answer")


def _signers(port: int, stop: threading.Event, answered: list[str], threads: int = 4):
    cookie, token = _csrf(port)

    def sign(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        i = 0
        while not stop.is_set():
            i += 1
            email = f"signer{n}-{i}@example.org"
            body = urllib.parse.urlencode({**form_data(email=email), "csrfmiddlewaretoken": token})
            try:
                connection.request(
                    "POST",
                    "/s/demo/sign",
                    body,
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": f"csrftoken={cookie}",
                    },
                )
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                return  # the server is gone
            if response.status == 302:
                answered.append(email)

    return [threading.Thread(target=sign, args=(n,)) for n in range(threads)]


def _recipients(smtp) -> Counter[str]:
    return Counter(m["X-Envelope-To"] for m in smtp.messages)


def test_it_loses_no_signature_and_sends_each_pending_mail_once_after_sigkill(tmp_path, smtp):
    data_dir = tmp_path / "data"
    _run(data_dir, "migrate", "-v0")
    _run(data_dir, "demo")
    port = free_port()
    server = _start(data_dir, port, smtp.port)
    stop, answered = threading.Event(), []
    signers = _signers(port, stop, answered)
    try:
        for t in signers:
            t.start()
        time.sleep(3)
        os.killpg(server.pid, signal.SIGKILL)  # mid-load: no goodbye, no flush
        server.wait()
    finally:
        stop.set()
        for t in signers:
            t.join()
    assert len(answered) > 50, "the load reached the server"
    mailed_before = _recipients(smtp)

    # A worker that was killed mid-job left it RUNNING: the new one takes it back after
    # the timeout (1 s here).
    time.sleep(1.5)
    server = _start(data_dir, port, smtp.port, UNDERSIGN_JOB_TIMEOUT="1")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not set(answered) <= set(_recipients(smtp)):
            time.sleep(0.2)
        time.sleep(2)  # any mail sent twice would arrive now
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    mailed = _recipients(smtp)
    missing = set(answered) - set(mailed)
    assert not missing, f"{len(missing)} signers got a success answer but no mail"
    # Mails that were still pending when the server died went out exactly once.
    pending_at_kill = set(mailed) - set(mailed_before)
    assert all(mailed[email] == 1 for email in pending_at_kill)
    # Sending is at-least-once: only the one mail that was in flight at the kill (sent,
    # its `mail_sent_at` not yet committed) may go out a second time.
    assert sum(n - 1 for n in mailed.values()) <= 1
