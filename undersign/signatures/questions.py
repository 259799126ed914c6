"""The group's own questions on a statement's signing form (issue 12, item 2).

Organisers add yes/no, one-choice, several-choices or short-text questions to one statement;
each says who sees its answers. Public answers live on the `Signature` row (`answers`) and
are shown beside the name; answers for the organisers or for contacts viewers only are
contact data (`Contact.answers`, or inside the sealed box on a sealed statement, and in the
transit box until the mail is out), read only through `signatures.contacts`.

A question is translated like a clause: a translation records the original it was made
from, and a reader meets the original wherever the translation is missing or out of date.
Once anyone signed after a question was added, its kind and who sees its answers stay as
they were, and its choices can be reworded or added to but not taken away; it can then
be taken off the form (`asked`), not deleted, so the answers given keep their meaning.
"""

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from undersign.organisers.services import log_action
from undersign.signatures.models import Question, QuestionTranslation, Signature
from undersign.signatures.text import clean_line
from undersign.statements.models import Statement

KEY = re.compile(r"q([1-9][0-9]{0,9})")
TEXT_LENGTH = 300
MAX_CHOICES = 30


class QuestionError(Exception):
    """A rule refused the change; `message` is shown to the organiser."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Reading -------------------------------------------------------------------------------------


def _cache_key(statement_id: int) -> str:
    return f"signatures:questions:{statement_id}"


def of_statement(statement_id: int) -> list[Question]:
    """The statement's questions in their order, translations included; kept briefly in the
    cache, since every view of the statement page builds its form from them."""
    found: list[Question] | None = cache.get(_cache_key(statement_id))
    if found is None:
        found = list(
            Question.objects.filter(statement_id=statement_id)
            .select_related("statement")
            .prefetch_related("translations")
            .order_by("position", "id")
        )
        cache.set(_cache_key(statement_id), found, settings.PUBLIC_CACHE_SECONDS)
    return found


def of(statement: Statement) -> list[Question]:
    """`of_statement` for this statement object, read once: a signing asks for them in its
    form and again in the service, each a cache round trip (Redis, issue 13). A statement
    object lives for one request or one job."""
    found = statement.__dict__.get("_questions")
    if found is None:
        found = statement.__dict__["_questions"] = of_statement(statement.pk)
    return found


def asked(statement_id: int) -> list[Question]:
    """The questions on the signing form."""
    return [q for q in of_statement(statement_id) if q.asked]


def countable(statement_id: int) -> dict[str, str]:
    """{key: kind} of the public questions the dashboard counts (all but text)."""
    return {
        q.key: q.kind
        for q in of_statement(statement_id)
        if q.visibility == Question.Visibility.PUBLIC and q.kind != Question.Kind.TEXT
    }


def forget(statement_id: int) -> None:
    cache.delete(_cache_key(statement_id))


def version(questions: Sequence[Question]) -> str:
    """A short name for the state of these questions, for the rendered form's cache key."""
    raw = "|".join(f"{q.pk}:{q.updated_at.isoformat()}" for q in questions)
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def original_of(question: Question) -> str:
    """What a translation translates: the original label and choices, as one string."""
    return json.dumps([question.label, question.choices], ensure_ascii=False)


@dataclass(frozen=True)
class Wording:
    """A question as a reader meets it: its label and choices in one language."""

    key: str
    label: str
    choices: list[tuple[str, str]]  # (choice key, label)
    language: str


def wording(question: Question, language: str | None) -> Wording:
    """The question in `language` when it has a current translation there, else in the
    statement's original language."""
    for translation in question.translations.all():
        if translation.language == language and translation.original == original_of(question):
            labels = translation.choices or {}
            return Wording(
                key=question.key,
                label=translation.label,
                choices=[(c["key"], labels.get(c["key"]) or c["label"]) for c in question.choices],
                language=translation.language,
            )
    return Wording(
        key=question.key,
        label=question.label,
        choices=[(c["key"], c["label"]) for c in question.choices],
        language=question.statement_language,
    )


def readable(question: Question, value: Any, language: str | None = None) -> str:
    """An answer as a person reads it: "yes", a choice's label, labels joined, the text."""
    if value in (None, "", [], False):
        return ""
    if question.kind == Question.Kind.YES_NO:
        return "yes"  # as the exports write every ticked box
    if question.kind == Question.Kind.TEXT:
        return str(value)
    labels = dict(wording(question, language).choices)
    keys = value if isinstance(value, list) else [value]
    return "; ".join(labels.get(str(k), str(k)) for k in keys)


