"""Backup and restore: a round trip brings back exactly what was there, and no mail twice."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import free_port, sign
from undersign.signatures import services
from undersign.signatures.models import Signature
from undersign.statements.models import Statement

UNDERSIGN = Path(sys.executable).parent / "undersign"


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_the_signatures_and_the_counter(client, statement, tmp_path):
    for n in range(3):
        sign(client, statement, email=f"p{n}@example.org")
    for signature in Signature.objects.all()[:2]:
        services.confirm_signature(signature)
    target = tmp_path / "undersign.backup"
    call_command("backup", str(target))
    assert target.stat().st_size > 0

    # Later, something goes wrong.
    services.withdraw_signature(Signature.objects.filter(status="confirmed").first())
    sign(client, statement, email="late@example.org")
    assert Signature.objects.count() == 4

    call_command("restore", str(target))
    assert Signature.objects.count() == 3
    assert Signature.objects.filter(status="confirmed").count() == 2
    assert Statement.objects.get().slug == "letter"
    assert services.counting.counted(statement.pk) == 2


def test_restore_refuses_a_missing_file(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "nothing"))


def _undersign(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [UNDERSIGN, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _sign(env: dict[str, str], *emails: str) -> None:
    code = (
        "from undersign.signatures.services import add_signature, SignatureInput;"
        "from undersign.statements.models import Statement;"
        "s = Statement.objects.get(slug='demo');"
        f"[add_signature(s, SignatureInput(name='P', display='full', email=e)) for e in {emails!r}]"
    )
    assert _undersign(env, "shell", "-v0", "-c", code).returncode == 0


def _make_due(env: dict[str, str]) -> None:
    code = (
        "from django.utils import timezone;"
        "from django_tasks_db.models import DBTaskResult;"
        "DBTaskResult.objects.filter(status='READY').update(run_after=timezone.now())"
    )
    assert _undersign(env, "shell", "-v0", "-c", code).returncode == 0


def test_a_restore_does_not_send_again_mails_sent_since_the_backup(database_env, smtp, tmp_path):
    env = {**database_env, "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}
    mail_server_down = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{free_port()}"}
    _undersign(env, "migrate", "-v0")
    _undersign(env, "demo")
    _sign(env, "late@example.org")
    _undersign(mail_server_down, "worker", "--batch", "-v0")  # its mail waits for a retry
    _sign(env, "a@example.org", "b@example.org", "c@example.org")
    backup = tmp_path / "before.backup"
    assert _undersign(env, "backup", str(backup)).returncode == 0

    _undersign(env, "worker", "--batch", "-v0")  # the three mails go out after the backup
    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    restored = _undersign(env, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr

    _make_due(env)  # the retry of the mail that could not go out
    _undersign(env, "worker", "--batch", "-v0")
    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
        "late@example.org",
    ]
    assert "3 job(s) waiting in the backup had run since: not run again" in restored.stdout


def test_a_restore_refuses_while_a_worker_runs(database_env, tmp_path):
    _undersign(database_env, "migrate", "-v0")
    backup = tmp_path / "db.backup"
    assert _undersign(database_env, "backup", str(backup)).returncode == 0
    worker = subprocess.Popen(
        [UNDERSIGN, "worker"],
        env=database_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None
        for line in worker.stdout:
            if "Starting worker" in line:
                break
        refused = _undersign(database_env, "restore", str(backup))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert refused.returncode == 1
    assert refused.stderr.strip().startswith("CommandError: ")
    assert "stop it first" in refused.stderr or "stop them first" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert _undersign(database_env, "restore", str(backup)).returncode == 0


@pytest.mark.django_db(transaction=True)
def test_a_restore_keeps_the_jobs_still_waiting_in_the_replaced_database(statement, tmp_path):
    from django.utils import timezone
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from undersign.signatures.tasks import send_confirmation

    target = tmp_path / "undersign.backup"
    call_command("backup", str(target))
    # After the backup, a mail that failed queued its retry.
    retry = send_confirmation.using(run_after=timezone.now()).enqueue(12345, 2)
    call_command("restore", str(target), stdout=StringIO())
    assert DBTaskResult.objects.get(pk=retry.id).status == TaskResultStatus.READY
