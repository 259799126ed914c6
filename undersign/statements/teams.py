"""Which team a statement belongs to."""

from typing import Any

from django.db import transaction

from undersign.organisers.models import Team
from undersign.organisers.services import log_action
from undersign.statements.models import Statement


@transaction.atomic
def move_to_team(statement: Statement, team: Team, *, actor: Any) -> Statement:
    """Give `statement` to `team` (a statement the CLI imported has none yet).

    From then on that team's roles decide who edits, publishes, moderates and reads its
    contacts; the members of the team it leaves lose it at their next request. The entry
    in the audit log goes to the new team's owners, and names the team it came from.
    """
    previous = statement.team_id
    if previous == team.pk:
        return statement
    statement.team = team
    statement.save(update_fields=["team"])
    log_action(
        "statement.team", actor=actor, obj=statement, data={"team": team.pk, "from": previous}
    )
    return statement
