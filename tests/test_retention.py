"""Retention: unconfirmed signatures go after a week, contacts on the organisers' date."""

from datetime import timedelta
from unittest import mock

from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import run_worker, sign
from undersign.housekeeping import schedule_housekeeping
from undersign.organisers.models import AuditEntry
from undersign.signatures.models import Contact, Signature
from undersign.signatures.services import confirm_signature, signature_count


def _age(email: str, days: int) -> None:
    Signature.objects.filter(contact__email=email).update(
        created_at=timezone.now() - timedelta(days=days)
    )


def test_purge_deletes_unconfirmed_signatures_older_than_a_week(client, statement, capsys):
    for email in ("old@example.org", "fresh@example.org", "confirmed@example.org"):
        sign(client, statement, email=email)
    _age("old@example.org", 8)
    _age("confirmed@example.org", 30)
    confirm_signature(Signature.objects.get(contact__email="confirmed@example.org"))
    call_command("purge")
    assert "Deleted 1 unconfirmed" in capsys.readouterr().out
    assert set(Contact.objects.values_list("email", flat=True)) == {
        "fresh@example.org",
        "confirmed@example.org",
    }
    assert signature_count(statement) == 1


def test_the_retention_time_is_a_setting(client, statement, settings):
    settings.UNCONFIRMED_RETENTION_DAYS = 2
    sign(client, statement)
    _age("anna@example.org", 3)
    call_command("purge")
    assert not Signature.objects.exists()


def test_on_the_deletion_date_contacts_go_and_counts_stay(client, statement):
    for i in range(3):
        sign(client, statement, email=f"p{i}@example.org", phone="+49 30 55501")
    for signature in Signature.objects.all():
        confirm_signature(signature)
    statement.contacts_delete_on = timezone.localdate() + timedelta(days=1)
    statement.save()
    call_command("purge")
    assert Contact.objects.count() == 3  # not yet
    statement.contacts_delete_on = timezone.localdate()
    statement.save()
    call_command("purge")
    assert not Contact.objects.exists()
    assert signature_count(statement) == 3
    assert AuditEntry.objects.get(action="contacts.erase").data == {"contacts": 3}


def test_the_worker_purges_on_its_housekeeping_round_and_schedules_the_next(
    client, statement, settings
):
    sign(client, statement)
    _age("anna@example.org", 8)
    schedule_housekeeping(delay=timedelta(0))
    run_worker()
    assert not Signature.objects.exists()
    waiting = DBTaskResult.objects.filter(task_path__endswith="housekeeping", status="READY")
    next_run = waiting.get()
    assert next_run.run_after > timezone.now() + timedelta(
        seconds=settings.HOUSEKEEPING_SECONDS - 60
    )


def test_a_long_running_worker_purges_when_it_starts(client, statement):
    from undersign.management.commands.worker import Command

    sign(client, statement)
    _age("anna@example.org", 8)
    with mock.patch("undersign.management.commands.worker.ResilientWorker.run") as db_worker:
        Command().handle(batch=False, interval=1.0, verbosity=0)
    assert db_worker.called
    assert not Signature.objects.exists()
    assert DBTaskResult.objects.filter(task_path__endswith="housekeeping").exists()