def public_lines(
    questions: Iterable[Question], answers: dict[str, Any], language: str | None
) -> list[str]:
    """The public answers of one signer as lines for the public list: "Label: answer", or
    the label alone for a yes."""
    public = [q for q in questions if q.visibility == Question.Visibility.PUBLIC]
    return answer_lines(public, answers, language)


def answer_lines(
    questions: Iterable[Question], answers: dict[str, Any], language: str | None
) -> list[str]:
    """One signer's answers to `questions` as lines: "Label: answer", or the label alone
    for a yes."""
    lines = []
    for question in questions:
        value = (answers or {}).get(question.key)
        if value in (None, "", [], False):
            continue
        said = wording(question, language)
        if question.kind == Question.Kind.YES_NO:
            lines.append(said.label)
        else:
            lines.append(f"{said.label}: {readable(question, value, language)}")
    return lines


def split(questions: Iterable[Question], values: dict[str, Any]) -> tuple[dict, dict]:
    """(public answers, answers for the organisers or contacts viewers) of a submission,
    each by question key; unanswered questions are left out."""
    public: dict[str, Any] = {}
    private: dict[str, Any] = {}
    for question in questions:
        value = values.get(question.key)
        if value in (None, "", [], False):
            continue
        if question.visibility == Question.Visibility.PUBLIC:
            public[question.key] = value
        else:
            private[question.key] = value
    return public, private


def readable_answers(statement_id: int, answers: dict[str, Any]) -> dict[str, str]:
    """Answers as a person reads them, by question key (in the original language)."""
    by_key = {q.key: q for q in of_statement(statement_id)}
    return {
        key: readable(by_key[key], value) if key in by_key else str(value)
        for key, value in answers.items()
    }


def filter_values(question: Question) -> list[str]:
    """What a filter on this question may ask for: "yes", or a choice's key."""
    if question.kind == Question.Kind.YES_NO:
        return ["yes"]
    return [c["key"] for c in question.choices]


def answer_condition(prefix: str, question: Question, value: str) -> Q:
    """The rows whose answers (the JSON column at `prefix`) hold `value` for `question`: a
    ticked box ("yes"), a choice's key, or for a text a part of it."""
    path = f"{prefix}__{question.key}"
    if question.kind == Question.Kind.YES_NO:
        return Q(**{path: True})
    if question.kind == Question.Kind.ONE:
        return Q(**{path: value})
    if question.kind == Question.Kind.SEVERAL:
        # A list of keys, matched as JSON text: the quotes keep "c1" from matching "c10".
        return Q(**{f"{path}__icontains": f'"{value}"'})
    return Q(**{f"{path}__icontains": value})


def export_column(question: Question) -> str:
    """The question's column in exports: its key first (so `contacts open` finds it and a
    spreadsheet never reads it as a formula), then its label."""
    return f"{question.key} {clean_line(question.label)}"[:100]


# Organisers' changes -------------------------------------------------------------------------


def is_answered(question: Question) -> bool:
    """Whether anyone signed the statement since the question was added: their answers,
    public or sealed, keep the meaning they had."""
    return Signature.objects.filter(
        statement_id=question.statement_id, created_at__gte=question.created_at
    ).exists()


