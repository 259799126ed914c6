"""The workspace's import runs in the worker (issue 12, item 3): the button queues a durable
job, the page follows its progress, a failed import is resumed, and a worker killed mid-way
goes on from the last chunk written without doubling anyone."""

import base64
import os
import signal
import subprocess
import time
from collections import Counter
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.conftest import run_worker
from tests.signers import UNDERSIGN, database_env
from tests.test_imports import HEADER, as_csv, form_rows, upload
from undersign.organisers.models import AuditEntry
from undersign.signatures import imports, services
from undersign.signatures.models import Signature, SignatureImport
from undersign.statements.services import close_statement, reopen_statement

PAPER_HEADER = ["ФИО", "Email", "Как показывать имя"]


def paper_rows(n: int) -> list[list[str]]:
    """Every other row has an email (asked by mail), the others are paper signatures."""
    return [
        [f"Подписант Номер{i}", f"mixed{i}@example.org" if i % 2 == 0 else "", "полностью"]
        for i in range(n)
    ]


@pytest.fixture
def viewer(contacts_viewer):
    client = Client()
    client.force_login(contacts_viewer)
    return client


def import_jobs() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="tasks.import_sheet").count()


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_press_queues_nothing_and_nothing_changes_while_it_runs(viewer, statement):
    response = upload(viewer, statement.slug, as_csv(HEADER, form_rows(5)))
    url = response["Location"]
    assert viewer.post(url, {"action": "import"}).status_code == 302
    again = viewer.post(url, {"action": "import"})
    assert again.status_code == 400
    assert "being imported already" in again.content.decode()
    assert import_jobs() == 1
    started = AuditEntry.objects.get(action="signatures.import_start")
    assert started.data == {"import": SignatureImport.objects.get().pk, "rows": 5, "from": 0}
    # While it waits for the worker: no new mapping, no discarding.
    remap = viewer.post(url, {"action": "map", "col_0": "", "col_1": "email", "col_2": "name"})
    assert "cannot change" in remap.content.decode()
    discard = viewer.post(url, {"action": "discard"})
    assert "cannot be discarded now" in discard.content.decode()
    assert SignatureImport.objects.get().rows  # still there for the worker
    listed = page(viewer, f"/workspace/s/{statement.slug}/import/")
    assert "being imported" in listed
    run_worker()
    assert Signature.objects.filter(source="import").count() == 5
    assert "5 signers were asked by mail to confirm" in page(viewer, url)


def test_an_import_that_stops_on_an_error_is_resumed_without_doubling_anyone(
    viewer, statement, mailoutbox
):
    response = upload(viewer, statement.slug, as_csv(PAPER_HEADER, paper_rows(120)), kind="paper")
    url = response["Location"]
    viewer.post(url, {"action": "import"})
    real_write = imports._write
    calls = 0

    def breaks_on_row_70(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 70:
            raise RuntimeError("the disk is full")
        return real_write(*args, **kwargs)

    with mock.patch.object(imports, "_write", breaks_on_row_70):
        run_worker()
    stopped = page(viewer, url)
    assert "The import stopped" in stopped
    assert "50 of 120 rows done" in stopped  # the first chunk stays, the second rolled back
    assert "http-equiv" not in stopped
    assert 'value="resume"' in stopped
    assert Signature.objects.count() == 50

    viewer.post(url, {"action": "resume"})
    assert "Importing" in page(viewer, url)
    resumed = AuditEntry.objects.filter(action="signatures.import_start").latest("id")
    assert resumed.data["from"] == 50
    run_worker()
    done = page(viewer, url)
    assert "60 signers were asked by mail to confirm" in done
    assert "60 paper signatures counted" in done
    assert Signature.objects.filter(source="paper").count() == 60
    assert Signature.objects.filter(source="import").count() == 60
    assert services.paper_count(statement) == 60
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        f"mixed{i}@example.org" for i in range(0, 120, 2)
    )
    entry = AuditEntry.objects.get(action="signatures.import")
    assert entry.data["mailed"] == 60 and entry.data["paper"] == 60


