"""The JSON API, version 1. Public fields only; the same rules as the HTML forms."""

from datetime import date, datetime
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError
from ninja.responses import Status
from pydantic import create_model

from undersign import abuse
from undersign.api import signing_schema
from undersign.api.assemblies import router as assemblies_router
from undersign.api.assembly_results import router as assembly_results_router
from undersign.signatures import fields, questions
from undersign.signatures import services as signing
from undersign.signatures.forms import SignatureForm
from undersign.signatures.models import Question
from undersign.statements.services import public_statement, public_statements
from undersign.statements.texts import language_code, text_in, title_in

api = NinjaAPI(
    title="undersign API",
    version="1",
    urls_namespace="api-v1",
    docs_url=None,  # the interactive docs load scripts from a CDN; the OpenAPI document stays
)
api.add_router("", assemblies_router)  # the assembly room's devices (api/assemblies.py)


@api.exception_handler(ValidationError)
def field_errors(request: HttpRequest, exc: ValidationError):
    """Malformed JSON or wrong types: the same `errors` shape as the form's rules."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        errors.setdefault(location[-1] if location else "__all__", []).append(str(error["msg"]))
    return api.create_response(request, {"errors": errors}, status=422)


class StatementSummary(Schema):
    slug: str
    title: str
    url: str
    signature_count: int


class ClauseOut(Schema):
    number: int
    text: str


# An answer to one of a statement's questions: true for a ticked box, a choice's key, a
# list of choices' keys, or a short text.
Answer = bool | str | list[str]


class ChoiceOut(Schema):
    key: str
    label: str


class QuestionOut(Schema):
    key: str = Field(description="The answer's name in `answers` when signing (q12).")
    kind: str = Field(description="yes_no, one, several or text.")
    label: str
    choices: list[ChoiceOut]
    required: bool
    visibility: str = Field(
        description="Who sees the answers: public, organisers, or contacts (viewers only)."
    )
    language: str = Field(description="The language of the label and choices.")


class StatementOut(Schema):
    slug: str
    title: str
    preamble: str
    clauses: list[ClauseOut]
    postscript: str
    status: str
    signature_count: int
    hidden_count: int = Field(
        description="Counted signatures whose names moderators hid from the list."
    )
    language: str = Field(description="The language of this text (the original if no `lang`).")
    languages: list[str] = Field(description="The original language first, then translations.")
    revision: str | None = Field(description="SHA-256 of the current revision's text.")
    authors: str
    addressee: str
    first_published: date | None
    published: datetime | None
    sources: list[str]
    goal: int | None
    deadline: datetime | None
    questions: list[QuestionOut] = Field(
        description="The statement's own questions on its signing form."
    )


class SignatureOut(Schema):
    display_name: str
    city: str
    country: str
    signed_at: datetime
    answers: dict[str, Answer] = Field(description="Answers to the public questions.")


class SignaturePage(Schema):
    items: list[SignatureOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")


def _signing_field(declared: fields.SignerField) -> tuple[Any, Any]:
    """The type and default of a declared field in the signing body."""
    with translation.override("en"):
        described = " — ".join(str(p) for p in (declared.label, declared.help) if p)
    # Documented only: the form checks the length and says so in the person's language.
    extra: dict[str, Any] | None = (
        {"maxLength": declared.max_length} if declared.max_length else None
    )
    if declared.kind in (fields.Kind.BOOL, fields.Kind.CONSENT):
        return bool, Field(False, description=described)
    if declared.kind == fields.Kind.DISPLAY:
        return str, Field("full", description=described)
    if declared.required:
        return str, Field(..., description=described, json_schema_extra=extra)
    return str, Field("", description=described, json_schema_extra=extra)


# The signing body: the declared fields (`signatures.fields`), then the proof of work.
SignatureIn = create_model(
    "SignatureIn",
    __base__=Schema,
    **{f.name: _signing_field(f) for f in fields.FIELDS},  # type: ignore[call-overload]
    answers=(
        dict[str, Answer],
        Field(
            default_factory=dict,
            description=(
                "Answers to the statement's questions by key (q12): true for a ticked box, "
                "a choice's key, a list of keys, or a short text. "
                "/statements/{slug}/openapi.json describes the statement's questions."
            ),
        ),
    ),
    altcha=(str, Field("", description="A solved proof-of-work puzzle (optional).")),
)


class Accepted(Schema):
    status: str
    message: str


class FieldErrors(Schema):
    errors: dict[str, list[str]]


class Detail(Schema):
    """Not found (404), a body that is not JSON at all (400), a post from another site's
    page (403), or a body not sent as application/json (415)."""

    detail: str


def _url(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


@api.get("/statements", response=list[StatementSummary], tags=["statements"])
def list_statements(request: HttpRequest, lang: str = ""):
    return [
        {
            "slug": s.slug,
            "title": str(title_in(s, lang)),
            "url": _url(request, s.get_absolute_url()),
            "signature_count": signing.signature_count(s),
        }
        for s in public_statements()
    ]


@api.get("/statements/{slug}", response={200: StatementOut, 404: Detail}, tags=["statements"])
def get_statement(request: HttpRequest, slug: str, lang: str = ""):
    """The current text in `lang` when it has that translation, else in the original."""
    statement = public_statement(slug)
    text = text_in(statement, lang or None)
    revision = statement.current_revision
    return {
        "slug": statement.slug,
        "title": text.title,
        "preamble": text.preamble,
        "clauses": [{"number": c.number, "text": c.text} for c in text.clauses],
        "postscript": text.postscript,
        "status": statement.status,
        "signature_count": signing.signature_count(statement),
        "hidden_count": signing.hidden_count(statement),
        "language": text.language,
        "languages": text.languages,
        "revision": revision.content_hash if revision else None,
        "authors": text.authors,
        "addressee": text.addressee,
        "first_published": statement.first_published,
        "published": statement.published_at,
        "sources": list(statement.sources or []),
        "goal": statement.goal,
        "deadline": statement.deadline,
        "questions": [_question(q, lang or None) for q in questions.asked(statement.pk)],
    }


def _question(question: Question, language: str | None) -> dict:
    said = questions.wording(question, language)
    return {
        "key": question.key,
        "kind": question.kind,
        "label": said.label,
        "choices": [{"key": key, "label": label} for key, label in said.choices],
        "required": question.required,
        "visibility": question.visibility,
        "language": said.language,
    }


@api.get(
    "/statements/{slug}/openapi.json",
    response={200: dict[str, Any], 404: Detail},
    tags=["signatures"],
)
def signing_document(request: HttpRequest, slug: str, lang: str = ""):
    """This API's OpenAPI document with this statement's questions in the signing body
    (`SignatureIn.answers`), worded in `lang` where they are translated."""
    statement = public_statement(slug)
    document = api.get_openapi_schema()
    return signing_schema.for_statement(document, statement, language_code(lang) or get_language())


@api.get(
    "/statements/{slug}/signatures",
    response={200: SignaturePage, 404: Detail, 422: FieldErrors},
    tags=["signatures"],
)
def list_signatures(
    request: HttpRequest, slug: str, cursor: str = "", limit: int = Query(50, ge=1, le=200)
):
    statement = public_statement(slug)
    public = {
        q.key
        for q in questions.of_statement(statement.pk)
        if q.visibility == Question.Visibility.PUBLIC
    }
    try:
        rows, next_cursor = signing.public_signatures(statement, cursor=cursor, limit=limit)
    except signing.BadCursor:
        return Status(422, {"errors": {"cursor": [_("This cursor is not valid.")]}})
    return {
        "items": [
            {
                "display_name": s.public_name,
                "city": s.shown_city,
                "country": str(s.shown_country or ""),
                "signed_at": s.confirmed_at,
                "answers": {k: v for k, v in (s.answers or {}).items() if k in public},
            }
            for s in rows
        ],
        "next_cursor": next_cursor or None,
    }


def _form_value(value: Any) -> Any:
    """A JSON value as the HTML form would send it: a ticked box is "on"."""
    return "on" if value is True else "" if value is False else value


def browsers_cannot_forge(view):
    """Refuse what a web page could make its visitors' browsers send: a body that is not
    JSON (a plain form or `text/plain` needs no CORS preflight) and a post whose Origin is
    another site. Servers and scripts send no Origin and pass. Runs before the body is read.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.content_type != "application/json":
            detail = _("Send the body as JSON, with Content-Type: application/json.")
            return api.create_response(request, {"detail": detail}, status=415)
        if not abuse.from_this_site(request):
            detail = _("Signing through the API from another site's page is not allowed.")
            return api.create_response(request, {"detail": detail}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


@api.post(
    "/statements/{slug}/signatures",
    response={
        202: Accepted,
        400: Detail,
        403: Detail,
        404: Detail,
        409: FieldErrors,
        415: Detail,
        422: FieldErrors,
        429: FieldErrors,
    },
    tags=["signatures"],
)
@decorate_view(browsers_cannot_forge)
def sign(request: HttpRequest, slug: str, payload: SignatureIn):  # type: ignore[valid-type]
    """Sign a statement. The answer is the same whether or not the email signed before;
    the signature counts once the link in the confirmation mail is followed. Only JSON
    bodies are taken, and no post from another site's page. A body with mistakes is not
    counted against the rate limit."""
    statement = public_statement(slug)
    body = payload.dict()  # type: ignore[attr-defined]
    answers = body.pop("answers", None) or {}
    body.pop("altcha", None)
    data = {key: _form_value(value) for key, value in body.items()}
    asked = {q.key for q in questions.asked(statement.pk)}
    unknown = sorted(key for key in answers if key not in asked)
    data.update({key: _form_value(value) for key, value in answers.items() if key in asked})
    form = SignatureForm(statement=statement, data=data)
    if not form.is_valid() or unknown:
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        if unknown:
            message = _("This statement asks no question %(key)s.")
            errors["answers"] = [message % {"key": key} for key in unknown]
        return Status(422, {"errors": errors})
    proof = payload.altcha  # type: ignore[attr-defined]
    wait = abuse.signing_limited(request, proven=abuse.proof_is_valid(proof))
    if wait is not None:
        response = api.create_response(
            request,
            {"errors": {"__all__": [_("Too many attempts. Please try again later.")]}},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    try:
        signing.add_signature(statement, form.signature_input(get_language()))
    except signing.SigningError as error:
        return Status(409, {"errors": {"__all__": [str(error.message)]}})
    return Status(
        202,
        {
            "status": "check_your_mail",
            "message": _(
                "We have sent a link to the address you gave. Your signature counts once "
                "you open the link and confirm."
            ),
        },
    )


api.add_router("", assembly_results_router)