def _choices(lines: Sequence[str], before: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """Choices from lines, by position: the n-th line keeps the n-th choice's key."""
    labels = [clean_line(line)[:200] for line in lines]
    labels = [label for label in labels if label]
    if len(labels) > MAX_CHOICES:
        raise QuestionError(_("At most %(n)d choices.") % {"n": MAX_CHOICES})
    used = {int(c["key"][1:]) for c in before}
    made = []
    for i, label in enumerate(labels):
        if i < len(before):
            made.append({"key": before[i]["key"], "label": label})
        else:
            number = max(used, default=0) + 1
            used.add(number)
            made.append({"key": f"c{number}", "label": label})
    return made


@dataclass(frozen=True)
class QuestionInput:
    """A question as the organiser wrote it: the label and choices (one a line) in the
    statement's original language, and translations {language: (label, choice lines)}."""

    label: str
    kind: str
    visibility: str
    required: bool = False
    asked: bool = True
    position: int | None = None
    choices: Sequence[str] = ()
    translations: dict[str, tuple[str, Sequence[str]]] | None = None
    # The organiser checked the translations against this wording: they are current.
    translations_checked: bool = False


def _check(data: QuestionInput, choices: list[dict[str, str]]) -> str:
    label = clean_line(data.label)[:300]
    if not label:
        raise QuestionError(_("Write the question."))
    if data.kind not in Question.Kind.values or data.visibility not in Question.Visibility.values:
        raise QuestionError(_("Choose a kind and who sees the answers."))
    needs_choices = data.kind in (Question.Kind.ONE, Question.Kind.SEVERAL)
    if needs_choices and len(choices) < 2:
        raise QuestionError(_("Give at least two choices, one a line."))
    return label


def _translate(question: Question, data: QuestionInput) -> list[str]:
    """Store the translations given; an empty label removes that language's translation.
    A translation records the original it was made from: one whose words did not change
    keeps what it recorded (out of date once the original changed), unless the organiser
    says the translations were checked. Returns the languages changed."""
    changed = []
    before = {t.language: t for t in QuestionTranslation.objects.filter(question=question)}
    for language, (label, lines) in (data.translations or {}).items():
        label = clean_line(label)[:300]
        if language == question.statement_language:
            continue
        if not label:
            if QuestionTranslation.objects.filter(question=question, language=language).delete()[0]:
                changed.append(language)
            continue
        cleaned = [clean_line(line)[:200] for line in lines]
        cleaned = [line for line in cleaned if line]
        labels = {c["key"]: cleaned[i] for i, c in enumerate(question.choices) if i < len(cleaned)}
        earlier = before.get(language)
        same = earlier is not None and (earlier.label, earlier.choices) == (label, labels)
        if same and not data.translations_checked:
            continue
        QuestionTranslation.objects.update_or_create(
            question=question,
            language=language,
            defaults={"label": label, "choices": labels, "original": original_of(question)},
        )
        changed.append(language)
    return changed


def add_question(statement: Statement, data: QuestionInput, *, actor: Any = None) -> Question:
    """Add a question to a statement's signing form, with its translations; audited."""
    choices = (
        _choices(data.choices, [])
        if data.kind in (Question.Kind.ONE, Question.Kind.SEVERAL)
        else []
    )
    label = _check(data, choices)
    with transaction.atomic():
        last = Question.objects.filter(statement=statement).order_by("-position").first()
        question = Question.objects.create(
            statement=statement,
            kind=data.kind,
            visibility=data.visibility,
            required=data.required,
            asked=data.asked,
            position=data.position
            if data.position is not None
            else (last.position + 1 if last else 1),
            label=label,
            choices=choices,
        )
        languages = _translate(question, data)
        log_action(
            "question.add",
            actor=actor,
            obj=statement,
            data={
                "question": question.pk,
                "kind": question.kind,
                "visibility": question.visibility,
                "languages": languages,
            },
        )
    forget(statement.pk)
    return question


def change_question(question: Question, data: QuestionInput, *, actor: Any = None) -> Question:
    """Reword, reorder, translate, require or stop asking a question; audited. Once it was
    answered its kind and visibility stay, and no choice is taken away."""
    answered = is_answered(question)
    if answered and (data.kind != question.kind or data.visibility != question.visibility):
        raise QuestionError(
            _(
                "People have answered this question since it was added: its kind and who "
                "sees the answers can no longer change. Add a new question instead."
            )
        )
    choosing = data.kind in (Question.Kind.ONE, Question.Kind.SEVERAL)
    choices = _choices(data.choices, question.choices if choosing else []) if choosing else []
    if answered and len(choices) < len(question.choices):
        raise QuestionError(
            _("People have answered this question: reword or add choices, but keep them all.")
        )
    label = _check(data, choices)
    with transaction.atomic():
        question.kind = data.kind
        question.visibility = data.visibility
        question.required = data.required
        question.asked = data.asked
        if data.position is not None:
            question.position = data.position
        question.label = label
        question.choices = choices
        question.save()
        languages = _translate(question, data)
        log_action(
            "question.change",
            actor=actor,
            obj=question.statement,
            data={"question": question.pk, "languages": languages},
        )
    forget(question.statement_id)
    return question


def delete_question(question: Question, *, actor: Any = None) -> None:
    """Delete a question nobody answered yet; an answered one can only be taken off the
    form, so the answers given keep their question."""
    if is_answered(question):
        raise QuestionError(
            _(
                "People have answered this question: take it off the form instead, and its "
                "answers stay in the list and the exports."
            )
        )
    statement_id = question.statement_id
    with transaction.atomic():
        log_action(
            "question.delete", actor=actor, obj=question.statement, data={"question": question.pk}
        )
        question.delete()
    forget(statement_id)


def question_of(statement: Statement, question_id: int) -> Question:
    """One of the statement's questions, or Question.DoesNotExist."""
    return Question.objects.select_related("statement").get(statement=statement, pk=question_id)