def test_a_closed_statement_stops_the_import_and_says_why(viewer, statement, contacts_viewer):
    response = upload(viewer, statement.slug, as_csv(HEADER, form_rows(3)))
    url = response["Location"]
    viewer.post(url, {"action": "import"})
    close_statement(statement)
    run_worker()
    stopped = page(viewer, url)
    assert "The import stopped" in stopped
    assert "Signing of this statement is closed." in stopped
    assert Signature.objects.count() == 0
    refused = viewer.post(url, {"action": "resume"})
    assert "Signing of this statement is closed." in refused.content.decode()
    reopen_statement(statement)
    viewer.post(url, {"action": "resume"})
    run_worker()
    assert "3 signers were asked by mail to confirm" in page(viewer, url)
    assert AuditEntry.objects.get(action="signatures.import").actor == contacts_viewer


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", "Импорт идёт"), ("uk", "Імпорт триває"), ("de", "Der Import läuft")],
)
def test_the_progress_page_speaks_the_organisers_language(viewer, statement, language, words):
    response = upload(viewer, statement.slug, as_csv(HEADER, form_rows(2)))
    viewer.post(response["Location"], {"action": "import"})
    text = viewer.get(response["Location"], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert words in text


def test_the_reader_may_stop_the_reloading(viewer, statement):
    response = upload(viewer, statement.slug, as_csv(HEADER, form_rows(2)))
    url = response["Location"]
    viewer.post(url, {"action": "import"})
    assert '<meta http-equiv="refresh" content="3">' in page(viewer, url)
    still = page(viewer, f"{url}?still=1")
    assert "http-equiv" not in still
    assert "does not reload by itself" in still and "Importing" in still


def worker_env(tmp_path, smtp) -> dict[str, str]:
    env = database_env(tmp_path)
    env.update(
        SECRET_KEY=settings.SECRET_KEY,
        UNDERSIGN_EMAIL_DIGEST_KEY=settings.EMAIL_DIGEST_KEY,
        # The rows wait in a box under the transit key: the worker must hold the same one.
        UNDERSIGN_TRANSIT_KEY=base64.b64encode(settings.TRANSIT_KEY).decode(),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        UNDERSIGN_URL="http://testserver",
        UNDERSIGN_JOB_TIMEOUT="1",  # a dead worker's job is taken again after a second
    )
    return env


def start_worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        [str(UNDERSIGN), "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(worker: subprocess.Popen, how=signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, how)
    worker.wait(timeout=30)


def wait_for(condition, seconds: float, what: str) -> None:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, what
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_1000_rows_answer_at_once_and_the_worker_imports_them(
    statement, contacts_viewer, smtp, tmp_path
):
    client = Client()
    client.force_login(contacts_viewer)
    response = upload(client, statement.slug, as_csv(HEADER, form_rows(1000)))
    url = response["Location"]
    pressed = time.monotonic()
    assert client.post(url, {"action": "import"}).status_code == 302
    answered = time.monotonic() - pressed
    worker = start_worker(worker_env(tmp_path, smtp))
    try:
        wait_for(lambda: SignatureImport.objects.get().imported_at is not None, 120, "it imports")
        finished = time.monotonic() - pressed
        wait_for(lambda: len(smtp.messages) >= 1000, 120, "the mails go out")
    finally:
        stop(worker)
    print(
        f"\n1000-row import: the button answered in {answered * 1000:.0f} ms; "
        f"imported {finished:.1f} s after the press (the worker's start included)"
    )
    assert answered < 2
    assert Signature.objects.filter(source="import").count() == 1000
    assert len({m["X-Envelope-To"] for m in smtp.messages}) == 1000
    assert "1000 signers were asked by mail to confirm" in page(client, url)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_goes_on_from_the_last_chunk_doubling_nobody(
    statement, contacts_viewer, smtp, tmp_path
):
    client = Client()
    client.force_login(contacts_viewer)
    total = 1500
    content = as_csv(PAPER_HEADER, paper_rows(total))
    response = upload(client, statement.slug, content, kind="paper")
    url = response["Location"]
    client.post(url, {"action": "import"})
    env = worker_env(tmp_path, smtp)
    worker = start_worker(env)
    try:
        wait_for(lambda: SignatureImport.objects.get().done >= 300, 120, "the worker imports")
        os.killpg(worker.pid, signal.SIGKILL)  # mid-way: no goodbye
        worker.wait()
    finally:
        stop(worker, signal.SIGKILL)
    at_kill = SignatureImport.objects.get()
    assert at_kill.done < total and at_kill.imported_at is None, "killed mid-way"
    assert at_kill.done % imports.CHUNK == 0  # whole chunks only
    assert Signature.objects.count() == at_kill.done
    midway = page(client, url)
    assert f"{at_kill.done} of {total} rows done" in midway
    assert '<meta http-equiv="refresh"' in midway  # still importing, as far as anyone knows

    time.sleep(1.2)  # the dead worker's job is stale now
    worker = start_worker(env)
    try:
        wait_for(
            lambda: SignatureImport.objects.get().imported_at is not None,
            120,
            "the restarted worker finishes",
        )
        wait_for(lambda: len(smtp.messages) >= total // 2, 120, "the mails go out")
        time.sleep(1)  # anything sent twice would arrive now
    finally:
        stop(worker)
    assert Signature.objects.filter(source="paper").count() == total // 2
    assert Signature.objects.filter(source="import").count() == total // 2
    assert services.paper_count(statement) == total // 2
    mailed = Counter(m["X-Envelope-To"] for m in smtp.messages)
    assert sorted(mailed) == sorted(f"mixed{i}@example.org" for i in range(0, total, 2))
    assert max(mailed.values()) == 1
    result = page(client, url)
    assert "750 signers were asked by mail to confirm" in result
    assert "750 paper signatures counted" in result
    assert "http-equiv" not in result
    assert AuditEntry.objects.filter(action="signatures.import").count() == 1
