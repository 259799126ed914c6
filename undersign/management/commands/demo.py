"""`undersign demo`: a published demo statement, its team, and an organiser login who holds
every role in that team; created once."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.crypto import get_random_string

from undersign.organisers.models import ROLES, Team
from undersign.organisers.services import create_team
from undersign.statements.models import Statement
from undersign.statements.services import create_statement, publish_statement
from undersign.statements.teams import move_to_team

DEMO_SLUG = "demo"
DEMO_TEAM = "Demo"


class Command(BaseCommand):
    help = "Create a demo statement and an organiser account, unless they exist."

    @transaction.atomic
    def handle(self, *args, **options):
        login_file = settings.DATA_DIR / "demo-login.txt"
        User = get_user_model()
        organiser = User.objects.filter(username="organiser").first()
        if organiser is None:
            password = get_random_string(16)
            organiser = User.objects.create_superuser("organiser", "", password)
            login_file.write_text(f"organiser {password}\n", encoding="utf-8")
            login_file.chmod(0o600)
        team = Team.objects.filter(name=DEMO_TEAM).first()
        if team is None:
            team = create_team(DEMO_TEAM, owner=organiser, roles=ROLES, actor=organiser)
        if not Statement.objects.filter(slug=DEMO_SLUG).exists():
            statement = create_statement(
                slug=DEMO_SLUG,
                title="Open letter: free the political prisoners",
                preamble=(
                    "We, people who left our country and people who stayed, address this "
                    "letter to every government that holds talks with the regime."
                ),
                clauses=[
                    "Make the release of all political prisoners a condition of any talks.",
                    "Give the released and their families safe passage and humanitarian visas.",
                    "Stop the extradition of opponents of the regime and review the "
                    "requests already granted.",
                    "Support independent lawyers, doctors and journalists who visit prisoners.",
                ],
                postscript="P.S. Sign with initials or without a public name if you are at risk.",
                team=team,
            )
            publish_statement(statement)
        statement = Statement.objects.get(slug=DEMO_SLUG)
        if statement.team_id is None:  # made by an earlier version, before teams
            move_to_team(statement, team, actor=None)
        user, password = (
            login_file.read_text(encoding="utf-8").split()
            if login_file.exists()
            else ("organiser", "(set earlier; reset with: undersign changepassword organiser)")
        )
        self.stdout.write(
            f"Demo statement: {settings.SITE_URL}/s/{DEMO_SLUG}/\n"
            f"Organiser workspace: {settings.SITE_URL}/workspace/  user {user}  password {password}"
        )
