"""Concurrent submissions of one email leave exactly one signature and one confirmation job."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.conftest import form_data
from undersign.signatures.models import Signature


@pytest.mark.django_db(transaction=True)
def test_threads_submitting_the_same_email_make_one_signature(statement):
    start = threading.Barrier(8)
    statuses: list[int] = []

    def submit() -> None:
        try:
            start.wait()
            r = Client().post("/s/letter/sign", form_data(email="same@example.org"))
            statuses.append(r.status_code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302] * 8
    assert Signature.objects.count() == 1
    # One confirmation job; every repeat queues a notice job (the same work on every path,
    # issue 3), which the throttle turns into no mail while the first one is on its way.
    jobs = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert sum(path.endswith("send_confirmation") for path in jobs) == 1
    assert sum(path.endswith("send_notice") for path in jobs) == 7


@pytest.mark.django_db(transaction=True)
def test_threads_submitting_different_emails_lose_none(statement):
    start = threading.Barrier(6)
    statuses: list[int] = []

    def submit(n: int) -> None:
        try:
            start.wait()
            for i in range(5):
                r = Client().post("/s/letter/sign", form_data(email=f"p{n}-{i}@example.org"))
                statuses.append(r.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302] * 30
    assert Signature.objects.count() == 30
    assert DBTaskResult.objects.count() == 30
