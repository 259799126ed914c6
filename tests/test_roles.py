"""Roles per team, as a table: every workspace URL by every member of the cast → the answer,
and the access helpers themselves by the cast → the permissions.

A new workspace URL must be declared in TABLE with the answer each kind of user gets, or
test_every_workspace_url_answers_as_the_table_says fails for it.
"""

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404
from django.test import Client
from django.urls import reverse

from tests.conftest import CAST
from tests.signers import confirmed
from undersign.assemblies import ballots
from undersign.assemblies import services as assemblies
from undersign.assemblies.tallies import link_clauses
from undersign.mailings.models import Mailing
from undersign.organisers import access as team_access
from undersign.organisers.services import invite
from undersign.signatures.imports import upload_sheet
from undersign.signatures.questions import QuestionInput, add_question
from undersign.statements import access
from undersign.statements.models import Statement
from undersign.statements.services import create_statement, set_translation
from undersign.workspace import urls

# The answers: "ok" — let through (200, 400 for an empty form, or a redirect elsewhere than the
# login); "no" — refused (403 or 404); "in" — sent to the login page; "405" — wrong method
# (asked after the workspace let the person in). Columns in the order of CAST:
#   owner  editor  moderator  contacts_viewer  other_member  staff  superuser  anonymous
# `other_member` holds every role in another team; `staff` is the admin's staff, in no team;
# `superuser` is in no team either. The statement is a published one of the owner's team.
TABLE: dict[str, dict[str, str]] = {
    "login": {
        "GET": "ok  ok  ok  ok  ok  ok  ok  ok",
        "POST": "ok  ok  ok  ok  ok  ok  ok  ok",
    },
    "logout": {
        "GET": "405 405 405 405 405 405 405 405",
        "POST": "in  in  in  in  in  in  in  in",
    },
    "two_factor": {
        "GET": "ok  ok  ok  ok  ok  ok  ok  in",
        "POST": "ok  ok  ok  ok  ok  ok  ok  in",
    },
    "invitation": {
        "GET": "ok  ok  ok  ok  ok  ok  ok  ok",
        "POST": "ok  ok  ok  ok  ok  ok  ok  ok",
    },
    "statements": {
        "GET": "ok  ok  ok  ok  ok  no  ok  in",
        "POST": "ok  ok  ok  ok  ok  no  ok  in",
    },
    "create": {
        "GET": "ok  ok  no  no  ok  no  no  in",
        "POST": "ok  ok  no  no  ok  no  no  in",
    },
    "edit": {
        "GET": "no  ok  no  no  no  no  no  in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "publish": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "close": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "reopen": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "delete": {
        "GET": "ok  no  no  no  no  no  no  in",
        "POST": "ok  no  no  no  no  no  no  in",
    },
    "changes": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  ok  ok  no  no  no  in",
    },
    "publish_changes": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "discard_changes": {
        "GET": "no  ok  no  no  no  no  no  in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "delete_translation": {
        "GET": "no  ok  no  no  no  no  no  in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "event": {
        "GET": "no  ok  no  no  no  no  no  in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "signing_form": {
        "GET": "no  ok  no  no  no  no  no  in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "question_new": {
        "GET": "no  ok  no  no  no  no  no  in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "question": {
        "GET": "no  ok  no  no  no  no  no  in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "dashboard": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  ok  ok  no  no  no  in",
    },
    "signers": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  ok  ok  no  no  no  in",
    },
    "moderate": {
        "GET": "no  no  ok  no  no  no  no  in",
        "POST": "no  no  ok  no  no  no  no  in",
    },
    "export": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  ok  ok  ok  no  no  no  in",
    },
    "mailings": {
        "GET": "no  no  no  ok  no  no  no  in",
        "POST": "no  no  no  ok  no  no  no  in",
    },
    "mailing": {
        "GET": "no  no  no  ok  no  no  no  in",
        "POST": "no  no  no  ok  no  no  no  in",
    },
    "digest": {
        "GET": "ok  ok  ok  ok  ok  no  ok  in",
        "POST": "ok  ok  ok  ok  ok  no  ok  in",
    },
    "sealing": {
        "GET": "ok  no  no  no  no  no  no  in",
        "POST": "ok  no  no  no  no  no  no  in",
    },
    # Imports hold people's addresses: those who may see contacts.
    "import": {
        "GET": "no  no  no  ok  no  no  no  in",
        "POST": "no  no  no  ok  no  no  no  in",
    },
    "import_preview": {
        "GET": "no  no  no  ok  no  no  no  in",
        "POST": "no  no  no  ok  no  no  no  in",
    },
    "preview": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  ok  ok  no  no  no  in",
    },
    "statement_team": {
        "GET": "ok  no  no  no  no  no  no  in",
        "POST": "ok  no  no  no  no  no  no  in",
    },
    "new_translation": {
        "GET": "no  ok  no  no  no  no  no  in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "translation": {
        "GET": "no  ok  no  no  no  no  no  in",
        "POST": "no  ok  no  no  no  no  no  in",
    },
    "teams": {
        "GET": "ok  ok  ok  ok  ok  no  ok  in",
        "POST": "ok  ok  ok  ok  ok  no  ok  in",
    },
    "team_create": {
        "GET": "no  no  no  no  no  no  ok  in",
        "POST": "no  no  no  no  no  no  ok  in",
    },
    "team": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  ok  ok  no  no  no  in",
    },
    "team_change": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  no  no  no  no  no  no  in",
    },
    "invite": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  no  no  no  no  no  no  in",
    },
    "invitation_revoke": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  no  no  no  no  no  no  in",
    },
    "member_roles": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  no  no  no  no  no  no  in",
    },
    "member_remove": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  no  no  no  no  no  no  in",
    },
    "audit": {
        "GET": "ok  no  no  no  ok  no  no  in",
        "POST": "ok  no  no  no  ok  no  no  in",
    },
    # Assemblies: owner and editor manage, every role views (undersign/assemblies/access.py).
    "assemblies": {
        "GET": "ok  ok  ok  ok  ok  no  ok  in",
        "POST": "ok  ok  ok  ok  ok  no  ok  in",
    },
    "assembly_create": {
        "GET": "ok  ok  no  no  ok  no  no  in",
        "POST": "ok  ok  no  no  ok  no  no  in",
    },
    "assembly": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    "assembly_open": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    "assembly_close": {
        "GET": "ok  ok  no  no  no  no  no  in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    "assembly_text_remove": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    "assembly_campaign": {
        "GET": "ok  ok  no  no  no  no  no  in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    "assembly_revisions": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  ok  ok  no  no  no  in",
    },
    "assembly_tally": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    "assembly_participants": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  ok  ok  no  no  no  in",
    },
    "assembly_codes": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    "assembly_import": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    "assembly_download": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    "assembly_revoke": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    "assembly_positions": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  ok  ok  no  no  no  in",
    },
    "assembly_amendments": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  ok  ok  no  no  no  in",
    },
    "assembly_amendment": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    "assembly_links": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    "assembly_unlink": {
        "GET": "405 405 405 405 405 no  405 in",
        "POST": "ok  ok  no  no  no  no  no  in",
    },
    # An assembly's results: every role in its team reads them; nothing to post.
    "assembly_results": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "405 405 405 405 405 no  405 in",
    },
    "assembly_map": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "405 405 405 405 405 no  405 in",
    },
    "assembly_results_csv": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "405 405 405 405 405 no  405 in",
    },
    "assembly_results_pdf": {
        "GET": "ok  ok  ok  ok  no  no  no  in",
        "POST": "405 405 405 405 405 no  405 in",
    },
}


