"""Organisers run an assembly from the workspace: set it up, put texts on the ballot, make
codes (shown once, downloaded as a list and as cards), import a list, revoke a card, enter
paper tallies, link clauses, and publish a text with the room's result."""

import csv
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from tests.assemblies import clause_ids, codes_for, make_assembly, participant
from undersign.assemblies import services
from undersign.assemblies.models import Assembly, ClauseLink, PaperTally, Participant
from undersign.organisers.models import AuditEntry
from undersign.statements.models import Statement


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def assembly(team, owner):
    return make_assembly(team, opened=False, actor=owner)


def test_it_sets_up_an_assembly_with_texts_and_opens_it(editor_client, team, draft):
    response = editor_client.post(
        "/workspace/assemblies/new/",
        {"name": "Forum in Köln", "place": "Köln", "languages": "ru, de", "secret": "on"},
    )
    assert response.status_code == 302
    assembly = Assembly.objects.get()
    assert assembly.slug == "forum-in-koln" and assembly.team == team and assembly.secret
    assert assembly.languages == ["ru", "de"]
    url = response["Location"]
    assert url == "/workspace/assemblies/forum-in-koln/"

    response = editor_client.post(url, {"form": "add", "add-statement": draft.pk})
    assert response.status_code == 302
    response = editor_client.post(
        url, {"form": "new", "new-title": "Draft C", "new-language": "ru"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/workspace/s/")
    assert list(assembly.texts.values_list("statement__title", flat=True)) == ["A draft", "Draft C"]
    assert Statement.objects.get(title="Draft C").team == team

    page = editor_client.get(url).content.decode()
    assert "A draft" in page and "Draft C" in page and "/a/forum-in-koln/" in page
    assert editor_client.post(f"{url}open").status_code == 302
    assembly.refresh_from_db()
    assert assembly.status == "open" and assembly.opened_at

    # Secret or named stays as announced once voting opened.
    editor_client.post(url, {"form": "settings", "settings-name": "Forum", "settings-secret": ""})
    assembly.refresh_from_db()
    assert assembly.secret and assembly.name == "Forum"


def test_bad_input_is_answered_next_to_the_field(editor_client, team):
    response = editor_client.post(
        "/workspace/assemblies/new/",
        {"name": "", "starts_on": "2026-05-02", "ends_on": "2026-05-01", "languages": "russian!"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert "cannot end before it starts" in html
    assert "Not a language code" in html
    assert not Assembly.objects.exists()


def test_codes_are_shown_once_then_downloaded_as_a_list_and_cards(editor_client, assembly):
    response = editor_client.post("/workspace/assemblies/cologne/participants/codes", {"count": 3})
    assert response.status_code == 200
    html = response.content.decode()
    shown = [p for p in html.split('name="code" value="')[1:]]
    made = sorted({value.split('"')[0] for value in shown})
    assert len(made) == 3
    # Only hashes are stored.
    stored = list(Participant.objects.values_list("code_hash", "label", "number"))
    assert len(stored) == 3
    assert not any(code in str(stored) for code in made)

    answer = editor_client.post(
        "/workspace/assemblies/cologne/participants/download", {"format": "csv", "code": made}
    )
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert sorted(row["code"] for row in rows) == made
    assert [row["number"] for row in rows] == ["1", "2", "3"]
    assert all(row["link"].endswith(f"/a/cologne/in/{row['code']}") for row in rows)

    answer = editor_client.post(
        "/workspace/assemblies/cologne/participants/download", {"format": "pdf", "code": made}
    )
    assert answer["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(answer.content))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Forum in Cologne" in text
    assert all(code in text for code in made)

    # Later the page shows numbers, never codes; a made-up code downloads nothing.
    later = editor_client.get("/workspace/assemblies/cologne/participants/").content.decode()
    assert not any(code in later for code in made)
    answer = editor_client.post(
        "/workspace/assemblies/cologne/participants/download",
        {"format": "csv", "code": ["ZZZZ-ZZZZ-ZZZZ-ZZZZ"]},
    )
    assert answer.status_code == 302
    entry = AuditEntry.objects.get(action="assembly.codes")
    assert entry.data == {"count": 3, "first": 1, "last": 3}
    assert not any(code in str(entry.data) for code in made)


def test_cards_print_in_russian_with_a_qr_code(assembly):
    from undersign.assemblies.cards import cards_pdf

    made = services.generate_codes(assembly, 9)
    pdf = cards_pdf(assembly, made, address=lambda c: f"http://x/a/cologne/in/{c}", door="http://x")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2  # eight cards to a page
    text = reader.pages[0].extract_text()
    assert "Карточка 1" in text and "Ваш код доступа" in text
    fonts = str(reader.pages[0]["/Resources"]["/Font"].get_object())
    assert "DejaVu" in str(
        [f.get_object()["/BaseFont"] for f in reader.pages[0]["/Resources"]["/Font"].values()]
    ), fonts


def test_an_imported_list_gets_a_code_each(editor_client, assembly):
    upload = io.BytesIO("name;city\nAnna Petrova;Köln\n=cmd|' /c calc'!A0;Bonn\n\n".encode())
    upload.name = "list.csv"
    response = editor_client.post(
        "/workspace/assemblies/cologne/participants/import", {"names": upload}
    )
    assert response.status_code == 200
    assert list(Participant.objects.values_list("number", "label")) == [
        (1, "Anna Petrova"),
        (2, "=cmd|' /c calc'!A0"),
    ]
    made = [v.split('"')[0] for v in response.content.decode().split('name="code" value="')[1:]]
    answer = editor_client.post(
        "/workspace/assemblies/cologne/participants/download", {"format": "csv", "code": made}
    )
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert rows[0]["name"] == "Anna Petrova"
    assert rows[1]["name"].startswith("'=")  # no formula in a spreadsheet

    bad = io.BytesIO(b"who\nAnna\n")
    bad.name = "list.csv"
    response = editor_client.post(
        "/workspace/assemblies/cologne/participants/import", {"names": bad}
    )
    assert response.status_code == 400
    assert "no column headed" in response.content.decode()


def test_a_revoked_card_no_longer_signs_in(editor_client, assembly):
    code = codes_for(assembly, 2)[1]
    client = participant(assembly, code)
    response = editor_client.post("/workspace/assemblies/cologne/participants/2/revoke")
    assert response.status_code == 302
    assert client.get("/a/cologne/").status_code == 302
    assert Client().post("/a/cologne/in", {"code": code}).status_code == 400
    entry = AuditEntry.objects.get(action="assembly.revoke")
    assert entry.data == {"number": 2} and entry.actor.username == "editor"


def test_paper_tallies_are_entered_corrected_and_audited(editor_client, assembly, editor):
    first, second, _third = clause_ids(assembly, "draft-a")
    url = "/workspace/assemblies/cologne/t/draft-a/paper"
    response = editor_client.post(
        url,
        {"support": 40, "oppose": 12, "abstain": "", f"agree-{first}": 30, f"disagree-{first}": 5},
    )
    assert response.status_code == 302
    whole = PaperTally.objects.get(clause=None)
    assert (whole.support, whole.oppose, whole.abstain) == (40, 12, 0)
    assert whole.entered_by == editor
    row = PaperTally.objects.get(clause_id=first)
    assert (row.agree, row.disagree, row.pass_count) == (30, 5, 0)
    assert not PaperTally.objects.filter(clause_id=second).exists()  # nothing entered there

    response = editor_client.post(
        url, {"support": 41, "oppose": 12, f"agree-{first}": 30, f"disagree-{first}": 5}
    )
    assert PaperTally.objects.count() == 2
    assert PaperTally.objects.get(clause=None).support == 41
    corrections = AuditEntry.objects.filter(action="assembly.paper_tally").order_by("id")
    assert [e.data["new"].get("support") for e in corrections] == [40, None, 41]
    assert corrections.last().data["old"] == {"support": 40, "oppose": 12, "abstain": 0}

    response = editor_client.post(url, {"support": -3})
    assert response.status_code == 400
    assert PaperTally.objects.get(clause=None).support == 41
    page = editor_client.get(url).content.decode()
    assert 'value="41"' in page


def test_clauses_of_different_texts_are_linked(editor_client, assembly):
    a = clause_ids(assembly, "draft-a")[0]
    b = clause_ids(assembly, "draft-b")[1]
    url = "/workspace/assemblies/cologne/links/"
    assert editor_client.post(url, {"a": b, "b": a}).status_code == 302
    assert editor_client.post(url, {"a": a, "b": b}).status_code == 302  # the same pair
    link = ClauseLink.objects.get()
    assert (link.a_id, link.b_id) == (min(a, b), max(a, b))
    same_text = clause_ids(assembly, "draft-a")[1]
    response = editor_client.post(url, {"a": a, "b": same_text})
    assert response.status_code == 400
    assert "two different texts" in response.content.decode()
    page = editor_client.get(url).content.decode()
    assert "Release all political prisoners." in page
    editor_client.post(f"{url}{link.pk}/remove")
    assert not ClauseLink.objects.exists()


def test_the_campaign_step_publishes_a_text_after_voting_closed(editor_client, assembly, owner):
    url = "/workspace/assemblies/cologne/t/draft-a/campaign"
    services.open_voting(assembly, actor=owner)
    editor_client.post(url)
    assert Statement.objects.get(slug="draft-a").status == "draft"  # not before it closed
    services.close_voting(assembly, actor=owner)
    assert "Publish" in editor_client.get(url).content.decode()
    response = editor_client.post(url)
    assert response.status_code == 302
    statement = Statement.objects.get(slug="draft-a")
    assert statement.status == "published" and statement.current_revision is not None
    assert assembly.texts.get(statement=statement).campaign_started_at is not None
    assert AuditEntry.objects.filter(action="assembly.campaign").exists()
    page = Client().get("/s/draft-a/")
    assert page.status_code == 200
    assert "In the assembly “Forum in Cologne”" in page.content.decode()
    # Participants who sign now can say they took part; the dashboard counts them.
    assert statement.ask_took_part
    assert 'name="took_part"' in page.content.decode()


def test_the_public_page_shows_the_rooms_result(team, owner):
    assembly = make_assembly(team, actor=owner)
    first, second, _third = clause_ids(assembly, "draft-a")
    values = [("support", "agree")] * 4 + [("oppose", "agree"), ("abstain", "agree")]
    for code, (text_value, clause_value) in zip(codes_for(assembly, 7), values, strict=False):
        participant(assembly, code).post(
            "/a/cologne/t/draft-a/",
            {
                "position": text_value,
                f"clause-{first}": clause_value,
                f"clause-{second}": "disagree",
            },
        )
    services.close_voting(assembly, actor=owner)
    assert "In the assembly" not in Client().get("/s/draft-a/").content.decode()  # not yet public
    services.start_campaign(assembly.texts.get(statement__slug="draft-a"), actor=owner)
    html = Client().get("/s/draft-a/").content.decode()
    assert "4 of 6 supported this text; 1 opposed it, 1 abstained." in html
    assert "Clauses that united the room:" in html
    assert "Release all political prisoners." in html.split("Clauses that united the room:")[1]
    # The other text's page knows nothing of the room: its campaign did not start.
    assert Client().get("/s/draft-b/").status_code == 404
