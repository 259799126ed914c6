"""Teams: owners invite by a one-time link, change roles and remove members; the invitee
makes an account (and sets up two-factor login where the team asks) and lands in the team;
statements belong to a team. Through HTTP, as a browser without JavaScript would."""

import os
import re
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from undersign.organisers.models import AuditEntry, Invitation, Membership, Team
from undersign.organisers.services import TeamError, accept_invitation, invite
from undersign.statements.models import Statement
from undersign.statements.services import import_markdown

LINK = re.compile(r"http://testserver(/workspace/invite/[A-Za-z0-9_-]+/)")


def _invite(client, team, **roles) -> str:
    """As the logged-in owner: make an invitation on the team page; the link's path."""
    data = {f"invite-{role}": "on" for role in roles} | {"invite-note": "Masha"}
    r = client.post(f"/workspace/teams/{team.pk}/invitations", data)
    assert r.status_code == 302 and r["Location"].endswith("#new-invitation")
    page = client.get(r["Location"]).content.decode()
    found = LINK.search(page)
    assert found, page
    return found.group(1)


def _join(client, link: str, username: str = "masha", password: str = PASSWORD):
    return client.post(link, {"username": username, "password1": password, "password2": password})


def _roles(team: Team, user: User) -> set[str]:
    return set(Membership.objects.get(team=team, user=user).roles)


def test_an_owner_invites_and_the_invitee_lands_in_the_team(client, owner, team, statement):
    client.force_login(owner)
    link = _invite(client, team, editor=True)
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.note == "Masha" and invitation.roles == {"editor"}
    page = client.get(f"/workspace/teams/{team.pk}/").content.decode()
    assert token not in page  # shown once only
    assert "Masha" in page and "Withdraw" in page

    client.logout()
    page = client.get(link).content.decode()
    assert "Join Letter team" in page and "editor" in page
    r = _join(client, link)
    assert r.status_code == 302 and r["Location"] == f"/workspace/teams/{team.pk}/"
    masha = User.objects.get(username="masha")
    assert _roles(team, masha) == {"editor"}
    assert "Welcome to Letter team." in client.get(r["Location"]).content.decode()
    assert client.get("/workspace/s/letter/").status_code == 200  # an editor now

    invitation.refresh_from_db()
    assert invitation.used_by == masha and invitation.used_at is not None
    accepted = AuditEntry.objects.get(action="team.invite.accept")
    assert accepted.actor == masha and accepted.team == team
    assert accepted.data["roles"] == ["editor"] and accepted.data["new_account"] is True
    assert AuditEntry.objects.get(action="team.invite").actor == owner

    client.logout()
    r = client.get(link)
    assert r.status_code == 404 and "This invitation no longer works" in r.content.decode()
    assert _join(client, link, "masha2").status_code == 404
    assert not User.objects.filter(username="masha2").exists()


def test_bad_account_input_is_explained_and_kept(client, owner, team):
    _, token = invite(team, roles=["moderator"], actor=owner)
    link = f"/workspace/invite/{token}/"
    r = client.post(link, {"username": "masha", "password1": "short", "password2": "short"})
    page = r.content.decode()
    assert r.status_code == 400 and "This password is too short." in page
    assert 'value="masha"' in page
    r = client.post(link, {"username": "masha", "password1": PASSWORD, "password2": "other"})
    assert r.status_code == 400 and "The two passwords differ." in r.content.decode()
    r = _join(client, link, username="Owner")
    assert r.status_code == 400 and "This user name is taken." in r.content.decode()
    r = _join(client, link, username="no spaces please")
    assert r.status_code == 400
    assert not User.objects.filter(username__in=["masha", "no spaces please"]).exists()
    assert Invitation.objects.get().is_open


def test_an_expired_or_withdrawn_link_no_longer_works(client, owner, team):
    expired, expired_token = invite(team, roles=["editor"], actor=owner)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(1))
    withdrawn, withdrawn_token = invite(team, roles=["editor"], actor=owner)
    client.force_login(owner)
    r = client.post(f"/workspace/teams/{team.pk}/invitations/{withdrawn.pk}/withdraw")
    assert r.status_code == 302
    assert AuditEntry.objects.filter(action="team.invite.revoke").count() == 1
    client.logout()
    for token in [expired_token, withdrawn_token, "made-up", "x" * 500]:
        assert client.get(f"/workspace/invite/{token}/").status_code == 404
        assert _join(client, f"/workspace/invite/{token}/").status_code == 404
    assert not User.objects.filter(username="masha").exists()
    assert not Membership.objects.filter(team=team).exclude(user=owner).exists()