def answer(response) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status == 302 and location.startswith("/workspace/login/"):
        return "in"
    if status in (200, 400) or status == 302:
        return "ok"
    if status in (403, 404):
        return "no"
    return str(status)


@pytest.fixture
def world(cast, team, statement, draft):
    """Everything the URLs point at: the statement of `team`, a member, invitations."""
    open_invitation, token = invite(team, roles=["editor"], actor=cast["owner"])
    set_translation(statement, language="de", title="Offener Brief", clauses={1: "Frei."})
    signature = confirmed(Client(), statement)
    assembly = assemblies.create_assembly(
        name="Forum", slug=statement.slug, team=team, secret=False, statements=[statement, draft]
    )
    code = assemblies.generate_codes(assembly, 1)[0].code
    clause_a, clause_b = statement.clauses.first(), draft.clauses.first()
    amendment = ballots.propose_amendment(
        assembly,
        code,
        text=assembly.texts.get(statement=statement),
        clause=clause_a,
        kind="reword",
        wording="Release them all.",
        reason="Clearer.",
        language="en",
    )
    link = link_clauses(assembly, clause_a, clause_b)
    question = add_question(
        statement, QuestionInput(label="Were you there?", kind="yes_no", visibility="public")
    )
    sheet = upload_sheet(
        statement, b"Name,Email\nAnna,anna@example.org\n", kind="form", language="en"
    )
    mailing = Mailing.objects.create(statement=statement, language="en", subject="S", body="B")
    return {
        "import_id": sheet.pk,
        "mailing_id": mailing.pk,
        "question_id": question.pk,
        "signature_id": signature.pk,
        "slug": statement.slug,
        "team_id": team.pk,
        "user_id": cast["editor"].pk,
        "invitation_id": open_invitation.pk,
        "token": token,
        "language": "de",
        "assembly_slug": assembly.slug,
        "text_slug": statement.slug,
        "number": 1,
        "amendment_id": amendment.pk,
        "link_id": link.pk,
    }


def url_of(pattern, world) -> str:
    kwargs = {name: world[name] for name in pattern.pattern.converters}
    return reverse(f"workspace:{pattern.name}", kwargs=kwargs)


