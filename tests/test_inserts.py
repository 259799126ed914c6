"""The signing path's prepared rows (signatures/inserts.py): the shortcut that skips the
model instance gives the database exactly what the instance's own preparation gives."""

from datetime import UTC, datetime
from unittest import mock

import pytest

from undersign.signatures import contacts, inserts, services
from undersign.signatures.models import Signature
from undersign.signatures.tasks import send_confirmation

JOB_ID = "0f0e9c2a-8a43-4a57-9a1b-6d1d5a3c9b11"
NOW = datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC)


def rows(statement):
    data = services.SignatureInput(
        language="uk",
        name="Олена Коваль",
        display=Signature.Display.INITIALS,
        email="olena@example.org",
        city="Київ",
        country="UA",
        volunteer=True,
        consent="2",
    )
    digest, choices, prepared = services.prepare_signature(statement, data)
    values = {"statement_id": statement.pk, "ref": "r", "email_digest": digest, **choices}
    values["city_key"] = "kyiv"
    return [
        lambda: inserts.Row(Signature, values),
        lambda: contacts.contact_row(prepared),
        lambda: inserts.task_row(send_confirmation, lambda parent: [parent]),
        lambda: contacts.notice_row(1, prepared, "uk"),
    ]


def plain(params):
    # PostgreSQL's JSON parameters are psycopg's Jsonb wrappers, equal by what they wrap.
    return [getattr(value, "obj", value) for value in params]


@pytest.mark.django_db
@pytest.mark.parametrize("which", [0, 1, 2, 3], ids=["signature", "contact", "job", "notice"])
def test_the_shortcut_prepares_what_the_instance_would(statement, which):
    make = rows(statement)[which]
    with (
        mock.patch("django.utils.timezone.now", return_value=NOW),
        mock.patch("django_tasks_db.backend.DatabaseBackend._get_id", return_value=JOB_ID),
    ):
        short = make()
        # The general way: the instance, and every value prepared by its field.
        with (
            mock.patch.object(inserts, "_plan", return_value=None),
            mock.patch.object(inserts, "_PLAIN", {}),
        ):
            general = make()
    assert short._instance is None and general._instance is not None
    assert short.sql == general.sql
    assert plain(short.params) == plain(general.params)
    assert [i for i, _f, _v in short.later] == [i for i, _f, _v in general.later]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("inside_a_transaction", [False, True])
def test_the_rows_go_in_all_together_or_not_at_all(statement, inside_a_transaction):
    from contextlib import nullcontext

    from django.db import IntegrityError, transaction
    from django_tasks_db.models import DBTaskResult

    from undersign.signatures.models import Contact

    def attempt():
        signature, contact, job = (make() for make in rows(statement)[:3])
        return inserts.insert_together(signature, [contact, job])

    outer = transaction.atomic() if inside_a_transaction else nullcontext()
    with outer:
        signature_id = attempt()
        with pytest.raises(IntegrityError):
            attempt()  # the same email's digest on the same statement: refused
        # The transaction around it is still usable after the refusal.
        assert Signature.objects.filter(pk=signature_id).exists()
    assert Signature.objects.count() == Contact.objects.count() == 1
    assert DBTaskResult.objects.get().args_kwargs == {"args": [signature_id], "kwargs": {}}
    assert Contact.objects.get().signature_id == signature_id


@pytest.mark.django_db(transaction=True)
def test_the_rows_read_back_as_the_general_way_wrote_them(statement):
    """On PostgreSQL the rows' constant columns are written into the statement as literals
    (`inserts._one_statement`): what the database then holds, column by column, is what
    the general way's parameters wrote."""
    from django_tasks_db.models import DBTaskResult

    from undersign.signatures.models import Contact

    def written(general: bool, n: int) -> list[dict]:
        job_id = JOB_ID[:-1] + str(n)
        with (
            mock.patch("django.utils.timezone.now", return_value=NOW),
            mock.patch("django_tasks_db.backend.DatabaseBackend._get_id", return_value=job_id),
        ):
            if general:
                with (
                    mock.patch.object(inserts, "_plan", return_value=None),
                    mock.patch.object(inserts, "_PLAIN", {}),
                ):
                    signature, contact, job = (make() for make in rows(statement)[:3])
            else:
                signature, contact, job = (make() for make in rows(statement)[:3])
        assert bool(signature.constants) is not general
        signature_id = inserts.insert_together(signature, [contact, job])
        # Out of the way of the next one's email and reference.
        Signature.objects.filter(pk=signature_id).update(email_digest=None, ref=str(n))
        # Each row's own: its ids, its email's digest and reference, its transit box.
        skip = {"id", "signature_id", "args_kwargs", "email_digest", "ref", "transit"}
        return [
            {k: v for k, v in row.items() if k not in skip}
            for row in (
                Signature.objects.filter(pk=signature_id).values().get(),
                Contact.objects.filter(pk=signature_id).values().get(),
                DBTaskResult.objects.filter(pk=job_id).values().get(),
            )
        ]

    general, short = written(True, 1), written(False, 2)
    assert short == general
