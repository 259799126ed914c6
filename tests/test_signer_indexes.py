"""The organisers' filtered lists of signers, read through indexes of confirmed signatures
only (issue 13): a pending signature writes nothing into them, and each filter still finds
its signers, the invalid ones included, whose filters go through the statement's list."""

from django.db import connection

from tests.conftest import sign
from tests.signers import confirmed
from undersign.signatures import moderation, services
from undersign.signatures.models import Signature
from undersign.signatures.reporting import SignerFilter, signers


def _plan(rows) -> str:
    if connection.vendor == "postgresql":
        # A table of a few rows is read whole whatever its indexes: ask for them.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    return rows.explain()


def test_each_filter_finds_its_confirmed_signers_through_its_own_index(client, statement):
    berlin = confirmed(client, statement, name="Anna Berlin", city="Berlin", country="DE")
    confirmed(client, statement, name="Boris Tbilisi", city="Tbilisi", country="GE")
    assert sign(client, statement, name="Clara Pending", city="Berlin").status_code == 302

    revision = statement.current_revision.number
    for where, index, names in [
        (SignerFilter(city="Berlin"), "signature_city_c_idx", ["Anna Berlin"]),
        (SignerFilter(country="DE"), "signature_country_c_idx", ["Anna Berlin"]),
        (
            SignerFilter(revision=revision),
            "signature_revision_c_idx",
            ["Boris Tbilisi", "Anna Berlin"],
        ),
    ]:
        rows = signers(statement, where)
        assert index in _plan(rows)
        assert [s.public_name for s in rows] == names  # newest first, never the pending one

    moderation.invalidate_signature(berlin, reason="a fake")
    invalid = signers(statement, SignerFilter(moderation="invalid", city="Berlin"))
    assert [s.public_name for s in invalid] == ["Anna Berlin"]
    assert [s.public_name for s in signers(statement, SignerFilter(city="Berlin"))] == []


def test_a_pending_signature_joins_the_filtered_lists_when_confirmed(client, statement):
    assert sign(client, statement, name="Dmitri Later", city="Berlin").status_code == 302
    pending = Signature.objects.get(public_name="Dmitri Later")
    assert list(signers(statement, SignerFilter(city="Berlin"))) == []

    assert services.confirm_signature(pending)
    assert [s.public_name for s in signers(statement, SignerFilter(city="Berlin"))] == [
        "Dmitri Later"
    ]
    assert [s.public_name for s in signers(statement, SignerFilter(country="DE"))] == [
        "Dmitri Later"
    ]
