"""Helpers for the assembly tests: a small assembly with two competing texts (each with a
Russian translation), and a participant's browser."""

from django.test import Client

from undersign.assemblies import services
from undersign.assemblies.models import Assembly
from undersign.organisers.models import Team
from undersign.statements.services import create_statement, set_translation

TEXTS = {
    "draft-a": (
        "Draft A: on political prisoners",
        ["Release all political prisoners.", "Give them humanitarian visas.", "Stop extraditions."],
        ("Проект А: о политзаключённых", ["Освободить всех.", "Дать визы.", "Прекратить выдачи."]),
    ),
    "draft-b": (
        "Draft B: on the war",
        ["End the war now.", "Release all political prisoners.", "Hold free elections."],
        ("Проект Б: о войне", ["Закончить войну.", "Освободить всех.", "Свободные выборы."]),
    ),
}


def make_assembly(
    team: Team, *, secret: bool = True, opened: bool = True, slug: str = "cologne", actor=None
) -> Assembly:
    statements = []
    for text_slug, (title, clauses, (ru_title, ru_clauses)) in TEXTS.items():
        statement = create_statement(slug=text_slug, title=title, clauses=clauses, team=team)
        set_translation(
            statement,
            language="ru",
            title=ru_title,
            clauses=dict(enumerate(ru_clauses, 1)),
        )
        statements.append(statement)
    assembly = services.create_assembly(
        name="Forum in Cologne",
        slug=slug,
        place="Köln",
        team=team,
        secret=secret,
        languages=["ru", "de"],
        statements=statements,
        actor=actor,
    )
    if opened:
        services.open_voting(assembly, actor=actor)
    return assembly


def codes_for(assembly: Assembly, n: int) -> list[str]:
    return [new.code for new in services.generate_codes(assembly, n)]


def participant(assembly: Assembly, code: str) -> Client:
    """A browser signed in with `code`, through the door like a person."""
    client = Client()
    response = client.post(f"/a/{assembly.slug}/in", {"code": code})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def clause_ids(assembly: Assembly, text_slug: str) -> list[int]:
    text = assembly.texts.get(statement__slug=text_slug)
    return list(text.statement.clauses.order_by("number").values_list("pk", flat=True))
