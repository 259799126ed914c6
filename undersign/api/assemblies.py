"""The assembly room's API, for a room's own voting devices: the texts on the ballot with
their stable clause ids, and recording a participant's positions.

Both answer only to a participant's code, in an `Authorization: Code …` header: the texts
are drafts, read by the people in the room and nobody else. An unknown or revoked code, and
an assembly that does not exist, get the same 401. The same rules, limits and secrecy as
the web form: nothing is logged, nothing records who asked.
"""

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security.http import HttpAuthBase

from undersign import abuse
from undersign.assemblies import ballots
from undersign.assemblies.models import Assembly
from undersign.assemblies.services import SLUG
from undersign.room import door
from undersign.statements.texts import working_text

router = Router(tags=["assemblies"])
# Requests per client address: a room's devices may all sit behind one address.
API_LIMIT = (1200, 900)


class CodeAuth(HttpAuthBase):
    """`Authorization: Code 7KQ2-M9XD-4HTB-PW3E`. Checked against the assembly in the view;
    here only its shape (and, unlike ninja's bearer class, never logged)."""

    openapi_scheme = "code"

    def __call__(self, request: HttpRequest) -> str | None:
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "code" or not token or len(token) > 64:
            return None
        return token


class BallotClauseOut(Schema):
    id: int = Field(description="The clause's stable id: it stays when wording or order change.")
    number: int
    text: str


class BallotTextOut(Schema):
    slug: str
    title: str
    language: str
    preamble: str
    clauses: list[BallotClauseOut]
    postscript: str


class PositionsOut(Schema):
    texts: dict[str, str] = Field(description="Text slug → support, oppose or abstain.")
    clauses: dict[str, str] = Field(description="Clause id → agree, disagree or pass.")


class AssemblyOut(Schema):
    slug: str
    name: str
    place: str
    starts_on: date | None
    ends_on: date | None
    languages: list[str]
    status: str = Field(description="draft (voting not open yet), open or closed.")
    secret: bool = Field(description="False: positions are named, as announced.")
    texts: list[BallotTextOut]
    mine: PositionsOut = Field(description="The positions of the code's holder.")


class PositionsIn(Schema):
    texts: dict[str, str] = Field(default_factory=dict)
    clauses: dict[str, str] = Field(default_factory=dict)


class CodeRefused(Schema):
    detail: str


class PositionErrors(Schema):
    errors: dict[str, list[str]]


def _limited(request: HttpRequest) -> int | None:
    return door.failures_limited(request) or abuse.rate_limited(request, "room-api", [API_LIMIT])


def _too_many(wait: int):
    return Status(429, {"errors": {"__all__": [_("Too many attempts. Please try again later.")]}})


def _unauthorized():
    return Status(401, {"detail": _("This code is not valid here, or it was revoked.")})


def _code(request: HttpRequest) -> str:
    return str(getattr(request, "auth", ""))  # set by CodeAuth


def _assembly(request: HttpRequest, slug: str) -> Assembly | None:
    """The assembly at `slug` if the request's code signs in there; a failure is counted
    otherwise, at the door's limit."""
    assembly = Assembly.objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None
    participant = ballots.participant_for(assembly, _code(request)) if assembly else None
    if assembly is None or participant is None:
        door.count_failure(request)
        return None
    return assembly


def _mine(assembly: Assembly, code: str) -> dict:
    mine = ballots.positions_of(assembly, code)
    slugs = dict(assembly.texts.values_list("pk", "statement__slug"))
    return {
        "texts": {slugs[pk]: value for pk, value in mine.texts.items() if pk in slugs},
        "clauses": {str(pk): value for pk, value in mine.clauses.items()},
    }


@router.get(
    "/assemblies/{slug}",
    auth=CodeAuth(),
    response={200: AssemblyOut, 401: CodeRefused, 429: PositionErrors},
)
def get_assembly(request: HttpRequest, slug: str, lang: str = ""):
    """The texts on the ballot in `lang` where they have it (else their original), each
    clause with its stable id, and the positions of the code's holder."""
    wait = _limited(request)
    if wait is not None:
        return _too_many(wait)
    assembly = _assembly(request, slug)
    if assembly is None:
        return _unauthorized()
    texts = []
    for text in assembly.texts.select_related("statement").order_by("position", "pk"):
        reading = working_text(text.statement, lang or None)
        texts.append(
            {
                "slug": text.statement.slug,
                "title": reading.title,
                "language": reading.language,
                "preamble": reading.preamble,
                "clauses": [
                    {"id": c.id, "number": c.number, "text": c.text}
                    for c in reading.clauses
                    if c.id is not None
                ],
                "postscript": reading.postscript,
            }
        )
    return {
        "slug": assembly.slug,
        "name": assembly.name,
        "place": assembly.place,
        "starts_on": assembly.starts_on,
        "ends_on": assembly.ends_on,
        "languages": list(assembly.languages or []),
        "status": assembly.status,
        "secret": assembly.secret,
        "texts": texts,
        "mine": _mine(assembly, _code(request)),
    }


@router.put(
    "/assemblies/{slug}/positions",
    auth=CodeAuth(),
    response={
        200: PositionsOut,
        400: CodeRefused,
        401: CodeRefused,
        409: PositionErrors,
        422: PositionErrors,
        429: PositionErrors,
    },
)
def put_positions(request: HttpRequest, slug: str, payload: PositionsIn):
    """Record or change the positions of the code's holder while voting is open. Either part
    may be partial: what is not named stays as it was. Answers with all their positions."""
    wait = _limited(request)
    if wait is not None:
        return _too_many(wait)
    assembly = _assembly(request, slug)
    if assembly is None:
        return _unauthorized()
    if not assembly.is_open:
        return Status(409, {"errors": {"__all__": [_("Voting is not open.")]}})
    text_ids = dict(assembly.texts.values_list("statement__slug", "pk"))
    errors: dict[str, list[str]] = {}
    texts: dict[int, str] = {}
    clauses: dict[int, str] = {}
    for text_slug, value in payload.texts.items():
        if text_slug not in text_ids:
            errors[f"texts.{text_slug[:80]}"] = [_("This text is not on the ballot.")]
        else:
            texts[text_ids[text_slug]] = value
    for key, value in payload.clauses.items():
        if not key.isdigit() or len(key) > 18:
            errors[f"clauses.{key[:20]}"] = [_("This clause is not on the ballot.")]
        else:
            clauses[int(key)] = value
    slugs = {pk: s for s, pk in text_ids.items()}
    for key, messages in ballots.check_positions(assembly, texts, clauses).items():
        kind, _sep, pk = key.partition(":")
        name = f"texts.{slugs.get(int(pk), pk)}" if kind == "text" else f"clauses.{pk}"
        errors[name] = messages
    if errors:
        return Status(422, {"errors": errors})
    try:
        ballots.record_positions(assembly, _code(request), texts=texts, clauses=clauses)
    except ballots.NotParticipant:
        return _unauthorized()
    except ballots.VotingNotOpen as error:
        return Status(409, {"errors": {"__all__": [error.message]}})
    return _mine(assembly, _code(request))
