"""Rows read with SQL written once (undersign/rows.py) are the ORM's: the statement of a
page (statements/lookup.py) and the organiser's roles (organisers/access.py), read that way
on every request."""

from datetime import date, timedelta

from django.contrib.auth.models import User
from django.forms.models import model_to_dict
from django.utils import timezone

from undersign.organisers import two_factor
from undersign.organisers.access import roles_of_this_request
from undersign.organisers.backends import OrganiserBackend
from undersign.organisers.models import Membership, Team
from undersign.statements.lookup import public_statement_row, statement_at
from undersign.statements.models import Statement


def _same(found: Statement | None, slug: str) -> None:
    expected = Statement.objects.get(slug=slug)
    assert found is not None and found.pk == expected.pk
    assert model_to_dict(found) == model_to_dict(expected)
    _same_values(found, expected)


def _same_values(found, expected) -> None:
    for field in type(expected)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
        assert type(getattr(found, field.attname)) is type(getattr(expected, field.attname))


def test_it_reads_a_draft_as_the_orm_does_and_nothing_at_an_unknown_slug(draft):
    Statement.objects.filter(pk=draft.pk).update(
        sources=[{"url": "https://example.org/a", "title": "A"}],
        first_published=date(2026, 3, 1),
        deadline=timezone.now() + timedelta(days=3),
        goal=1000,
    )
    _same(statement_at("draft"), "draft")
    assert public_statement_row("draft") is None  # not published: not public
    assert statement_at("no-such-letter") is None


def test_it_reads_a_published_statement_as_the_orm_does(statement):
    _same(statement_at("letter"), "letter")
    _same(public_statement_row("letter"), "letter")


def test_it_reads_the_roles_and_teams_as_the_orm_does(owner, team, other_team):
    other_team.require_two_factor = True
    other_team.save()
    Membership.objects.create(team=other_team, user=owner, moderator=True)
    Team.objects.create(name="Nobody's")
    expected = list(Membership.objects.filter(user=owner).select_related("team").order_by("pk"))
    with roles_of_this_request(owner, two_factor.device_annotation()) as found:
        assert [m.pk for m in found] == [m.pk for m in sorted(expected, key=lambda m: m.team.name)]
        for membership in found:
            same = next(m for m in expected if m.pk == membership.pk)
            _same_values(membership, same)
            _same_values(membership.team, same.team)
            assert not membership.confirmed_device


def test_it_reads_the_user_of_a_session_as_the_orm_does(owner):
    User.objects.filter(pk=owner.pk).update(last_login=timezone.now(), first_name="Вера")
    found = OrganiserBackend().get_user(owner.pk)
    _same_values(found, User.objects.get(pk=owner.pk))
    assert OrganiserBackend().get_user(owner.pk + 1000) is None
    assert OrganiserBackend().get_user("not a number") is None
