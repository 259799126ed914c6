"""GET /api/v1/assemblies/{slug}/results: an assembly's results, aggregates only.

Who may read them: the organisers (any role in the assembly's team, with their workspace
session); whoever holds the projector key (`?key=`, the same as the big screen's); and, once
voting has closed, the participants (`Authorization: Code <their code>`), as on their results
page. The results are not public: an assembly's drafts may never be published, and its name
and place may say more than its participants want. Anybody else gets 404, as for an assembly
that does not exist. Mounted in api.py with one line.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from undersign.assemblies import access, ballots, results
from undersign.assemblies.models import Assembly

router = Router(tags=["assemblies"])


class TextCounts(Schema):
    support: int
    oppose: int
    abstain: int


class ClauseCounts(Schema):
    agree: int
    disagree: int
    pass_: int = Field(alias="pass")


class GroupShares(Schema):
    agree_share: float
    disagree_share: float
    seen: int = Field(description="How many of the group took a position on the clause.")


class ClauseResult(Schema):
    id: int = Field(description="The clause's stable id.")
    number: int
    text: str
    agree: int = Field(description="Online and paper together, as `both`.")
    disagree: int
    pass_: int = Field(alias="pass")
    seen: int
    agree_share: float
    disagree_share: float
    pass_share: float
    online: ClauseCounts
    paper: ClauseCounts
    both: ClauseCounts
    groups: list[GroupShares] = Field(description="Shares per opinion group, in `groups` order.")


class TextResult(Schema):
    id: int
    slug: str
    title: str
    language: str
    support: int = Field(description="Online and paper together, as `both`.")
    oppose: int
    abstain: int
    voted: int
    online: TextCounts
    paper: TextCounts
    both: TextCounts
    clauses: list[ClauseResult]


class Representative(Schema):
    id: int
    stance: str = Field(description="agree or disagree: how the group stands apart.")
    share: float = Field(description="Share of the group taking that stance.")
    others: float = Field(description="Share of everybody else taking it.")


class GroupResult(Schema):
    name: str
    size: int
    representative: list[int] = Field(description="Clause ids, most telling first.")
    clauses: list[Representative]


class AssemblyResults(Schema):
    assembly: str
    name: str
    status: str
    secret: bool
    participants: int = Field(description="Access codes not revoked.")
    voted: int = Field(description="Ballots with at least one position (online).")
    turnout: float | None
    texts: list[TextResult]
    groups: list[GroupResult] = Field(
        description="Opinion groups: sizes and clauses, never members."
    )
    clustered: int = Field(description="Participants with enough positions to be grouped.")
    silhouette: float | None
    unite: list[int] = Field(description="Clause ids every group agrees with, strongest first.")
    divide: list[int] = Field(description="Clause ids that split the groups or the room.")
    links: list[list[int]] = Field(description="Clauses linked as saying the same thing.")
    computed_at: datetime


class NotFound(Schema):
    detail: str


def _readable(request: HttpRequest, slug: str, key: str) -> Assembly | None:
    assembly = Assembly.objects.filter(slug=slug).first()
    if assembly is None:
        return None
    if results.is_projector_key(assembly, key) or access.can(request.user, assembly, "view"):
        return assembly
    scheme, _, code = request.headers.get("Authorization", "").partition(" ")
    if (
        assembly.status == Assembly.Status.CLOSED
        and scheme.lower() == "code"
        and ballots.participant_for(assembly, code.strip()) is not None
    ):
        return assembly
    return None


@router.get(
    "/assemblies/{slug}/results",
    response={200: AssemblyResults, 404: NotFound},
    by_alias=True,
)
def assembly_results(request: HttpRequest, slug: str, key: str = ""):
    """Per text: support, oppose, abstain (online, paper, both); per clause: agree,
    disagree, pass; the opinion groups with their representative clauses; the clauses that
    unite and divide the room. For organisers (their session), with the projector key
    (`key`), or once voting has closed with a participant's `Authorization: Code …`."""
    assembly = _readable(request, slug, key)
    if assembly is None:
        return Status(404, {"detail": "Not Found"})
    return results.assembly_results(assembly)
