"""Several app processes against one database: the same email sent to both signs once.

Runs against PostgreSQL when the suite does (a database of its own: the `database_env`
fixture), else one SQLite file.
"""

import http.client
import os
import subprocess
import threading
import time
import urllib.parse
import uuid

import pytest

from tests.conftest import free_port
from tests.test_cli import UNDERSIGN
from tests.test_crash import _csrf


def _undersign(env, *args: str) -> str:
    return subprocess.run(
        [*UNDERSIGN, *args], env=env, check=True, capture_output=True, text=True, timeout=120
    ).stdout


def test_two_app_processes_receiving_the_same_email_make_one_signature(database_env):
    _undersign(database_env, "migrate", "-v0")
    _undersign(database_env, "demo")
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [*UNDERSIGN, "serve", "--no-worker", "--workers", "1", "--port", str(port)],
            env=database_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        tokens = {port: _csrf(port) for port in ports}
        start = threading.Barrier(8)
        statuses: list[int] = []

        def submit(port: int) -> None:
            import http.client

            cookie, token = tokens[port]
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "name": "Same Person",
                    "display": "full",
                    "email": "same@example.org",
                    "consent": "on",
                }
            )
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            start.wait()
            connection.request(
                "POST",
                "/s/demo/sign",
                body,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={cookie}",
                },
            )
            statuses.append(connection.getresponse().status)

        threads = [threading.Thread(target=submit, args=(ports[n % 2],)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    assert statuses == [302] * 8  # every answer the same
    counts = _undersign(
        database_env,
        "shell",
        "-v0",
        "-c",
        "from undersign.signatures.models import Signature;"
        "from django_tasks_db.models import DBTaskResult;"
        "jobs = DBTaskResult.objects.filter(task_path__endswith='send_confirmation');"
        "print(Signature.objects.count(), jobs.count())",
    )
    # One signature, one confirmation job (each repeat queues a notice job, which the
    # throttle turns into no mail: the same work on every path).
    assert counts.split() == ["1", "1"]


def test_two_workers_send_every_queued_mail_exactly_once(database_env, smtp):
    _undersign(database_env, "migrate", "-v0")
    _undersign(database_env, "demo")
    # 60 pending signatures, each with its mail job, straight through the service.
    _undersign(
        database_env,
        "shell",
        "-v0",
        "-c",
        "from undersign.signatures.services import add_signature, SignatureInput;"
        "from undersign.statements.models import Statement;"
        "s = Statement.objects.get(slug='demo');"
        "[add_signature(s, SignatureInput(name='P', display='full',"
        " email=f'w{n}@example.org')) for n in range(60)]",
    )
    env = {**database_env, "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}
    workers = [
        subprocess.Popen(
            [*UNDERSIGN, "worker", "--batch", "-v0"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    recipients = [m["X-Envelope-To"] for m in smtp.messages]
    assert sorted(recipients) == sorted(f"w{n}@example.org" for n in range(60))


def _post_signature(port: int, token: tuple[str, str], email: str) -> int:
    cookie, csrf = token
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf,
            "name": "Some One",
            "display": "full",
            "email": email,
            "consent": "on",
        }
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST",
        "/s/demo/sign",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"},
    )
    return connection.getresponse().status


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the PostgreSQL and Redis run)"
)
def test_a_rate_limit_holds_across_two_server_processes_sharing_redis(database_env):
    env = {
        **database_env,
        "REDIS_URL": os.environ["REDIS_URL"],
        "UNDERSIGN_CACHE_PREFIX": f"limit-test-{uuid.uuid4().hex[:8]}",
        "UNDERSIGN_SIGNING_BURST": "5",
        "UNDERSIGN_SIGNING_SUSTAINED": "1000",
    }
    _undersign(env, "migrate", "-v0")
    _undersign(env, "demo")
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [*UNDERSIGN, "serve", "--no-worker", "--workers", "1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        tokens = {port: _csrf(port) for port in ports}
        # The limit counts in fixed one-minute windows: keep the 30 attempts inside one.
        if time.time() % 60 > 45:
            time.sleep(61 - time.time() % 60)
        statuses = [
            _post_signature(ports[n % 2], tokens[ports[n % 2]], f"limit{n}@example.org")
            for n in range(30)
        ]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    assert statuses.count(302) == 5, statuses
    assert statuses.count(429) == 25
