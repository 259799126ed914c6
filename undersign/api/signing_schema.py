"""The signing body of one statement as JSON Schema: the declared fields (`SignatureIn`)
and, under `answers`, that statement's own questions in the reader's language."""

import copy
from typing import Any

from undersign.signatures import questions
from undersign.signatures.forms import SEEN_BY
from undersign.signatures.models import Question
from undersign.statements.models import Statement


def answer_schema(question: Question, language: str | None) -> dict[str, Any]:
    """One question as a property of `answers`."""
    said = questions.wording(question, language)
    described = f"{said.label} ({SEEN_BY[Question.Visibility(question.visibility)]})"
    common = {"title": said.label, "description": described, "x-visibility": question.visibility}
    choices = [{"const": key, "title": label} for key, label in said.choices]
    if question.kind == Question.Kind.YES_NO:
        return {**common, "type": "boolean"}
    if question.kind == Question.Kind.ONE:
        return {**common, "type": "string", "oneOf": choices}
    if question.kind == Question.Kind.SEVERAL:
        items = {"type": "string", "oneOf": choices}
        return {**common, "type": "array", "items": items, "uniqueItems": True}
    return {**common, "type": "string", "maxLength": questions.TEXT_LENGTH}


def for_statement(document: dict[str, Any], statement: Statement, language: str | None):
    """The API's OpenAPI `document` with the statement's questions in the signing body."""
    made = copy.deepcopy(document)
    made["info"]["title"] += f" — signing “{statement.slug}”"
    body = made["components"]["schemas"]["SignatureIn"]
    asked = questions.asked(statement.pk)
    answers: dict[str, Any] = {
        "type": "object",
        "title": "Answers",
        "description": "Answers to this statement's questions, by question key.",
        "properties": {q.key: answer_schema(q, language) for q in asked},
        "additionalProperties": False,
    }
    required = [q.key for q in asked if q.required]
    if required:
        answers["required"] = required
        body["required"] = sorted({*body.get("required", []), "answers"})
    body["properties"]["answers"] = answers
    return made
