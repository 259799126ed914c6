"""The dashboard: counts, signatures per day as an SVG with a table, places grouped across
spellings, volunteers by city, revisions, the latest audit entries — in a handful of
queries whatever the number of signatures."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone

from tests.conftest import sign
from tests.signers import confirmed, many, organiser
from undersign.signatures import moderation, services
from undersign.signatures.models import Signature, SignatureTally
from undersign.signatures.places import place_key
from undersign.signatures.reporting import dashboard
from undersign.signatures.tallies import rebuild


@pytest.fixture
def staff(client, team):
    """Signed in with every role in the statement's team."""
    client.force_login(organiser())
    return client


@pytest.mark.parametrize(
    "spellings",
    [
        ("Köln", "Koeln", "Koln", "Cologne", "Кёльн", "köln, Germany", " KÖLN "),
        ("München", "Muenchen", "Munich", "Мюнхен"),
        ("Wien", "Vienna", "Вена"),
        ("Praha", "Prague", "Прага"),
        ("Warszawa", "Warsaw", "Варшава"),
        ("Kyiv", "Kiev", "Київ", "Киев"),
        ("Tbilisi", "Тбилиси", "თბილისი"),
        ("Berlin", "Берлин", "Berlin, Deutschland"),
        ("Sankt-Peterburg", "St. Petersburg", "Санкт-Петербург", "г. Санкт-Петербург"),
        ("Харків", "Kharkiv", "Kharkov", "Харьков"),
    ],
)
def test_it_groups_the_spellings_of_a_city(spellings):
    assert len({place_key(s) for s in spellings}) == 1, [place_key(s) for s in spellings]


def test_different_cities_stay_apart():
    cities = ["Köln", "Berlin", "Frankfurt (Oder)", "Frankfurt am Main", "Riga", "Rīga, Latvia"]
    keys = [place_key(c) for c in cities]
    assert len(set(keys)) == 5 and keys[-1] == keys[-2]


def test_the_dashboard_counts_and_groups(client, staff, statement):
    for city in ("Köln", "Köln", "Koeln", "Cologne"):
        confirmed(client, statement, city=city, volunteer="on")
    confirmed(client, statement, city="Berlin", country="DE")
    confirmed(client, statement, city="Тбилиси", country="GE", display="hidden")
    withdrawn = confirmed(client, statement, city="Wien", country="AT")
    services.withdraw_signature(withdrawn)
    hidden = confirmed(client, statement, city="Berlin", name="Fake Name")
    moderation.hide_signature(hidden, reason="fake")
    invalid = confirmed(client, statement, city="Berlin")
    moderation.invalidate_signature(invalid)
    sign(client, statement, email="pending@example.org")

    board = dashboard(statement)
    assert (board.confirmed, board.pending, board.withdrawn) == (7, 1, 1)
    assert (board.hidden, board.invalid, board.paper) == (1, 1, 0)
    assert (board.not_public, board.volunteers, board.listed) == (1, 4, 5)
    assert [(p.name, p.count) for p in board.cities] == [
        ("Köln", 4),  # the spelling most signers used stands for all four
        ("Berlin", 2),
        ("Тбилиси", 1),
    ]
    assert [(p.name, p.count) for p in board.volunteer_cities] == [("Köln", 4)]
    assert board.countries == [("DE", 6), ("GE", 1)]
    assert [(r.number, r.count, r.current) for r in board.revisions] == [(1, 7, True)]

    page = staff.get("/workspace/s/letter/dashboard").content.decode()
    assert '<svg viewBox="0 0 720 220" role="img"' in page
    assert "7 confirmed signatures, from" in page
    assert "<summary>The same as a table</summary>" in page
    assert "?volunteers=on&amp;city=K%C3%B6ln" in page
    assert "signature.hide" in page and "signature.invalidate" in page  # the audit log
    assert "pending@example.org" not in page


def test_the_chart_has_a_bar_for_every_day_and_weeks_for_a_long_campaign(client, statement):
    for n, days_ago in enumerate((0, 0, 3)):
        s = confirmed(client, statement, email=f"d{n}@example.org")
        Signature.objects.filter(pk=s.pk).update(
            confirmed_at=timezone.now() - timedelta(days=days_ago)
        )
    rebuild(statement.pk)  # the rows were changed by hand, past the services
    board = dashboard(statement)
    assert [n for _day, n in board.series] == [1, 0, 0, 2] and not board.per_week
    Signature.objects.filter(email_digest__isnull=False).update(
        confirmed_at=timezone.now() - timedelta(days=300)
    )
    rebuild(statement.pk)
    board = dashboard(statement)
    assert board.series == [(board.series[0][0], 3)] and board.per_week is False


