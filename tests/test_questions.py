"""The group's own questions (issue 12, item 2): organisers add yes/no, one-choice,
several-choice and short-text questions to a statement's signing form, each saying who sees
the answers. Public answers show beside the name; answers for the organisers or for contacts
viewers are contact data — sealed on a sealed statement, only in exports with contacts."""

import csv
import json

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from tests.conftest import links, path_of, run_worker, sign
from tests.signers import confirmed, organiser
from undersign.organisers.models import AuditEntry, SealingKey
from undersign.signatures import questions, services
from undersign.signatures.exporters import exporter_for
from undersign.signatures.models import Contact, Question, Signature
from undersign.signatures.questions import QuestionInput, add_question
from undersign.signatures.reporting import SignerFilter, dashboard, signers

API = "/api/v1/statements/letter/signatures"


def ask(statement, label, kind="yes_no", visibility="public", **more):
    return add_question(
        statement, QuestionInput(label=label, kind=kind, visibility=visibility, **more)
    )


@pytest.fixture
def asked(statement):
    """One question of each kind, with each visibility."""
    return {
        "forum": ask(statement, "I took part in the forum in Cologne"),
        "skills": ask(
            statement,
            "What can you do",
            "several",
            "organisers",
            choices=["Translation", "Legal help", "Events", "Design"],
        ),
        "city": ask(statement, "Which group", "one", "public", choices=["Köln", "Berlin"]),
        "note": ask(statement, "Where can we reach you safely", "text", "contacts"),
    }


def _answers(asked, **given):
    return {asked[name].key: value for name, value in given.items()}


def _csv(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# On the form ----------------------------------------------------------------------------------


def test_the_form_asks_each_kind_and_says_who_sees_the_answer(client, asked):
    html = client.get("/s/letter/").content.decode()
    forum, skills, city, note = (asked[n].key for n in ("forum", "skills", "city", "note"))
    assert f'type="checkbox" name="{forum}"' in html
    assert html.count(f'type="checkbox" name="{skills}"') == 4
    assert html.count(f'type="radio" name="{city}"') == 3  # with "No answer"
    assert f'type="text" name="{note}"' in html
    assert "Public: shown in the list of signatures next to your name." in html
    assert "Seen only by the organisers who handle contacts." in html
    # The questions come before the consents.
    assert html.index(f'name="{note}"') < html.index('name="consent"')


def test_each_kind_is_stored_where_its_visibility_says(client, asked):
    sign(
        client,
        asked["forum"].statement,
        **_answers(
            asked,
            forum="on",
            skills=["c1", "c4"],
            city="c2",
            note="  ask   at the Tuesday meeting ",
        ),
    )
    signature, contact = Signature.objects.get(), Contact.objects.get()
    forum, skills, city, note = (asked[n].key for n in ("forum", "skills", "city", "note"))
    assert signature.answers == {forum: True, city: "c2"}
    assert contact.answers == {skills: ["c1", "c4"], note: "ask at the Tuesday meeting"}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"skills": ["c9"]}, "Select a valid choice."),
        ({"city": "c7"}, "Select a valid choice."),
        ({"note": "x" * 301}, "Ensure this value has at most 300 characters"),
    ],
)
def test_bad_answers_are_explained_next_to_the_question(client, asked, given, message):
    r = sign(client, asked["forum"].statement, name="Kept Name", **_answers(asked, **given))
    assert r.status_code == 400
    html = r.content.decode()
    key = asked[next(iter(given))].key
    assert f'id="id_{key}_error"' in html and message in html
    assert 'value="Kept Name"' in html
    assert Signature.objects.count() == 0


def test_a_required_question_must_be_answered(client, statement):
    required = ask(statement, "Your group", "one", "organisers", choices=["A", "B"], required=True)
    r = sign(client, statement)
    assert r.status_code == 400 and f'id="id_{required.key}_error"' in r.content.decode()
    assert sign(client, statement, **{required.key: "c1"}).status_code == 302


# Who sees what ------------------------------------------------------------------------------


@pytest.fixture
def answered(client, asked):
    statement = asked["forum"].statement
    confirmed(
        client,
        statement,
        name="Anna Petrova",
        **_answers(asked, forum="on", skills=["c2"], city="c1", note="via Olga only"),
    )
    confirmed(client, statement, name="Boris Ivanov", **_answers(asked, skills=["c1", "c2"]))
    return statement


