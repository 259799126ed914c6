"""`undersign demo`: a published demo statement, its team, and an organiser login who holds
every role in that team; created once."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.crypto import get_random_string

from undersign.organisers.models import ROLES, Team
from undersign.organisers.services import create_team
from undersign.statements.models import Statement
from undersign.statements.services import create_statement, publish_statement, set_translation
from undersign.statements.teams import move_to_team

DEMO_SLUG = "demo"
DEMO_TEAM = "Demo"
DEMO_TRANSLATIONS: dict[str, dict[str, Any]] = {
    "ru": {
        "title": "Открытое письмо: свободу политическим заключённым",
        "preamble": (
            "Мы — те, кто уехал из нашей страны, и те, кто остался, — обращаемся с этим "
            "письмом ко всем правительствам, которые ведут переговоры с режимом."
        ),
        "clauses": {
            1: "Сделать освобождение всех политических заключённых условием любых переговоров.",
            2: "Обеспечить освобождённым и их семьям безопасный выезд и гуманитарные визы.",
            3: "Прекратить выдачу противников режима и пересмотреть уже удовлетворённые запросы.",
            4: "Поддерживать независимых адвокатов, врачей и журналистов, которые посещают "
            "заключённых.",
        },
        "postscript": "P.S. Если вы в опасности, подписывайте инициалами или без публичного имени.",
    },
    "uk": {
        "title": "Відкритий лист: свободу політичним в’язням",
        "preamble": (
            "Ми — ті, хто виїхав з нашої країни, і ті, хто залишився, — звертаємося з цим "
            "листом до всіх урядів, які ведуть переговори з режимом."
        ),
        "clauses": {
            1: "Зробити звільнення всіх політичних в’язнів умовою будь-яких переговорів.",
            2: "Забезпечити звільненим та їхнім родинам безпечний виїзд і гуманітарні візи.",
            3: "Припинити видачу противників режиму та переглянути вже задоволені запити.",
            4: "Підтримувати незалежних адвокатів, лікарів і журналістів, які відвідують в’язнів.",
        },
        "postscript": "P.S. Якщо ви в небезпеці, підписуйте ініціалами або без публічного імені.",
    },
    "de": {
        "title": "Offener Brief: Freiheit für die politischen Gefangenen",
        "preamble": (
            "Wir, Menschen, die unser Land verlassen haben, und Menschen, die geblieben sind, "
            "richten diesen Brief an jede Regierung, die mit dem Regime verhandelt."
        ),
        "clauses": {
            1: "Die Freilassung aller politischen Gefangenen zur Bedingung jeder Verhandlung "
            "machen.",
            2: "Den Freigelassenen und ihren Familien sicheres Geleit und humanitäre Visa "
            "gewähren.",
            3: "Die Auslieferung von Gegnern des Regimes stoppen und bereits bewilligte "
            "Ersuchen überprüfen.",
            4: "Unabhängige Anwältinnen und Anwälte, Ärztinnen und Ärzte, Journalistinnen und "
            "Journalisten unterstützen, die Gefangene besuchen.",
        },
        "postscript": "P.S. Wer in Gefahr ist, unterschreibt mit Initialen oder ohne "
        "öffentlichen Namen.",
    },
}


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
            # A newcomer sees what readers will: the text in every language of the site.
            for language, text in DEMO_TRANSLATIONS.items():
                set_translation(statement, language=language, **text)
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