def test_a_link_works_once_even_for_two_at_the_same_moment(owner, editor, moderator, team):
    _, token = invite(team, roles=["contacts_viewer"], actor=owner)
    accept_invitation(token, moderator)
    with pytest.raises(TeamError):
        accept_invitation(token, editor)
    assert _roles(team, moderator) == {"moderator", "contacts_viewer"}  # added to her own
    assert _roles(team, editor) == {"editor"}


def test_a_logged_in_person_joins_with_their_account(client, owner, team, other_member):
    _, token = invite(team, roles=["moderator", "contacts_viewer"], actor=owner)
    client.force_login(other_member)
    page = client.get(f"/workspace/invite/{token}/").content.decode()
    assert "Join as other_member" in page and 'name="password1"' not in page
    r = client.post(f"/workspace/invite/{token}/")
    assert r.status_code == 302 and r["Location"] == f"/workspace/teams/{team.pk}/"
    assert _roles(team, other_member) == {"moderator", "contacts_viewer"}
    assert client.get("/workspace/s/letter/preview").status_code == 404  # no statement yet


def test_a_team_that_requires_two_factor_has_the_newcomer_set_it_up_first(client, owner, team):
    team.require_two_factor = True
    team.save()
    _, token = invite(team, roles=["editor"], actor=owner)
    page = client.get(f"/workspace/invite/{token}/").content.decode()
    assert "This team asks for two-factor login" in page
    r = _join(client, f"/workspace/invite/{token}/")
    r = client.get(r["Location"])
    team_page = f"/workspace/teams/{team.pk}/"
    assert r.status_code == 302 and r["Location"].startswith("/workspace/two-factor/?next=")
    assert "Your account must use two-factor login." in client.get(r["Location"]).content.decode()
    device = TOTPDevice.objects.get(user__username="masha")
    code = f"{totp(device.bin_key):06d}"
    r = client.post("/workspace/two-factor/", {"token": code, "next": team_page})
    assert r.status_code == 302 and r["Location"] == team_page
    assert client.get(team_page).status_code == 200


def test_an_owner_changes_roles_and_it_takes_effect_at_the_next_request(
    client, owner, editor, team, draft
):
    other = _as(client, editor)
    assert other.get("/workspace/s/draft/").status_code == 200
    client.force_login(owner)
    r = client.post(
        f"/workspace/teams/{team.pk}/members/{editor.pk}/roles",
        {f"member-{editor.pk}-moderator": "on"},
    )
    assert r.status_code == 302
    assert "The roles of editor are saved." in client.get(r["Location"]).content.decode()
    assert _roles(team, editor) == {"moderator"}
    assert other.get("/workspace/s/draft/").status_code == 404
    assert other.get("/workspace/s/draft/preview").status_code == 200
    entry = AuditEntry.objects.get(action="team.member.roles")
    assert entry.data == {"member": editor.pk, "roles": ["moderator"], "before": ["editor"]}

    r = client.post(f"/workspace/teams/{team.pk}/members/{editor.pk}/roles", {})
    assert "Choose at least one role." in client.get(r["Location"]).content.decode()
    assert _roles(team, editor) == {"moderator"}


def _as(client, user):
    other = Client()
    other.force_login(user)
    return other


def test_removing_a_member_takes_effect_at_their_next_request(client, owner, editor, team):
    other = _as(client, editor)
    assert other.get("/workspace/").status_code == 200
    client.force_login(owner)
    r = client.post(f"/workspace/teams/{team.pk}/members/{editor.pk}/remove")
    assert r.status_code == 302
    assert "editor is no longer in the team." in client.get(r["Location"]).content.decode()
    assert other.get("/workspace/").status_code == 403
    assert other.get(f"/workspace/teams/{team.pk}/").status_code == 403
    entry = AuditEntry.objects.get(action="team.member.remove")
    assert entry.actor == owner and entry.data == {"member": editor.pk, "roles": ["editor"]}


def test_a_team_keeps_an_owner(client, owner, team):
    client.force_login(owner)
    r = client.post(f"/workspace/teams/{team.pk}/members/{owner.pk}/remove")
    assert "A team needs an owner" in client.get(r["Location"]).content.decode()
    r = client.post(
        f"/workspace/teams/{team.pk}/members/{owner.pk}/roles",
        {f"member-{owner.pk}-editor": "on"},
    )
    assert "A team needs an owner" in client.get(r["Location"]).content.decode()
    assert _roles(team, owner) == {"owner"}
    assert not AuditEntry.objects.filter(action__startswith="team.member").exists()