def test_a_public_answer_is_on_the_page_and_in_the_api(client, answered, asked):
    page = client.get("/s/letter/").content.decode()
    section = page[page.index('id="signatures"') :]
    assert "I took part in the forum in Cologne" in section and "Which group: Köln" in section
    items = client.get(API).json()["items"]
    by_name = {i["display_name"]: i["answers"] for i in items}
    assert by_name["Anna Petrova"] == {asked["forum"].key: True, asked["city"].key: "c1"}
    assert by_name["Boris Ivanov"] == {}


def test_answers_for_the_organisers_and_contacts_viewers_are_never_public(
    client, answered, tmp_path
):
    page = client.get("/s/letter/").content.decode()
    # The form names the choices; the list of signatures names nobody's.
    public = [page[page.index('id="signatures"') :], client.get(API).content.decode()]
    path = tmp_path / "public.csv"
    exporter_for("csv")(answered).write(path)
    public.append(path.read_text(encoding="utf-8-sig"))
    pdf = tmp_path / "handover.pdf"
    exporter_for("pdf")(answered).write(pdf)
    public.append(" ".join(p.extract_text() for p in PdfReader(pdf).pages))
    for text in public:
        assert "Legal help" not in text and "via Olga only" not in text


def test_the_confirm_page_shows_the_public_answers_only(client, asked, mailoutbox):
    sign(client, asked["forum"].statement, **_answers(asked, forum="on", note="secret place"))
    run_worker()
    page = client.get(path_of(links(mailoutbox[0].body)["confirm"])).content.decode()
    preview = page[page.index('class="public-preview"') : page.index("</dl>")]
    assert "I took part in the forum in Cologne" in preview
    assert "secret place" not in page


def test_exports_hold_public_answers_and_with_contacts_all_of_them(answered, asked, tmp_path):
    public = tmp_path / "public.csv"
    exporter_for("csv")(answered).write(public)
    rows = _csv(public)
    columns = list(rows[0])
    assert questions.export_column(asked["forum"]) in columns
    assert questions.export_column(asked["skills"]) not in columns
    private = tmp_path / "contacts.csv"
    exporter_for("csv")(answered, contacts=True).write(private)
    rows = {r["name"]: r for r in _csv(private)}
    anna = rows["Anna Petrova"]
    assert anna[questions.export_column(asked["forum"])] == "yes"
    assert anna[questions.export_column(asked["skills"])] == "Legal help"
    assert anna[questions.export_column(asked["note"])] == "via Olga only"
    assert rows["Boris Ivanov"][questions.export_column(asked["skills"])] == (
        "Translation; Legal help"
    )
    assert list(rows["Anna Petrova"])[-1] == "sealed"


def test_a_contacts_viewers_answer_is_sealed_and_opens_only_from_an_export_with_contacts(
    client, asked, tmp_path
):
    statement = asked["forum"].statement
    key_file = tmp_path / "team.key"
    call_command("keys", "new", "--out", str(key_file), "--name", "team")
    statement.sealing_key = SealingKey.objects.get()
    statement.save()
    confirmed(
        client, statement, name="Olga", **_answers(asked, note="the blue door", skills=["c3"])
    )
    contact = Contact.objects.get()
    assert contact.answers == {} and contact.sealed.startswith("sealed:v1:")
    # Not filtered, not counted: the server cannot read it.
    assert dashboard(statement).answers.get(f"{asked['skills'].key}=c3", 0) == 0

    exported = tmp_path / "contacts.csv"
    exporter_for("csv")(statement, contacts=True, actor=organiser()).write(exported)
    assert "the blue door" not in exported.read_text(encoding="utf-8-sig")
    entry = AuditEntry.objects.get(action="contacts.export")
    assert entry.data["sealed"] is True
    opened = tmp_path / "opened.csv"
    call_command("contacts", "open", str(exported), "--key", str(key_file), "--out", str(opened))
    row = _csv(opened)[0]
    assert row[questions.export_column(asked["note"])] == "the blue door"
    assert row[questions.export_column(asked["skills"])] == "Events"


