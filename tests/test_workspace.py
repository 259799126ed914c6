"""The organisers' workspace: access, creating, editing clause by clause, translating,
previewing, publishing and closing — through HTTP, as a browser without JavaScript would."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from undersign.organisers.models import AuditEntry
from undersign.statements.models import Statement
from undersign.statements.services import publish_statement, set_translation

LETTER = """# Open letter on *political* prisoners

We ask for three things.

1. Release them.
2. Give them visas.
3. Stop extraditions.
"""


@pytest.fixture
def organiser(team) -> User:
    """Editor and owner of the team that holds the `statement` and `draft` fixtures."""
    user = User.objects.create_user("organiser", password="a long passphrase")
    team.memberships.create(user=user, owner=True, editor=True)
    return user


@pytest.fixture
def outsider(db) -> User:
    return User.objects.create_user("outsider", password="a long passphrase")


@pytest.fixture
def signed_in(client, organiser):
    client.force_login(organiser)
    return client


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def edit_data(statement: Statement, clauses=None, **fields) -> dict[str, object]:
    """The edit form as the page sends it: `clauses` as (number it had, text, delete); the
    page sends each clause's id, so a number that no clause has stands for a forged id."""
    statement.refresh_from_db()
    ids = dict(statement.clauses.values_list("number", "pk"))
    if clauses is None:
        clauses = [(c.number, c.text, False) for c in statement.clauses.all()]
    data: dict[str, object] = {
        "title": statement.title,
        "language": statement.language,
        "preamble": statement.preamble,
        "postscript": statement.postscript,
        "clauses-TOTAL_FORMS": str(len(clauses)),
        "clauses-INITIAL_FORMS": str(sum(1 for n, _t, _d in clauses if n is not None)),
        "clauses-MIN_NUM_FORMS": "0",
        "clauses-MAX_NUM_FORMS": "1000",
    }
    for i, (number, text, delete) in enumerate(clauses):
        data[f"clauses-{i}-clause"] = "" if number is None else str(ids.get(number, 10**6 + number))
        data[f"clauses-{i}-text"] = text
        if delete:
            data[f"clauses-{i}-DELETE"] = "on"
    data.update(fields)
    return data


def clause_texts(statement: Statement) -> list[tuple[int, str]]:
    return list(statement.clauses.values_list("number", "text"))


# Access -------------------------------------------------------------------------------------


def test_it_sends_anonymous_people_to_the_login_page(client, statement):
    for url in ["/workspace/", "/workspace/new/", "/workspace/s/letter/"]:
        r = client.get(url)
        assert r.status_code == 302
        assert r["Location"] == f"/workspace/login/?next={url}"
    r = client.post("/workspace/s/letter/close")
    assert r.status_code == 302 and r["Location"].startswith("/workspace/login/")
    statement.refresh_from_db()
    assert statement.status == "published"


