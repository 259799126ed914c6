"""Secret mode: after several participants signed in, voted, proposed and supported
amendments, nothing links a participant to a ballot: no table (the session table and the
audit log included), no log line, no organiser's page or download."""

import logging

import pytest
from django.db import connection
from django.test import Client

from tests.assemblies import clause_ids, codes_for, make_assembly, participant
from undersign.assemblies import codes as access_codes
from undersign.assemblies.models import Amendment, Ballot, Participant
from undersign.organisers.models import AuditEntry


def _dump() -> dict[str, list[tuple]]:
    """Every row of every table, as the database has it."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            tables[table] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return tables


@pytest.fixture
def voted(team, owner, editor, caplog):
    """Four participants vote in a secret assembly; one proposes, two support."""
    caplog.set_level(logging.DEBUG)
    assembly = make_assembly(team, actor=owner)
    codes = codes_for(assembly, 4)
    register_before = list(Participant.objects.order_by("pk").values())
    audit_before = AuditEntry.objects.count()
    a = clause_ids(assembly, "draft-a")
    b = clause_ids(assembly, "draft-b")
    choices = [
        ("support", "agree"),
        ("oppose", "disagree"),
        ("abstain", "pass"),
        ("support", "pass"),
    ]
    for code, (text_value, clause_value) in zip(codes, choices, strict=True):
        client = participant(assembly, code)
        client.post(
            "/a/cologne/t/draft-a/",
            {"position": text_value, **{f"clause-{pk}": clause_value for pk in a}},
        )
        client.post("/a/cologne/t/draft-b/", {f"clause-{b[0]}": clause_value})
        # A change of mind, too.
        client.post("/a/cologne/t/draft-a/", {f"clause-{a[0]}": "agree"})
        if code == codes[0]:
            client.post(
                f"/a/cologne/t/draft-a/{a[1]}/amend",
                {"kind": "reword", "wording": "Visas for all.", "reason": "Simpler."},
            )
        else:
            amendment = Amendment.objects.get()
            client.post(f"/a/cologne/amendments/{amendment.pk}/support", {"support": "1"})
        client.get("/a/cologne/amendments/")
        client.get("/a/cologne/")
    organiser = Client()
    organiser.force_login(editor)
    pages = [
        organiser.get(url).content.decode()
        for url in [
            "/workspace/assemblies/cologne/",
            "/workspace/assemblies/cologne/participants/",
            "/workspace/assemblies/cologne/amendments/",
            f"/workspace/assemblies/cologne/amendments/{Amendment.objects.get().pk}/",
            "/workspace/assemblies/cologne/t/draft-a/paper",
            "/workspace/audit/",
        ]
    ]
    return {
        "assembly": assembly,
        "codes": codes,
        "register_before": register_before,
        "audit_before": audit_before,
        "pages": pages,
        "organiser": organiser,
        "logs": caplog.text,
    }


def test_no_row_links_a_participant_to_a_ballot(voted):
    codes = voted["codes"]
    hashes = {access_codes.code_hash(c) for c in codes}
    keys = {access_codes.ballot_key(c) for c in codes}
    ballots = list(Ballot.objects.all())
    assert len(ballots) == 4 and {b.key for b in ballots} == keys
    assert all(b.participant_id is None for b in ballots)
    assert all(b.updated_at.minute == 0 and b.updated_at.second == 0 for b in ballots)
    participant_ids = set(Participant.objects.values_list("pk", flat=True))
    ballot_ids = {b.pk for b in ballots}

    for table, rows in _dump().items():
        for row in rows:
            text = " ".join(str(value) for value in row.values())
            # The codes themselves are nowhere, not even in the session table.
            assert not any(code in text for code in codes), (table, row)
            assert not any(code.replace("-", "") in text for code in codes), (table, row)
            has_participant = (table == "assemblies_participant") or any(h in text for h in hashes)
            has_participant |= row.get("participant_id") in participant_ids
            has_ballot = (table == "assemblies_ballot") or any(k in text for k in keys)
            has_ballot |= row.get("ballot_id") in ballot_ids
            assert not (has_participant and has_ballot), (table, row)
            if table == "assemblies_participant":
                assert not any(k in text for k in keys)
            if table == "assemblies_ballot":
                assert not any(h in text for h in hashes)


def test_signing_in_and_voting_leave_the_register_and_the_audit_log_as_they_were(voted):
    assert list(Participant.objects.order_by("pk").values()) == voted["register_before"]
    assert AuditEntry.objects.count() == voted["audit_before"]


def test_no_session_is_made_for_participants(voted):
    from django.contrib.sessions.models import Session

    # The one session is the organiser's, and it holds nothing of the room.
    sessions = list(Session.objects.all())
    assert len(sessions) == 1
    data = sessions[0].get_decoded()
    assert set(data) <= {"_auth_user_id", "_auth_user_backend", "_auth_user_hash", "last_seen"}


def test_no_log_line_carries_a_code_or_a_ballot(voted):
    logs = voted["logs"]
    for code in voted["codes"]:
        assert code not in logs and code.replace("-", "") not in logs
        assert access_codes.code_hash(code) not in logs
        assert access_codes.ballot_key(code) not in logs
    assert "ballot" not in logs.lower()


def test_no_organisers_page_or_download_names_a_ballot(voted):
    for page in voted["pages"]:
        assert "ballot_id" not in page and "participant_id" not in page
        for code in voted["codes"]:
            assert code not in page
    organiser = voted["organiser"]
    # Secret: there is no page of named positions at all.
    assert organiser.get("/workspace/assemblies/cologne/positions").status_code == 404
    # The amendments page shows the proposal and its support, not who made it.
    listing = voted["pages"][2]
    assert "Visas for all." in listing and "yours" not in listing