def test_the_organisers_filter_and_count_by_answers_and_such_a_filter_is_audited(
    client, answered, asked
):
    skills, forum = asked["skills"], asked["forum"]
    board = dashboard(answered)
    assert board.answers[f"{forum.key}=yes"] == 1
    assert board.answers[f"{skills.key}=c2"] == 2 and board.answers[f"{skills.key}=c1"] == 1
    found = signers(answered, SignerFilter(answers=[(skills.key, "c1")]))
    assert list(found.values_list("public_name", flat=True)) == ["Boris Ivanov"]

    client.force_login(organiser())
    page = client.get(f"/workspace/s/letter/signers/?{forum.key}=yes").content.decode()
    assert "Anna Petrova" in page and "Boris Ivanov" not in page
    assert not AuditEntry.objects.filter(action="contacts.filter").exists()  # public answers
    page = client.get(f"/workspace/s/letter/signers/?{skills.key}=c1").content.decode()
    assert "Boris Ivanov" in page and "Anna Petrova" not in page
    entry = AuditEntry.objects.get(action="contacts.filter")
    assert entry.data["filter"] == {skills.key: "c1"}
    # A question only contacts viewers see is no filter at all.
    assert f'name="{asked["note"].key}"' not in page
    board_page = client.get("/workspace/s/letter/dashboard").content.decode()
    assert f"?{skills.key}=c2" in board_page and "not counted" in board_page


def test_the_latest_submission_replaces_the_answers_while_pending(client, asked, mailoutbox):
    statement = asked["forum"].statement
    sign(client, statement, **_answers(asked, forum="on", skills=["c1"]))
    run_worker()
    sign(client, statement, **_answers(asked, city="c2", note="later"))
    run_worker()
    assert Signature.objects.get().answers == {asked["city"].key: "c2"}
    assert Contact.objects.get().answers == {asked["note"].key: "later"}


def test_withdrawing_erases_the_answers_and_their_counts(client, answered, asked):
    anna = Signature.objects.get(public_name="Anna Petrova")
    services.withdraw_signature(anna)
    anna.refresh_from_db()
    assert anna.answers == {} and not Contact.objects.filter(signature=anna).exists()
    board = dashboard(answered)
    assert board.answers.get(f"{asked['forum'].key}=yes", 0) == 0
    from undersign.signatures.tallies import rebuild

    rebuild(answered.pk)
    assert dashboard(answered).answers.get(f"{asked['city'].key}=c1", 0) == 0


# Changing questions ---------------------------------------------------------------------------


def test_an_answered_question_keeps_its_kind_and_is_taken_off_rather_than_deleted(
    client, answered, asked
):
    skills = asked["skills"]
    with pytest.raises(questions.QuestionError):
        questions.change_question(
            skills, QuestionInput(label="What can you do", kind="text", visibility="organisers")
        )
    with pytest.raises(questions.QuestionError):
        questions.delete_question(skills)
    questions.change_question(
        skills,
        QuestionInput(
            label="What can you do",
            kind="several",
            visibility="organisers",
            asked=False,
            choices=["Translations", "Legal help", "Events", "Design", "Driving"],
        ),
    )
    assert f'name="{skills.key}"' not in client.get("/s/letter/").content.decode()
    skills.refresh_from_db()
    assert [c["key"] for c in skills.choices] == ["c1", "c2", "c3", "c4", "c5"]


def test_an_unanswered_question_can_be_deleted(statement):
    question = ask(statement, "Nobody saw this")
    questions.delete_question(question)
    assert not Question.objects.exists()


# Translations ---------------------------------------------------------------------------------


def test_questions_are_read_in_the_readers_language_with_the_original_as_fallback(
    client, statement
):
    question = ask(
        statement,
        "What can you do",
        "one",
        choices=["Translation", "Design"],
        translations={"de": ("Was können Sie tun", ["Übersetzung", "Gestaltung"])},
    )
    german = client.get("/s/letter/?lang=de").content.decode()
    assert "Was können Sie tun" in german and "Übersetzung" in german
    ukrainian = client.get("/s/letter/?lang=uk").content.decode()
    assert "What can you do" in ukrainian and "Translation" in ukrainian
    # The original changed: the German translation is out of date, readers get the original.
    questions.change_question(
        question,
        QuestionInput(
            label="What can you do for us",
            kind="one",
            visibility="public",
            choices=["Translation", "Design"],
        ),
    )
    german = client.get("/s/letter/?lang=de").content.decode()
    assert "What can you do for us" in german and "Was können Sie tun" not in german