def test_the_dashboard_costs_the_same_few_queries_at_any_size(staff, statement):
    many(statement, 50)
    staff.get("/workspace/")  # the session's first "last seen" is written here
    with CaptureQueriesContext(connection) as small:
        assert staff.get("/workspace/s/letter/dashboard").status_code == 200
    many(statement, 3000, city="Köln", volunteer=True)
    with CaptureQueriesContext(connection) as large:
        page = staff.get("/workspace/s/letter/dashboard").content.decode()
    assert "3050" in page
    assert len(large.captured_queries) == len(small.captured_queries) <= 10, [
        q["sql"] for q in large.captured_queries
    ]


def test_reconcile_rebuilds_tallies_that_drifted(client, statement):
    confirmed(client, statement, city="Köln")
    SignatureTally.objects.filter(dimension="city").update(count=5)
    services.reconcile_counts()
    assert [(p.name, p.count) for p in dashboard(statement).cities] == [("Köln", 1)]


def test_only_organisers_see_the_dashboard(client, statement):
    assert client.get("/workspace/s/letter/dashboard").status_code == 302  # to the login
    client.force_login(organiser("signer", in_team=False))
    assert client.get("/workspace/s/letter/dashboard").status_code == 403


def test_a_workspace_page_reads_the_roles_and_the_two_factor_facts_once(staff, statement):
    staff.get("/workspace/")  # the session's first "last seen" is written here
    for url in ("/workspace/", "/workspace/s/letter/dashboard", "/workspace/s/letter/signers/"):
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(url).status_code == 200
        sql = [q["sql"] for q in queries.captured_queries]
        # One query of the memberships (a statement's query may hold them as a subquery):
        # the read of organisers/access.py, which names their table "m".
        membership_reads = [q for q in sql if ' FROM "organisers_membership" m ' in q]
        assert len(membership_reads) == 1, (url, sql)
        assert not any(q.startswith('SELECT "otp_totp') for q in sql), (url, sql)


def test_a_member_removed_loses_the_pages_at_the_next_request(staff, statement):
    from undersign.organisers.models import Membership

    assert staff.get("/workspace/s/letter/dashboard").status_code == 200
    Membership.objects.filter(team=statement.team, user__username="organiser").delete()
    assert staff.get("/workspace/s/letter/dashboard").status_code in (403, 404)


def test_the_audit_lines_are_the_statements_ten_latest_in_local_time(staff, statement, draft):
    from undersign.organisers.models import AuditEntry
    from undersign.organisers.services import log_action

    someone = organiser("someone")
    start = timezone.now() - timedelta(days=1)
    for n in range(12):
        entry = log_action(
            f"test.step{n}",
            actor=someone if n % 2 else None,
            obj=statement,
            data={"n": n, "share": n + 0.5},
        )
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=start + timedelta(minutes=n))
    log_action("test.elsewhere", obj=draft, data={"who": "cli"})
    AuditEntry.objects.filter(object_id=str(statement.pk)).exclude(
        action__startswith="test."
    ).delete()

    staff.cookies["django_language"] = "de"
    page = staff.get("/workspace/s/letter/dashboard").content.decode()
    audit = page[page.index('id="audit-heading"') :]
    rows = re.findall(
        r"<tr><td><time datetime=\"([^\"]+)\">([^<]+)</time></td><td>([^<]*)</td>"
        r"<td><code>([^<]+)</code></td><td class=\"meta\">([^<]*)</td></tr>",
        audit,
    )
    assert [r[3] for r in rows] == [f"test.step{n}" for n in range(11, 1, -1)]  # newest first
    latest = timezone.localtime(start + timedelta(minutes=11))
    assert rows[0][0] == latest.isoformat()
    assert rows[0][1] == formats.date_format(latest, "j M Y H:i")
    assert rows[0][2] == "someone" and rows[1][2] == "—"
    assert rows[0][4] == "n: 11; share: 11,5"  # localised, in German
    assert "test.elsewhere" not in page
