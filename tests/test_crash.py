"""Crash safety: SIGKILL the server in the middle of a signing load, start it again; kill its
database connections under load.

Every signature that got a success answer must be there, and every confirmation mail that
was pending must go out once the worker is back, once.
"""

import contextlib
import http.client
import os
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.conftest import form_data, free_port, run_worker, sign
from tests.test_cli import UNDERSIGN, _env, _run
from undersign.housekeeping import run_housekeeping


def _start(data_dir, port: int, smtp_port: int, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*UNDERSIGN, "serve", "--port", str(port), "--workers", "2"],
        env=_env(data_dir, EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}", **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a session of its own, so one kill takes all of it
    )


def _kill_session(session: int, sig: signal.Signals) -> None:
    """Send `sig` to every process of the session, as a power cut or the OOM killer would."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # state, ppid, pgrp, session
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(stat.parent.name), sig)


def _csrf(port: int) -> tuple[str, str]:
    # A minute: a server started while the machine is busy collects its static files first.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/s/demo/")
            response = connection.getresponse()
            html = response.read().decode()
            if response.status >= 500:
                # A database connection killed under it (the connection-kill test): again,
                # as a reader would reload.
                time.sleep(0.1)
                continue
            # The page sets no cookie and carries no token (it is shared by every reader);
            # the signing form needs none. The posts send these empty ones, as before.
            assert response.status == 200 and 'id="sign-form"' in html
            assert "csrfmiddlewaretoken" not in html and not response.getheader("Set-Cookie")
            return "", ""
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
        _kill_session(server.pid, signal.SIGKILL)  # mid-load: no goodbye, no flush
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


def _children(pid: int) -> dict[str, int]:
    """The child processes of `pid` by what they run: "worker" or "granian"."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[1]) == pid:
            for kind in ("worker", "granian", "runserver"):
                if kind in cmdline.split():
                    found[kind] = int(stat.parent.name)
    return found


def _sign_until_answered(port: int, emails: list[str], answered: list[str], retried: list[str]):
    """Sign once with each address at a bounded rate; where the server fails (a 5xx or a
    dropped connection), try that address again, as a person pressing the button again would."""
    cookie, token = _csrf(port)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for email in emails:
        body = urllib.parse.urlencode({**form_data(email=email), "csrfmiddlewaretoken": token})
        for _ in range(20):
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
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            if status == 302:
                answered.append(email)
                break
            if not (status == 0 or status >= 500):
                # A thread's AssertionError is lost: say it where the test looks.
                answered.append(f"unexpected answer {status} for {email}")
                return
            retried.append(email)
            time.sleep(0.2)
        time.sleep(0.03)  # about 30 signatures a second at most


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL only (pg_terminate_backend); the SQLite run checks restarts in test_serve",
)
def test_it_keeps_answering_and_mails_each_signer_once_while_db_connections_are_killed(
    database_env, smtp, tmp_path
):
    import psycopg

    env = {
        **database_env,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "UNDERSIGN_JOB_RETRY_SECONDS": "1",
        "UNDERSIGN_SIGNING_BURST": "1000000",
        "UNDERSIGN_SIGNING_SUSTAINED": "1000000",
    }
    env.pop("UNDERSIGN_URL", None)
    subprocess.run([*UNDERSIGN, "migrate", "-v0"], env=env, check=True, timeout=120)
    subprocess.run([*UNDERSIGN, "demo"], env=env, check=True, timeout=120, capture_output=True)
    # A backlog, so that the worker is busy with the database when its connection is killed.
    queued = [f"queued{n}@example.org" for n in range(300)]
    subprocess.run(
        [
            *UNDERSIGN,
            "shell",
            "-v0",
            "-c",
            "from undersign.signatures.services import add_signature, SignatureInput as I;"
            "from undersign.statements.models import Statement;"
            "s = Statement.objects.get(slug='demo');"
            f"[add_signature(s, I(name='P', display='full', email=e)) for e in {queued}]",
        ],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*UNDERSIGN, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    emails = [f"kill{n}@example.org" for n in range(150)]
    answered: list[str] = []
    retried: list[str] = []
    signer = threading.Thread(target=_sign_until_answered, args=(port, emails, answered, retried))
    killed = 0
    try:
        _csrf(port)  # up and answering
        before = _children(server.pid)
        assert {"worker", "granian"} <= before.keys()
        signer.start()
        while not smtp.messages:  # the worker is at work
            time.sleep(0.05)
        database = env["DATABASE_URL"].rsplit("/", 1)[1]
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as admin:
            for _ in range(10):
                time.sleep(0.4)
                killed += len(
                    admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = %s AND pid <> pg_backend_pid()",
                        [database],
                    ).fetchall()
                )
        signer.join(timeout=120)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and not {*answered, *queued} <= set(_recipients(smtp)):
            time.sleep(0.2)
        time.sleep(2)  # a mail sent twice would have arrived by now
        assert server.poll() is None, "serve is still running"
        after = _children(server.pid)
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/s/demo/").read().decode()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    mailed = _recipients(smtp)
    print(
        f"{killed} connections killed; {len(answered)} signatures answered, "
        f"{len(retried)} tries again after a 5xx or a dropped connection; "
        f"mails per signature (mails: signatures): "
        f"{sorted(Counter(mailed[e] for e in [*queued, *answered]).items())}"
    )
    assert "free the political prisoners" in body
    assert killed >= 10, "connections were killed under load"
    assert sorted(answered) == sorted(emails), "every signer got an answer in the end"
    assert all(mailed[email] == 1 for email in [*queued, *answered]), "one mail per signer"
    assert set(mailed) == {*queued, *answered}
    # Neither the worker nor the web server had to be started again: they rode it out.
    assert after == before, output