def test_rewording_in_the_workspace_leaves_an_unchanged_translation_out_of_date(
    client, statement, editor
):
    question = ask(
        statement,
        "Were you there",
        translations={"de": ("Waren Sie dabei", [])},
    )
    client.force_login(editor)
    url = f"/workspace/s/letter/form/questions/{question.pk}"
    page = client.get(url).content.decode()
    assert 'value="Waren Sie dabei"' in page
    form = {
        "label": "Were you at the forum",
        "kind": "yes_no",
        "visibility": "public",
        "asked": "on",
        "position": "1",
        "label_de": "Waren Sie dabei",
    }
    assert client.post(url, form).status_code == 302
    assert "Out of date" in client.get(url).content.decode()
    assert "Were you at the forum" in client.get("/s/letter/?lang=de").content.decode()
    client.post(url, {**form, "translations_checked": "on"})
    assert "Waren Sie dabei" in client.get("/s/letter/?lang=de").content.decode()
    entry = AuditEntry.objects.filter(action="question.change").latest("id")
    assert entry.data == {"question": question.pk, "languages": ["de"]}


def test_sealing_stored_contacts_puts_the_answers_in_the_box(client, asked, tmp_path):
    from undersign.signatures import sealing

    statement = asked["forum"].statement
    confirmed(client, statement, name="Olga", **_answers(asked, note="ring twice"))
    key_file = tmp_path / "team.key"
    call_command("keys", "new", "--out", str(key_file), "--name", "team")
    sealing.use_key(statement, SealingKey.objects.get())
    run_worker()
    contact = Contact.objects.get()
    assert contact.answers == {} and contact.sealed
    from undersign.signatures.contacts import unseal
    from undersign.signatures.exporters.opening import read_private_key

    opened = unseal(read_private_key(key_file), contact.sealed)
    assert opened.answers == {asked["note"].key: "ring twice"}


# The API --------------------------------------------------------------------------------------


def test_the_api_signing_schema_describes_the_statements_questions(client, asked):
    document = client.get("/api/v1/statements/letter/openapi.json?lang=en").json()
    body = document["components"]["schemas"]["SignatureIn"]
    answers = body["properties"]["answers"]
    assert set(answers["properties"]) == {q.key for q in asked.values()}
    assert answers["additionalProperties"] is False
    assert answers["properties"][asked["forum"].key]["type"] == "boolean"
    skills = answers["properties"][asked["skills"].key]
    assert skills["type"] == "array"
    assert [c["const"] for c in skills["items"]["oneOf"]] == ["c1", "c2", "c3", "c4"]
    assert skills["x-visibility"] == "organisers"
    assert answers["properties"][asked["note"].key]["maxLength"] == 300
    statement = client.get("/api/v1/statements/letter").json()
    assert [q["key"] for q in statement["questions"]] == [q.key for q in asked.values()]
    assert statement["questions"][2]["choices"] == [
        {"key": "c1", "label": "Köln"},
        {"key": "c2", "label": "Berlin"},
    ]


def test_the_api_signs_with_answers_and_refuses_unknown_ones(client, asked):
    body = {
        "name": "Api Signer",
        "email": "api@example.org",
        "consent": True,
        "answers": _answers(asked, forum=True, skills=["c2", "c3"], note="hello"),
    }
    r = client.post(API, json.dumps(body), content_type="application/json")
    assert r.status_code == 202, r.content
    assert Signature.objects.get().answers == {asked["forum"].key: True}
    assert Contact.objects.get().answers == {
        asked["skills"].key: ["c2", "c3"],
        asked["note"].key: "hello",
    }
    bad = {**body, "email": "b@example.org", "answers": {"q999": True}}
    r = client.post(API, json.dumps(bad), content_type="application/json")
    assert r.status_code == 422 and "answers" in r.json()["errors"]
    wrong = {**body, "email": "c@example.org", "answers": {asked["city"].key: "c9"}}
    r = client.post(API, json.dumps(wrong), content_type="application/json")
    assert r.status_code == 422 and asked["city"].key in r.json()["errors"]


@pytest.mark.django_db(transaction=True)
def test_the_installed_export_command_filters_by_an_answer(client, asked, tmp_path):
    import subprocess

    from tests.signers import UNDERSIGN, database_env

    statement = asked["forum"].statement
    organiser("exporter")
    confirmed(client, statement, name="Anna Forum", **_answers(asked, forum="on"))
    confirmed(client, statement, name="Boris Home")
    out = tmp_path / "forum.csv"
    args = ["export", "letter", "--as", "exporter", "--answer", f"{asked['forum'].key}=yes"]
    result = subprocess.run(
        [UNDERSIGN, *args, "-o", str(out)],
        env=database_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert [r["shown_as"] for r in _csv(out)] == ["Anna Forum"]
    bad = subprocess.run(
        [UNDERSIGN, "export", "letter", "--as", "exporter", "--answer", "nope", "-o", "-"],
        env=database_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "is not an answer like q12=c3" in bad.stderr
    assert "Traceback" not in bad.stderr
