"""Backup and restore: a round trip brings back exactly what was there."""

import pytest
from django.core.management import call_command

from tests.conftest import sign
from undersign.signatures import services
from undersign.signatures.models import Signature
from undersign.statements.models import Statement


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
