"""The signing form's own `_clean_fields` and the lane's shared-field form (issue 13): the
same cleaned values and the same errors, word for word, as Django's own cleaning gives."""

import pytest
from django import forms
from django.http import QueryDict

from tests.conftest import form_data
from tests.test_questions import ask
from undersign.signatures.forms import PublicSignatureForm, SigningCheck


@pytest.fixture
def questions(statement):
    return {
        "forum": ask(statement, "I took part in the forum in Cologne"),
        "skills": ask(statement, "What can you do", "several", "organisers", choices=["A", "B"]),
        "group": ask(statement, "Which group", "one", "public", choices=["Köln", "Berlin"]),
        "note": ask(statement, "Where can we reach you safely", "text", "contacts"),
    }


POSTS = [
    {},
    {"email": "not an address", "name": "Анна"},
    {"consent": None, "country": "XX", "display": "loud"},
    {"name": "\ud800", "city": "Köln\ufffd"},
    {"name": "  Anna \n  Petrova  ", "phone": "+49 30 1234", "help": "on"},
    {"email": "x" * 250 + "@example.org"},
]


def _posted(statement, questions, post):
    data = form_data(**post)
    keys = {name: q.key for name, q in questions.items()}
    data.update({keys["skills"]: ["c1", "c9"], keys["group"]: "c2", keys["note"]: "y" * 301})
    query = QueryDict(mutable=True)
    for name, value in data.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    return query


def _djangos_own(form):
    """The form cleaned by Django's `BaseForm._clean_fields` (bound fields and all)."""
    form._errors = forms.utils.ErrorDict(renderer=form.renderer)
    form.cleaned_data = {}
    forms.BaseForm._clean_fields(form)
    form._clean_form()
    return form.cleaned_data, form.errors.get_json_data()


@pytest.mark.parametrize("post", POSTS)
@pytest.mark.parametrize("kind", [PublicSignatureForm, SigningCheck])
def test_cleaning_gives_what_djangos_own_gives(statement, questions, post, kind):
    data = _posted(statement, questions, post)
    form = kind(data, statement=statement)
    form.is_valid()
    ours = (form.cleaned_data, form.errors.get_json_data())
    theirs = _djangos_own(PublicSignatureForm(data, statement=statement))
    assert ours == theirs
    assert ours[1]  # each post here has at least one mistake, so the messages are compared


def test_a_valid_post_cleans_the_same_too(statement):
    data = QueryDict(mutable=True)
    data.update(form_data())
    form = SigningCheck(data, statement=statement)
    assert form.is_valid()
    assert form.cleaned_data == _djangos_own(PublicSignatureForm(data, statement=statement))[0]


def test_the_checking_form_never_changes_the_fields_the_page_draws(statement):
    shared = PublicSignatureForm.base_fields
    before = {n: (f.widget.attrs.copy(), f.required) for n, f in shared.items()}
    check = SigningCheck(QueryDict("email=bad"), statement=statement)
    assert not check.is_valid()
    assert check.fields["email"] is PublicSignatureForm.base_fields["email"]  # shared, not copied
    assert {n: (f.widget.attrs, f.required) for n, f in shared.items()} == before
    drawn = PublicSignatureForm(statement=statement)
    assert drawn.fields["email"] is not PublicSignatureForm.base_fields["email"]  # copied to draw