def _due_now() -> None:
    """Let the clock run past every job's pause."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


def test_it_runs_again_a_job_that_failed_on_a_database_error(client, statement, smtp):
    from undersign.signatures import contacts

    real = contacts.contact_for_mail
    calls = []

    def flaky(signature_id: int):
        calls.append(signature_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(signature_id)

    sign(client, statement)
    with mock.patch.object(contacts, "contact_for_mail", flaky):
        run_worker()
        job = DBTaskResult.objects.get(task_path__endswith="send_confirmation")
        assert job.status == TaskResultStatus.READY, "queued again, not failed for ever"
        assert job.run_after > timezone.now(), "after a pause"
        assert not smtp.messages
        _due_now()
        run_worker()
    assert [m["X-Envelope-To"] for m in smtp.messages] == ["anna@example.org"]
    assert DBTaskResult.objects.get(pk=job.pk).status == TaskResultStatus.SUCCESSFUL


def _failed_job(exception: str, runs: int) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="undersign.housekeeping.housekeeping",
        backend_name="default",
        run_after=timezone.now(),
        finished_at=timezone.now(),
        worker_ids=[f"w{n}" for n in range(runs)],
        exception_class_path=exception,
        traceback="",
    )


def test_housekeeping_queues_again_jobs_that_failed_on_a_transient_error(db, settings):
    settings.JOB_MAX_ATTEMPTS = 3
    lost_connection = _failed_job("django.db.utils.OperationalError", runs=1)
    mail_timeout = _failed_job("builtins.TimeoutError", runs=2)
    psycopg_error = _failed_job("psycopg.errors.AdminShutdown", runs=1)
    bug = _failed_job("builtins.ValueError", runs=1)
    tried_enough = _failed_job("smtplib.SMTPServerDisconnected", runs=3)
    run_housekeeping()
    status = {
        name: DBTaskResult.objects.get(pk=job.pk).status
        for name, job in {
            "lost_connection": lost_connection,
            "mail_timeout": mail_timeout,
            "psycopg_error": psycopg_error,
            "bug": bug,
            "tried_enough": tried_enough,
        }.items()
    }
    assert status == {
        "lost_connection": TaskResultStatus.READY,
        "mail_timeout": TaskResultStatus.READY,
        "psycopg_error": TaskResultStatus.READY,
        "bug": TaskResultStatus.FAILED,
        "tried_enough": TaskResultStatus.FAILED,
    }
    # The pause doubles with each run.
    first = DBTaskResult.objects.get(pk=lost_connection.pk).run_after - timezone.now()
    second = DBTaskResult.objects.get(pk=mail_timeout.pk).run_after - timezone.now()
    assert second > first > timedelta(0)