def test_an_owner_renames_the_team_and_requires_two_factor(client, owner, team, other_team):
    client.force_login(owner)
    url = f"/workspace/teams/{team.pk}/settings"
    r = client.post(url, {"team-name": "other TEAM"})
    assert r.status_code == 400 and "Another team already has this name." in r.content.decode()
    assert 'value="other TEAM"' in r.content.decode()
    r = client.post(url, {"team-name": "Exiles", "team-require_two_factor": "on"})
    assert r.status_code == 302
    team.refresh_from_db()
    assert team.name == "Exiles" and team.require_two_factor
    entry = AuditEntry.objects.get(action="team.change")
    assert entry.data == {"name": "Exiles", "require_two_factor": True}
    # The owner herself has no device yet: from now on she must set one up first.
    r = client.get(f"/workspace/teams/{team.pk}/")
    assert r.status_code == 302 and r["Location"].startswith("/workspace/two-factor/")


def test_a_superuser_starts_a_team_and_places_an_imported_statement(client, superuser, editor):
    imported = import_markdown("# Imported\n\n1. One.\n", slug="imported")
    assert imported.team is None
    client.force_login(superuser)
    page = client.get("/workspace/").content.decode()
    assert "Imported" in page and "no team yet" in page and "choose its team" in page
    assert client.get("/workspace/s/imported/").status_code == 404  # nobody edits it yet
    r = client.post("/workspace/teams/new/", {"name": "Letter team"})
    assert r.status_code == 400 and "Another team already has this name." in r.content.decode()
    r = client.post("/workspace/teams/new/", {"name": "Cologne group"})
    team = Team.objects.get(name="Cologne group")
    assert r.status_code == 302 and r["Location"] == f"/workspace/teams/{team.pk}/"
    assert _roles(team, superuser) == {"owner"}
    assert AuditEntry.objects.get(action="team.create", team=team).actor == superuser

    r = client.post("/workspace/s/imported/team", {"team": str(team.pk)})
    assert r.status_code == 302
    imported.refresh_from_db()
    assert imported.team == team
    entry = AuditEntry.objects.get(action="statement.team")
    assert entry.team == team and entry.data == {"team": team.pk, "from": None}
    # Now the team's roles decide: the superuser owns it, the other team's editor sees nothing.
    assert client.get("/workspace/s/imported/preview").status_code == 200
    assert client.get("/workspace/s/imported/").status_code == 404
    assert _as(client, editor).get("/workspace/s/imported/preview").status_code == 404


def test_a_statement_is_created_in_a_team_the_person_edits_for(client, editor, team, other_team):
    client.force_login(editor)
    page = client.get("/workspace/new/").content.decode()
    assert "Letter team" in page and "Other team" not in page
    r = client.post("/workspace/new/", {"title": "Ours", "team": str(other_team.pk)})
    assert r.status_code == 400 and "Select a valid choice." in r.content.decode()
    r = client.post("/workspace/new/", {"title": "Ours"})  # the only team is the default
    assert r.status_code == 302
    assert Statement.objects.get(title="Ours").team == team


def test_the_team_page_shows_members_and_roles_to_members_only_forms_to_owners(
    client, owner, editor, moderator, team
):
    client.force_login(moderator)
    page = client.get(f"/workspace/teams/{team.pk}/").content.decode()
    assert "owner" in page and "editor" in page and "moderator (you)" in page
    assert "Invite someone" not in page and "Save the roles" not in page
    client.force_login(owner)
    page = client.get(f"/workspace/teams/{team.pk}/").content.decode()
    assert "Invite someone" in page and page.count("Save the roles") == 3
    assert f'href="/workspace/audit/?team={team.pk}"' in page


def test_the_demo_organiser_holds_every_role_in_the_demo_team(tmp_path):
    """`undersign demo`, run twice as the operator runs it, puts the demo statement in a Demo
    team whose only member, the printed organiser, is owner, editor, moderator and contacts
    viewer."""

    undersign = Path(sys.executable).parent / "undersign"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.pop("DATABASE_URL", None)
    env["UNDERSIGN_DATA"] = str(tmp_path)
    for args in (["migrate", "-v0"], ["demo"], ["demo"]):
        subprocess.run([undersign, *args], env=env, check=True, capture_output=True, timeout=120)
    db = sqlite3.connect(tmp_path / "undersign.sqlite3")
    rows = db.execute(
        "select t.name, u.username, m.owner, m.editor, m.moderator, m.contacts_viewer "
        "from organisers_membership m join organisers_team t on t.id = m.team_id "
        "join auth_user u on u.id = m.user_id"
    ).fetchall()
    assert rows == [("Demo", "organiser", 1, 1, 1, 1)]
    team = db.execute(
        "select t.name from statements_statement s join organisers_team t on t.id = s.team_id "
        "where s.slug = 'demo'"
    ).fetchall()
    assert team == [("Demo",)]
