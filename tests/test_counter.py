"""The public counter and the hot paths: exact after every change, O(1) to sign and to read."""

import random
from datetime import timedelta

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.conftest import form_data, sign
from undersign.housekeeping import requeue_stale_jobs, schedule_housekeeping
from undersign.signatures import services
from undersign.signatures.models import Signature, SignatureCount


def _shown_count(client) -> int:
    html = client.get("/s/letter/").content.decode()
    return int(html.split('data-count="')[1].split('"')[0])


def _real_count() -> int:
    return Signature.objects.filter(status="confirmed").count()


def test_the_counter_equals_the_confirmed_signatures_after_every_change(client, statement):
    for n in range(12):
        sign(client, statement, email=f"p{n}@example.org")
    signatures = list(Signature.objects.all())
    rng = random.Random(4)
    seen = set()
    for _ in range(40):
        signature = rng.choice(signatures)
        if rng.random() < 0.6:
            services.confirm_signature(signature)
        else:
            services.withdraw_signature(signature)
        assert _shown_count(client) == _real_count()
        assert services.signature_count(statement) == _real_count()
        seen.add(_real_count())
    assert max(seen) >= 3  # the walk did go up and down


def test_the_counter_is_spread_over_shards(client, statement):
    for n in range(30):
        sign(client, statement, email=f"p{n}@example.org")
    for signature in Signature.objects.all():
        services.confirm_signature(signature)
    shards = SignatureCount.objects.filter(statement=statement)
    assert sum(s.count for s in shards) == 30
    assert shards.filter(count__gt=0).count() > 1


def test_reconcile_repairs_a_counter_that_drifted(client, statement):
    for n in range(3):
        sign(client, statement, email=f"p{n}@example.org")
    for signature in Signature.objects.all():
        services.confirm_signature(signature)
    SignatureCount.objects.filter(statement=statement).update(count=7)  # e.g. a hand edit
    assert services.reconcile_counts() == {statement.pk: (7 * 16, 3)}
    assert _shown_count(client) == 3
    assert services.reconcile_counts() == {}  # nothing left to repair


def test_each_revision_keeps_its_own_count_cheaply(client, statement):
    from undersign.statements.models import Clause
    from undersign.statements.services import publish_changes

    first = statement.current_revision
    sign(client, statement, email="early@example.org")
    Clause.objects.filter(statement=statement, number=1).update(text="Release them all.")
    publish_changes(statement)
    statement.refresh_from_db()
    sign(client, statement, email="late1@example.org")
    sign(client, statement, email="late2@example.org")
    for signature in Signature.objects.all():
        services.confirm_signature(signature)
    counts = services.signature_count_by_revision(statement)
    assert counts == {first.pk: 1, statement.current_revision_id: 2}
    services.withdraw_signature(Signature.objects.get(revision=first))
    assert services.signature_count_by_revision(statement)[first.pk] == 0
    assert services.reconcile_counts() == {}
    page = client.get("/s/letter/").content.decode()
    assert "Versions of this text" in page


def test_reconcile_counts_command_reports_repairs(statement, capsys):
    SignatureCount.objects.create(
        statement=statement, revision=statement.current_revision, shard=3, count=5
    )
    call_command("reconcile_counts")
    assert "counter 5 -> 0" in capsys.readouterr().out
    assert services.signature_count(statement) == 0


def _statements(queries: CaptureQueriesContext) -> list[str]:
    """The SQL statements run, without the savepoints of the test's own transaction."""
    return [
        " ".join(q["sql"].split()[:3])
        for q in queries.captured_queries
        if "SAVEPOINT" not in q["sql"]
    ]


def test_signing_issues_a_fixed_number_of_queries(client, statement):
    sign(client, statement, email="warm@example.org")  # sessions, caches, first connection
    for email in ("second@example.org", "third@example.org"):
        with CaptureQueriesContext(connection) as queries:
            r = sign(client, statement, email=email)
        assert r.status_code == 302
        # The statement; the lookup of the email's digest (done on every path, so a repeat
        # takes the same work); then, in one short transaction: signature, contact, mail job.
        # On PostgreSQL the lookup also takes the ids a signature and a notice would get from
        # their sequences, and the three rows go as one statement.
        lookup = "SELECT id FROM"
        rows = [
            'INSERT INTO "signatures_signature"',
            'INSERT INTO "signatures_contact"',
            'INSERT INTO "django_tasks_database_dbtaskresult"',
        ]
        if connection.vendor == "postgresql":
            lookup, rows = "SELECT (SELECT id", ["WITH row0 AS"]
        assert _statements(queries) == ['SELECT s."id", s."slug",', lookup, *rows]


def _queries_of_statement_page(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/s/letter/").status_code == 200
    return len(queries)


def test_the_statement_page_costs_the_same_with_many_signatures(client, statement):
    client.get("/s/letter/")  # sessions, translations, first connection
    cache.clear()
    empty_cold, empty_warm = _queries_of_statement_page(client), _queries_of_statement_page(client)
    now = timezone.now()
    Signature.objects.bulk_create(
        Signature(
            statement=statement,
            revision_id=statement.current_revision_id,
            ref=f"r{n}",
            status="confirmed",
            display="full",
            public_name=f"Person {n}",
            confirmed_at=now - timedelta(seconds=n),
        )
        for n in range(500)
    )
    services.reconcile_counts()
    cache.clear()
    assert _queries_of_statement_page(client) == empty_cold
    assert _queries_of_statement_page(client) == empty_warm < empty_cold
    html = client.get("/s/letter/").content.decode()
    assert 'data-count="500"' in html and "Person 0" in html and "Person 60" not in html


def test_a_stale_running_job_is_queued_again(client, statement):
    client.post("/s/letter/sign", form_data())
    job = DBTaskResult.objects.get()
    job.claim("dead-worker")
    DBTaskResult.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=1))
    assert requeue_stale_jobs(timedelta(minutes=5)) == 1
    job.refresh_from_db()
    assert job.status == TaskResultStatus.READY


def test_a_running_job_within_its_time_is_left_alone(client, statement):
    client.post("/s/letter/sign", form_data())
    DBTaskResult.objects.get().claim("live-worker")
    assert requeue_stale_jobs(timedelta(minutes=5)) == 0


def test_housekeeping_is_queued_once(db):
    assert schedule_housekeeping() is True
    assert schedule_housekeeping() is False
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_the_cached_page_follows_confirmations_and_withdrawals(client, statement, settings):
    settings.SIGNATURES_PER_PAGE = 1
    for n, name in enumerate(["Older Person", "Newer Person"]):
        sign(client, statement, name=name, email=f"p{n}@example.org")
        services.confirm_signature(Signature.objects.latest("id"))
    for language in ("en", "de"):
        client.cookies["django_language"] = language
        page = client.get("/s/letter/").content.decode()
        assert "Newer Person" in page and "Older Person" not in page
        older = client.get("/s/letter/?after=" + page.split("?after=")[1].split('"')[0])
        assert "Older Person" in older.content.decode()
    services.withdraw_signature(Signature.objects.get(public_name="Newer Person"))
    for language in ("en", "de"):
        client.cookies["django_language"] = language
        page = client.get("/s/letter/").content.decode()
        assert "Newer Person" not in page and "Older Person" in page
        assert _shown_count(client) == 1