def test_it_refuses_accounts_in_no_team(client, outsider, staff, statement, draft):
    """Staff of the Django admin get nothing in the workspace by being staff."""
    for user in [outsider, staff]:
        client.force_login(user)
        for url in [
            "/workspace/",
            "/workspace/new/",
            "/workspace/s/draft/",
            "/workspace/s/draft/preview",
        ]:
            r = client.get(url)
            assert r.status_code == 403
            assert "A draft" not in r.content.decode()  # the title stays hidden
            assert "An owner of a team can invite you." in r.content.decode()
        assert client.post("/workspace/s/draft/publish").status_code == 403
        assert client.post("/workspace/new/", {"title": "Mine"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not Statement.objects.filter(title="Mine").exists()


def test_a_removed_member_loses_access_at_the_next_request(client, editor, team, draft):
    from undersign.organisers.services import remove_member

    client.force_login(editor)
    assert client.get("/workspace/s/draft/").status_code == 200
    remove_member(team, editor.pk, actor=None)
    assert client.get("/workspace/s/draft/").status_code == 403
    assert client.post("/workspace/s/draft/publish").status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_it_logs_in_and_out_through_its_own_pages(client, organiser):
    page = client.get("/workspace/login/").content.decode()
    assert 'name="username"' in page and "style.css" in page
    r = client.post("/workspace/login/", {"username": "organiser", "password": "wrong"})
    assert r.status_code == 200 and 'value="organiser"' in r.content.decode()
    r = client.post("/workspace/login/", {"username": "organiser", "password": "a long passphrase"})
    assert r.status_code == 302 and r["Location"] == "/workspace/"
    assert client.get("/workspace/").status_code == 200
    assert client.post("/workspace/logout/").status_code == 302
    assert client.get("/workspace/").status_code == 302


def test_workspace_pages_are_not_indexed_or_cached(signed_in, statement):
    r = signed_in.get("/workspace/s/letter/")
    assert r["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in r["Cache-Control"] or "no-store" in r["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in r.content.decode()


# The list -----------------------------------------------------------------------------------


def test_it_lists_statements_with_status_language_and_translations(
    signed_in, statement, draft, django_assert_max_num_queries
):
    set_translation(statement, language="de", title="Brief", clauses={1: "a", 2: "b", 3: "c"})
    set_translation(draft, language="ru", title="Черновик", clauses={1: "Один."})
    Statement.objects.filter(pk=draft.pk).update(title="A draft, renamed")  # original changed
    draft.clauses.update(text="One, changed.")
    # A constant number, whatever the number of statements: the door reads the person's
    # memberships and TOTP device, the list their roles per team and whether they may create.
    with django_assert_max_num_queries(13):
        page = signed_in.get("/workspace/").content.decode()
    assert "Open letter on political prisoners" in page and "A draft, renamed" in page
    assert "Published" in page and "Draft" in page
    assert 'href="/workspace/new/"' in page
    assert ">de</span>" in page and '>ru</span> <span class="outdated">' in page
    assert page.count("out of date") == 1


def test_a_statement_s_menu_shows_its_public_page_once_published_in_the_reader_s_language(
    signed_in, draft, settings
):
    """The menus are rendered once and kept: each page still shows its statement's state,
    the person's language and the page they are on."""
    page = signed_in.get("/workspace/s/draft/dashboard").content.decode()
    assert '/dashboard" aria-current="page">Dashboard</a>' in page
    assert 'href="/s/draft/"' not in page
    publish_statement(draft)
    page = signed_in.get("/workspace/s/draft/dashboard").content.decode()
    assert '<a href="/s/draft/">Public page</a>' in page
    page = signed_in.get("/workspace/s/draft/signers/").content.decode()
    assert '/signers/" aria-current="page">Signers</a>' in page
    assert '/dashboard" aria-current="page">' not in page
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = signed_in.get("/workspace/s/draft/signers/").content.decode()
    assert '<a href="/s/draft/">Публичная страница</a>' in page and "Public page" not in page


# Creating -----------------------------------------------------------------------------------


def test_it_creates_a_draft_from_a_title(signed_in, organiser):
    r = signed_in.post("/workspace/new/", {"title": "Письмо в защиту", "language": "ru"})
    statement = Statement.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/workspace/s/{statement.slug}/"
    assert statement.slug == "pismo-v-zaschitu"
    assert statement.status == "draft" and statement.language == "ru"
    entry = AuditEntry.objects.get(action="statement.create")
    assert entry.actor == organiser and entry.object_id == str(statement.pk)
    assert signed_in.get(f"/s/{statement.slug}/").status_code == 404  # not public yet


def test_it_creates_a_statement_from_pasted_or_uploaded_markdown(signed_in):
    r = signed_in.post("/workspace/new/", {"markdown": LETTER, "slug": "pasted"})
    assert r.status_code == 302
    pasted = Statement.objects.get(slug="pasted")
    assert pasted.title == "Open letter on political prisoners"
    assert clause_texts(pasted)[2] == (3, "Stop extraditions.")

    upload = SimpleUploadedFile("letter.md", LETTER.replace("# Open", "# Another").encode())
    r = signed_in.post("/workspace/new/", {"markdown_file": upload, "language": "de"})
    assert r.status_code == 302
    uploaded = Statement.objects.get(title__startswith="Another")
    assert uploaded.language == "de" and uploaded.clauses.count() == 3


def test_bad_create_input_is_explained_and_kept(signed_in, statement):
    r = signed_in.post("/workspace/new/", {"title": "Mine", "slug": "letter", "language": "x y"})
    page = r.content.decode()
    assert r.status_code == 400
    assert "Another statement already has this address." in page
    assert "Enter a language code" in page
    assert 'value="Mine"' in page
    r = signed_in.post("/workspace/new/", {})
    assert r.status_code == 400
    assert "Give a title, or paste or upload a Markdown document." in r.content.decode()
    r = signed_in.post("/workspace/new/", {"markdown": "Just a line, no title."})
    assert r.status_code == 400 and "Just a line, no title." in r.content.decode()
    assert Statement.objects.count() == 1


# Editing ------------------------------------------------------------------------------------


def test_editing_a_published_text_changes_only_the_working_copy(signed_in, statement, organiser):
    data = edit_data(statement)
    data["clauses-1-text"] = "Give them humanitarian visas."
    r = signed_in.post("/workspace/s/letter/", data)
    assert r.status_code == 302 and r["Location"] == "/workspace/s/letter/"
    statement.refresh_from_db()
    assert clause_texts(statement)[1] == (2, "Give them humanitarian visas.")
    assert statement.current_revision.number == 1  # nothing public changed
    assert "Give them humanitarian visas." not in signed_in.get("/s/letter/").content.decode()
    assert actions()[-1] == "statement.edit"
    assert AuditEntry.objects.filter(action="statement.edit").get().actor == organiser
    page = signed_in.get("/workspace/s/letter/").content.decode()
    assert "The public page does not show it until you publish the changes." in page
    assert "Unpublished changes." in page and "/workspace/s/letter/changes" in page


def test_unpublished_changes_are_reviewed_word_by_word_and_published_in_one_step(
    signed_in, statement, organiser
):
    set_translation(statement, language="de", title="Brief", clauses={2: "Visa geben."})
    signed_in.post("/workspace/s/letter/changes/publish")
    data = edit_data(statement)
    data["clauses-1-text"] = "Give them humanitarian visas."
    signed_in.post("/workspace/s/letter/", data)
    page = signed_in.get("/workspace/s/letter/changes").content.decode()
    assert '<ins><span class="visually-hidden">Added: </span>humanitarian </ins>' in page
    assert "Clause 1: unchanged" in page and "Clause 3: unchanged" in page
    assert 'href="?lang=de"' in page and 'href="?lang=ru"' not in page  # both versions have de
    german = signed_in.get("/workspace/s/letter/changes?lang=de").content.decode()
    # Clause 2 was translated from its earlier wording: German readers get the new original.
    assert "translation out of date — original text" in german
    assert signed_in.get("/workspace/s/letter/changes/publish").status_code == 405

    r = signed_in.post("/workspace/s/letter/changes/publish")
    assert r.status_code == 302
    statement.refresh_from_db()
    assert statement.current_revision.number == 3
    assert "Give them humanitarian visas." in signed_in.get("/s/letter/").content.decode()
    entry = AuditEntry.objects.get(action="statement.revision", data__revision=3)
    assert entry.actor == organiser
    page = signed_in.get("/workspace/s/letter/changes").content.decode()
    assert "There are no unpublished changes" in page


def test_unpublished_changes_can_be_discarded(signed_in, statement):
    signed_in.post("/workspace/s/letter/", edit_data(statement, [(1, "Only this.", False)]))
    assert signed_in.get("/workspace/s/letter/changes/discard").status_code == 200  # it asks
    assert len(clause_texts(statement)) == 1
    r = signed_in.post("/workspace/s/letter/changes/discard")
    assert r.status_code == 302
    assert clause_texts(statement) == [
        (1, "Release them."),
        (2, "Give them visas."),
        (3, "Stop extraditions."),
    ]
    assert "statement.discard" in actions()


def test_text_areas_are_stored_with_plain_newlines(signed_in, statement):
    data = edit_data(statement, preamble="First line.\r\nSecond line.", authors="A\r\nB")
    data["clauses-0-text"] = "Release them.\r\n\r\nAll of them."
    assert signed_in.post("/workspace/s/letter/", data).status_code == 302
    statement.refresh_from_db()
    assert statement.preamble == "First line.\nSecond line." and statement.authors == "A\nB"
    assert clause_texts(statement)[0] == (1, "Release them.\n\nAll of them.")
    signed_in.post(
        "/workspace/s/letter/translations/de/",
        translation_data(preamble="Eins.\r\nZwei.", clause_1="Frei.\r\nSofort."),
    )
    translation = statement.translations.get()
    assert translation.preamble == "Eins.\nZwei."
    assert translation.clauses.get(clause__number=1).text == "Frei.\nSofort."


def test_clauses_move_up_and_down_without_javascript_and_keep_what_was_typed(signed_in, statement):
    before = list(statement.clauses.values_list("pk", flat=True))
    data = edit_data(statement)
    data["clauses-0-text"] = "Release them, typed meanwhile."
    data["move"] = f"down:{before[0]}"
    assert signed_in.post("/workspace/s/letter/", data).status_code == 302
    assert list(statement.clauses.values_list("pk", "number", "text")) == [
        (before[1], 1, "Give them visas."),
        (before[0], 2, "Release them, typed meanwhile."),
        (before[2], 3, "Stop extraditions."),
    ]
    page = signed_in.get("/workspace/s/letter/").content.decode()
    assert f'name="move" value="up:{before[0]}"' in page
    assert f'name="move" value="down:{before[0]}"' in page
    assert "statement.reorder" in actions()


def test_a_closed_statement_is_frozen_until_reopened(signed_in, statement, organiser):
    signed_in.post("/workspace/s/letter/close")
    data = edit_data(statement)
    data["clauses-0-text"] = "Changed after closing."
    r = signed_in.post("/workspace/s/letter/", data)
    assert r.status_code == 400 and "the text is frozen" in r.content.decode()
    r = signed_in.post("/workspace/s/letter/translations/de/", translation_data())
    assert r.status_code == 400 and "the text is frozen" in r.content.decode()
    assert clause_texts(statement)[0] == (1, "Release them.")
    page = signed_in.get("/workspace/s/letter/").content.decode()
    assert "Signing is closed and the text is frozen." in page and "Reopen signing" in page
    signed_in.post("/workspace/s/letter/publish")  # publishing does not reopen by the way
    statement.refresh_from_db()
    assert statement.status == "closed"

    assert signed_in.post("/workspace/s/letter/reopen").status_code == 302
    statement.refresh_from_db()
    assert statement.status == "published"
    assert AuditEntry.objects.get(action="statement.reopen").actor == organiser
    assert signed_in.post("/workspace/s/letter/", data).status_code == 302


def test_a_draft_can_be_deleted_a_published_statement_cannot(
    signed_in, statement, draft, organiser
):
    assert "Delete this draft" in signed_in.get("/workspace/s/draft/").content.decode()
    assert "Delete this draft" not in signed_in.get("/workspace/s/letter/").content.decode()
    assert signed_in.get("/workspace/s/draft/delete").status_code == 200  # it asks first
    r = signed_in.post("/workspace/s/draft/delete")
    assert r.status_code == 302 and r["Location"] == "/workspace/"
    assert not Statement.objects.filter(slug="draft").exists()
    assert AuditEntry.objects.get(action="statement.delete").actor == organiser
    r = signed_in.post("/workspace/s/letter/delete")
    assert r.status_code == 302
    assert Statement.objects.filter(slug="letter").exists()


def test_it_saves_metadata(signed_in, statement, draft):
    data = edit_data(
        statement,
        addressee="To the Bundestag",
        authors="A group of exiles",
        first_published="2024-11-07",
        sources="https://example.org/a\n\nhttps://example.org/b",
        based_on=str(draft.pk),
        goal="1000",
        deadline="2030-01-31T18:00",
    )
    assert signed_in.post("/workspace/s/letter/", data).status_code == 302
    statement.refresh_from_db()
    assert statement.addressee == "To the Bundestag"
    assert statement.sources == ["https://example.org/a", "https://example.org/b"]
    assert statement.based_on == draft and statement.goal == 1000
    assert statement.first_published.isoformat() == "2024-11-07"
    assert statement.deadline.isoformat() == "2030-01-31T18:00:00+00:00"
    page = signed_in.get("/workspace/s/letter/").content.decode()
    assert "https://example.org/a\nhttps://example.org/b</textarea>" in page


def test_deleting_a_clause_renumbers_and_carries_translations_along(signed_in, statement):
    set_translation(
        statement, language="de", title="Brief", clauses={1: "Eins.", 2: "Zwei.", 3: "Drei."}
    )
    data = edit_data(
        statement,
        [(1, "Release them.", False), (2, "Give them visas.", True), (3, "Stop them.", False)],
    )
    assert signed_in.post("/workspace/s/letter/", data).status_code == 302
    assert clause_texts(statement) == [(1, "Release them."), (2, "Stop them.")]
    translation = statement.translations.get()
    rows = translation.clauses.values_list("clause__number", "text")
    assert list(rows) == [(1, "Eins."), (2, "Drei.")]
    page = signed_in.get("/workspace/s/letter/").content.decode()
    assert "out of date" in page  # the original changed after the translation


def test_a_clause_is_added_at_the_end(signed_in, draft):
    data = edit_data(draft, [(1, "One.", False), (None, "Two, new.", False)])
    assert signed_in.post("/workspace/s/draft/", data).status_code == 302
    assert clause_texts(draft) == [(1, "One."), (2, "Two, new.")]
    page = signed_in.get("/workspace/s/draft/").content.decode()
    assert "New clause at the end" in page and 'name="clauses-2-text"' in page


def test_bad_edits_are_explained_next_to_the_field_and_kept(signed_in, statement):
    data = edit_data(
        statement,
        [(1, "Release them now.", False), (2, "", False), (3, "Stop extraditions.", False)],
        goal="lots",
        sources="not a link",
    )
    r = signed_in.post("/workspace/s/letter/", data)
    page = r.content.decode()
    assert r.status_code == 400
    assert "A clause needs its text." in page
    assert "Enter a whole number." in page
    assert "“not a link” is not a web address" in page
    assert "Release them now.</textarea>" in page and 'value="lots"' in page
    assert clause_texts(statement)[0] == (1, "Release them.")  # nothing saved


def test_a_tampered_clause_number_changes_nothing(signed_in, statement):
    data = edit_data(statement, [(1, "a", False), (7, "b", False)])
    r = signed_in.post("/workspace/s/letter/", data)
    assert r.status_code == 400
    assert "The clauses changed while you were editing." in r.content.decode()
    assert len(clause_texts(statement)) == 3


def test_the_original_language_cannot_take_a_translations_language(signed_in, statement):
    set_translation(statement, language="de", title="Brief", clauses={1: "a", 2: "b", 3: "c"})
    r = signed_in.post("/workspace/s/letter/", edit_data(statement, language="de"))
    assert r.status_code == 400 and "There is a translation in this language" in r.content.decode()


# Translations -------------------------------------------------------------------------------


def translation_data(slug: str = "letter", **overrides) -> dict[str, str]:
    """The translation form as the page sends it; `clause_N` names the box of clause N (the
    page names each box by the clause's id)."""
    data = {
        "title": "Offener Brief",
        "preamble": "Wir bitten um drei Dinge.",
        "postscript": "",
        "clause_1": "Freilassen.",
        "clause_2": "Visa geben.",
        "clause_3": "Auslieferungen stoppen.",
    }
    data.update(overrides)
    ids = dict(Statement.objects.get(slug=slug).clauses.values_list("number", "pk"))
    boxes = {f"clause_{n}": f"clause_{pk}" for n, pk in ids.items()}
    return {boxes.get(k, k): v for k, v in data.items() if k in boxes or "clause" not in k}


def box(statement: Statement, number: int) -> str:
    return f"clause_{statement.clauses.get(number=number).pk}"


def test_a_translation_is_added_side_by_side_with_the_original(signed_in, statement, organiser):
    r = signed_in.get("/workspace/s/letter/translations/new", {"language": "DE"})
    assert r.status_code == 302 and r["Location"] == "/workspace/s/letter/translations/de/"
    page = signed_in.get("/workspace/s/letter/translations/de/").content.decode()
    two = statement.clauses.get(number=2).pk
    assert f'id="original-clause-{two}"' in page and "Give them visas." in page
    assert f'aria-describedby="original-clause-{two}"' in page and f'name="clause_{two}"' in page

    r = signed_in.post("/workspace/s/letter/translations/de/", translation_data())
    assert r.status_code == 302
    translation = statement.translations.get(language="de")
    assert translation.clauses.get(clause__number=3).text == "Auslieferungen stoppen."
    entry = AuditEntry.objects.get(action="statement.translate")
    assert entry.actor == organiser and entry.data == {"language": "de"}
    # Public once the changes are published, not before.
    assert "Offener Brief" not in signed_in.get("/s/letter/?lang=de").content.decode()
    signed_in.post("/workspace/s/letter/changes/publish")
    statement.refresh_from_db()
    assert "de" in statement.current_revision.text["translations"]
    assert "Offener Brief" in signed_in.get("/s/letter/?lang=de").content.decode()


def test_an_out_of_date_translation_is_marked_until_saved_again(signed_in, statement):
    signed_in.post("/workspace/s/letter/translations/de/", translation_data())
    data = edit_data(statement)
    data["clauses-0-text"] = "Release them all."
    signed_in.post("/workspace/s/letter/", data)
    page = signed_in.get("/workspace/s/letter/translations/de/").content.decode()
    assert "Out of date:" in page and "Release them all." in page
    assert page.count("Reworded since this was translated") == 1  # clause 1 only
    assert 'value="Offener Brief"' in page  # the earlier translation, ready to update
    signed_in.post("/workspace/s/letter/translations/de/", translation_data(clause_1="Alle frei."))
    assert (
        "Out of date:" not in signed_in.get("/workspace/s/letter/translations/de/").content.decode()
    )


def test_a_translation_can_be_saved_partly_and_finished_later(signed_in, statement):
    r = signed_in.post(
        "/workspace/s/letter/translations/de/", translation_data(clause_2="", clause_3="")
    )
    assert r.status_code == 302
    translation = statement.translations.get()
    assert list(translation.clauses.values_list("clause__number", flat=True)) == [1]
    page = signed_in.get("/workspace/s/letter/translations/de/").content.decode()
    assert "2 clauses are not translated yet." in page
    assert "1 of 3 clauses translated" in signed_in.get("/workspace/s/letter/").content.decode()
    preview = signed_in.get("/workspace/s/letter/preview?lang=de").content.decode()
    assert "Freilassen." in preview
    # Clauses 2 and 3, and the postscript the translation has not either.
    assert preview.count("Not yet translated — original text:") == 3
    signed_in.post("/workspace/s/letter/translations/de/", translation_data())
    assert translation.clauses.count() == 3


def test_a_translation_needs_a_title_and_keeps_what_was_typed(signed_in, statement):
    r = signed_in.post("/workspace/s/letter/translations/de/", translation_data(title=""))
    page = r.content.decode()
    assert r.status_code == 400
    assert "This field is required." in page and "Auslieferungen stoppen.</textarea>" in page
    assert not statement.translations.exists()


def test_a_translation_can_be_deleted(signed_in, statement, organiser):
    signed_in.post("/workspace/s/letter/translations/de/", translation_data())
    signed_in.post("/workspace/s/letter/changes/publish")
    assert signed_in.get("/workspace/s/letter/translations/de/delete").status_code == 200
    r = signed_in.post("/workspace/s/letter/translations/de/delete")
    assert r.status_code == 302
    assert not statement.translations.exists()
    entry = AuditEntry.objects.get(action="statement.translation_delete")
    assert entry.actor == organiser and entry.data == {"language": "de"}
    assert (
        "Offener Brief" in signed_in.get("/s/letter/?lang=de").content.decode()
    )  # until published
    signed_in.post("/workspace/s/letter/changes/publish")
    assert "Offener Brief" not in signed_in.get("/s/letter/?lang=de").content.decode()
    assert signed_in.post("/workspace/s/letter/translations/de/delete").status_code == 404


def test_translation_addresses_are_checked(signed_in, statement):
    assert signed_in.get("/workspace/s/letter/translations/en/").status_code == 404  # original
    assert signed_in.get("/workspace/s/letter/translations/not%20a%20code/").status_code == 404
    r = signed_in.get("/workspace/s/letter/translations/new", {"language": "en"})
    assert r.status_code == 302 and r["Location"] == "/workspace/s/letter/"
    assert "This is the original language" in signed_in.get(r["Location"]).content.decode()


# Preview, publish, close --------------------------------------------------------------------


def test_the_preview_shows_a_draft_marked_as_such_and_not_indexed(signed_in, draft):
    r = signed_in.get("/workspace/s/draft/preview")
    page = r.content.decode()
    assert r.status_code == 200
    assert "Preview" in page and "A draft" in page and 'id="clause-1"' in page
    assert r["X-Robots-Tag"] == "noindex, nofollow"
    assert signed_in.get("/s/draft/").status_code == 404


def test_publishing_is_a_post_and_records_a_revision(signed_in, draft, organiser):
    assert signed_in.get("/workspace/s/draft/publish").status_code == 405
    r = signed_in.post("/workspace/s/draft/publish")
    assert r.status_code == 302 and r["Location"] == "/workspace/s/draft/"
    draft.refresh_from_db()
    assert draft.status == "published" and draft.current_revision.number == 1
    assert AuditEntry.objects.get(action="statement.publish").actor == organiser
    assert "revision 1" in signed_in.get("/workspace/s/draft/").content.decode()
    assert signed_in.get("/s/draft/").status_code == 200


def test_closing_works_only_on_a_published_statement(signed_in, statement, draft):
    r = signed_in.post("/workspace/s/draft/close")
    assert r.status_code == 302
    assert "A draft cannot be closed" in signed_in.get("/workspace/s/draft/").content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    signed_in.post("/workspace/s/letter/close")
    statement.refresh_from_db()
    assert statement.status == "closed"
    assert "statement.close" in actions()
    assert "Signing of this statement is closed." in signed_in.get("/s/letter/").content.decode()


def test_the_whole_path_from_a_title_to_a_public_page_in_two_languages(signed_in):
    signed_in.post("/workspace/new/", {"title": "Letter of support", "slug": "support"})
    statement = Statement.objects.get(slug="support")
    data = edit_data(
        statement,
        [(None, "We stand with them.", False)],
        preamble="To whom it may concern.",
    )
    data["clauses-INITIAL_FORMS"] = "0"
    assert signed_in.post("/workspace/s/support/", data).status_code == 302
    data = edit_data(statement, [(1, "We stand with them, always.", False), (None, "", False)])
    assert signed_in.post("/workspace/s/support/", data).status_code == 302
    r = signed_in.post(
        "/workspace/s/support/translations/uk/",
        translation_data("support", title="Лист підтримки", preamble="", clause_1="Ми з ними."),
    )
    assert r.status_code == 302
    assert signed_in.post("/workspace/s/support/publish").status_code == 302

    signed_in.logout()
    page = signed_in.get("/s/support/").content.decode()
    assert "Letter of support" in page and "We stand with them, always." in page
    assert "Ми з ними." in signed_in.get("/s/support/?lang=uk").content.decode()
    statement.refresh_from_db()
    assert statement.current_revision.text["translations"]["uk"]["title"] == "Лист підтримки"
    assert set(actions()) >= {
        "statement.create",
        "statement.edit",
        "statement.translate",
        "statement.publish",
        "statement.revision",
    }