@pytest.mark.parametrize("pattern", urls.urlpatterns, ids=lambda p: p.name)
def test_every_workspace_url_answers_as_the_table_says(pattern, cast, world):
    assert pattern.name in TABLE, f"declare workspace:{pattern.name} in TABLE"
    url = url_of(pattern, world)
    wrong = []
    for method, row in TABLE[pattern.name].items():
        expected = dict(zip(CAST, row.split(), strict=True))
        for who in CAST:
            # Each request in its own savepoint, rolled back: a removal or a publication
            # by one member of the cast does not change what the next one meets.
            with transaction.atomic():
                client = Client()
                if who != "anonymous":
                    client.force_login(cast[who])
                response = client.get(url) if method == "GET" else client.post(url)
                got = answer(response)
                transaction.set_rollback(True)
            if got != expected[who]:
                wrong.append(
                    f"{method} {url} as {who}: {got} ({response.status_code}), "
                    f"the table says {expected[who]}"
                )
    assert not wrong, "\n".join(wrong)


def test_the_table_declares_no_url_that_is_gone():
    assert set(TABLE) == {p.name for p in urls.urlpatterns}


# The helpers ---------------------------------------------------------------------------------

PERMISSIONS = ("view", "edit", "publish", "moderate", "contacts", "manage")
# What each member of the cast may do to a statement of `team`, and to one without a team.
IN_TEAM = {
    "owner": {"view", "manage"},
    "editor": {"view", "edit", "publish"},
    "moderator": {"view", "moderate"},
    "contacts_viewer": {"view", "contacts"},
    "other_member": set(),
    "staff": set(),
    "superuser": set(),
    "anonymous": set(),
}
TEAMLESS = {who: set() for who in CAST} | {"superuser": {"view", "manage"}}


def _may(user, statement: Statement, perm: str) -> bool:
    """Ask every form of the helper, and require that they agree."""
    answer = access.can(user, statement, perm)
    listed = access.statements_for(user, perm).filter(pk=statement.pk).exists()
    try:
        found = access.statement_for(user, statement.slug, perm) == statement
    except Http404:
        found = False
    bulk = perm in access.permissions_on(user, [statement])[statement.pk]
    assert answer == listed == found == bulk, (user, perm, answer, listed, found, bulk)
    return answer


def test_the_statement_helper_answers_as_the_table_says(cast, statement):
    teamless = create_statement(slug="imported", title="Imported by the CLI", clauses=["One."])
    for who in CAST:
        for perm in PERMISSIONS:
            assert _may(cast[who], statement, perm) == (perm in IN_TEAM[who]), (who, perm)
            assert _may(cast[who], teamless, perm) == (perm in TEAMLESS[who]), (who, perm)


def test_roles_add_up_and_go_at_once(cast, team, statement):
    editor = cast["editor"]
    membership = team.memberships.get(user=editor)
    membership.moderator = True
    membership.save()
    assert {p for p in PERMISSIONS if _may(editor, statement, p)} == {
        "view",
        "edit",
        "publish",
        "moderate",
    }
    membership.delete()
    assert not any(_may(editor, statement, p) for p in PERMISSIONS)
    editor.is_active = False
    assert not _may(cast["owner"], statement, "edit")


def test_an_inactive_account_may_do_nothing(cast, statement):
    owner = cast["owner"]
    User.objects.filter(pk=owner.pk).update(is_active=False)
    owner.refresh_from_db()
    assert not any(_may(owner, statement, p) for p in PERMISSIONS)
    assert not access.may_use_workspace(owner)


def test_who_may_create_and_where(cast, team, other_team):
    where = {who: set(access.creation_teams(cast[who])) for who in CAST}
    assert where["owner"] == {team} and where["editor"] == {team}
    assert where["other_member"] == {other_team}
    for who in ["moderator", "contacts_viewer", "staff", "superuser", "anonymous"]:
        assert where[who] == set() and not access.may_create(cast[who]), who


def test_the_team_helper_answers_as_the_table_says(cast, team):
    members = {"owner", "editor", "moderator", "contacts_viewer"}
    for who in CAST:
        user = cast[who]
        for perm, allowed in [("view", members), ("manage", {"owner"})]:
            try:
                found = team_access.team_for(user, team.pk, perm) == team
            except Http404:
                found = False
            assert found == (who in allowed), (who, perm)
            listed = team_access.teams_for(user, perm).filter(pk=team.pk).exists()
            assert listed == found


def test_a_typo_in_a_permission_grants_nothing(cast, statement):
    for call in [
        lambda: access.can(cast["owner"], statement, "delete"),
        lambda: access.statement_for(cast["owner"], statement.slug, "admin"),
        lambda: access.statements_for(cast["owner"], "Edit"),
        lambda: team_access.team_for(cast["owner"], statement.team_id, "own"),
    ]:
        with pytest.raises(ValueError, match="unknown permission"):
            call()
