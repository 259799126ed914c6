"""The results through the doors people use: the organisers' results and map pages, the
projector, the CSV and PDF exports, the participants' page, the API. And secrecy: none of
them links a participant to a ballot."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from tests.assemblies import participant
from tests.test_assembly_results import PER_CAMP, ids, two_camp_room
from undersign.assemblies import results, services, tallies
from undersign.assemblies.models import Ballot
from undersign.organisers.models import AuditEntry


@pytest.fixture
def room(team, owner):
    assembly, codes = two_camp_room(team, absent=2, labels=True)
    a1, b2 = (
        assembly.texts.get(statement__slug=s).statement.clauses.get(number=n)
        for s, n in (("draft-a", 1), ("draft-b", 2))
    )
    tallies.link_clauses(assembly, a1, b2, actor=owner)
    text = assembly.texts.get(statement__slug="draft-b")
    tallies.enter_paper_tallies(
        text, [tallies.Counts(None, {"support": 7, "oppose": 3, "abstain": 1})], actor=owner
    )
    assembly.codes = codes  # type: ignore[attr-defined]
    return assembly


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_organisers_the_tallies_with_a_chart_per_text(room, moderator):
    response = as_user(moderator).get(f"/workspace/assemblies/{room.slug}/results")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Draft A: on political prisoners" in page and "Draft B: on the war" in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="results-chart"') == 2
    assert "26 participants" in page and "24 voted online" in page
    # Draft B: 12 online supporters, 7 on paper, 19 in all.
    assert re.search(r"Support</th><td>12</td><td>7</td><td>19</td>", page)
    paper = as_user(moderator).get(f"/workspace/assemblies/{room.slug}/results?show=paper")
    assert re.search(r"Support</th><td>12</td><td>7</td><td>19</td>", paper.content.decode())
    # No inline style anywhere (the CSP would block it): colours are SVG attributes.
    assert " style=" not in page


def test_it_shows_the_map_with_groups_and_linked_clauses_side_by_side(room, contacts_viewer):
    response = as_user(contacts_viewer).get(f"/workspace/assemblies/{room.slug}/map")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Group A: {PER_CAMP} participants" in page
    assert f"Group B: {PER_CAMP} participants" in page
    unite = page.split('id="unite"')[1].split("</section>")[0]
    assert "Release all political prisoners." in unite and "Hold free elections." not in unite
    # A1 and B2 are linked: one entry, the other named under it.
    assert unite.count("Release all political prisoners.") == 1
    assert "The same in: Draft B: on the war, 2 (100% agree)" in unite
    divide = page.split('id="divide"')[1].split("</section>")[0]
    assert "Hold free elections." in divide and "Give them humanitarian visas." in divide
    side = page.split('class="side-by-side"')[1].split("</section>")[0]
    assert "Draft A: on political prisoners, 1." in side and "Draft B: on the war, 2." in side


def test_it_shows_results_to_the_assemblys_team_only(room, other_member):
    for path in ("results", "map", "results.csv", "results.pdf"):
        assert (
            as_user(other_member).get(f"/workspace/assemblies/{room.slug}/{path}").status_code
            == 404
        )
        anonymous = Client().get(f"/workspace/assemblies/{room.slug}/{path}")
        assert anonymous.status_code == 302 and "/workspace/login/" in anonymous["Location"]


def test_it_exports_the_results_as_csv_and_records_it(room, editor):
    response = as_user(editor).get(f"/workspace/assemblies/{room.slug}/results.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="cologne-results.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    b_text = next(r for r in rows if r["text"] == "draft-b" and not r["clause_id"])
    assert (b_text["support"], b_text["online_support"], b_text["paper_support"]) == (
        "19",
        "12",
        "7",
    )
    b3 = next(r for r in rows if r["text"] == "draft-b" and r["clause_number"] == "3")
    assert (b3["agree"], b3["disagree"], b3["map"]) == ("12", "12", "divide")
    assert {b3["group_A_agree_share"], b3["group_B_agree_share"]} == {"0.0", "1.0"}
    entry = AuditEntry.objects.get(action="assembly.results.export")
    assert entry.actor == editor and entry.data == {"format": "csv"}


def test_it_exports_the_results_as_pdf_with_charts(room, owner, caplog):
    pypdf = pytest.importorskip("pypdf")
    response = as_user(owner).get(f"/workspace/assemblies/{room.slug}/results.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    # The shipped DejaVu Sans was read (not whatever fonts the server has): Cyrillic
    # prints anywhere. WeasyPrint says when a font face cannot be loaded.
    assert not [
        r for r in caplog.records if r.name.startswith("weasyprint") and r.levelname == "WARNING"
    ]
    assert "Forum in Cologne" in text
    assert "Draft B: on the war" in text and "Hold free elections." in text
    assert "What unites the room" in text
    assert AuditEntry.objects.filter(
        action="assembly.results.export", data={"format": "pdf"}
    ).exists()


def test_the_projector_refreshes_itself_and_needs_its_key(room):
    key = results.projector_key(room)
    response = Client().get(f"/a/{room.slug}/screen?key={key}")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<meta http-equiv="refresh" content="10">' in page
    assert "<script" not in page
    assert "Draft B: on the war" in page and ">19</span>support" in page.replace("\n", "")
    unite = page.split("What unites the room")[1].split("</section>")[0]
    assert unite.count("Release all political prisoners.") == 1  # linked with B2: one line
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert Client().get(f"/a/{room.slug}/screen").status_code == 404
    # A key one character off (never the key itself, whatever its last character is).
    wrong = key[:-1] + ("1" if key.endswith("0") else "0")
    assert Client().get(f"/a/{room.slug}/screen?key={wrong}").status_code == 404


def test_organisers_find_the_projectors_address_on_the_results_page(room, editor):
    page = as_user(editor).get(f"/workspace/assemblies/{room.slug}/results").content.decode()
    assert f"/a/{room.slug}/screen?key={results.projector_key(room)}" in page


def test_participants_see_the_results_once_voting_closed(room, owner):
    browser = participant(room, room.codes[0])
    waiting = browser.get(f"/a/{room.slug}/results")
    assert waiting.status_code == 200
    assert "once voting has closed" in waiting.content.decode()
    assert "Hold free elections." not in waiting.content.decode()
    services.close_voting(room, actor=owner)
    page = browser.get(f"/a/{room.slug}/results").content.decode()
    assert "19 support, 15 oppose, 1 abstain" in page  # online and paper together
    assert "Draft B: on the war" in page and "including 11 on paper" in page
    assert "What divides the room" in page and "Hold free elections." in page
    assert Client().get(f"/a/{room.slug}/results").status_code == 302  # to the door


def test_the_api_gives_the_results_to_organisers_and_the_projector(room, moderator, other_member):
    url = f"/api/v1/assemblies/{room.slug}/results"
    response = as_user(moderator).get(url)
    assert response.status_code == 200
    data = response.json()
    assert data["participants"] == 26 and data["voted"] == 24
    b = data["texts"][1]
    assert (b["slug"], b["support"], b["oppose"], b["abstain"]) == ("draft-b", 19, 15, 1)
    assert b["paper"] == {"support": 7, "oppose": 3, "abstain": 1}
    assert b["online"] == {"support": 12, "oppose": 12, "abstain": 0}
    assert set(b["clauses"][0]) >= {"id", "number", "agree", "disagree", "pass"}
    assert [g["size"] for g in data["groups"]] == [PER_CAMP, PER_CAMP]
    assert set(data["unite"]) == ids(room, "a1", "b2")
    assert set(data["divide"]) == ids(room, "a2", "a3", "b1", "b3")
    key = results.projector_key(room)
    assert Client().get(f"{url}?key={key}").json() == data
    assert Client().get(url).status_code == 404
    assert as_user(other_member).get(url).status_code == 404
    assert Client().get("/api/v1/assemblies/nowhere/results").status_code == 404


def test_the_api_gives_participants_the_results_once_voting_closed(room, owner):
    url = f"/api/v1/assemblies/{room.slug}/results"
    header = {"HTTP_AUTHORIZATION": f"Code {room.codes[3]}"}
    assert Client().get(url, **header).status_code == 404
    services.close_voting(room, actor=owner)
    assert Client().get(url, **header).status_code == 200
    assert Client().get(url, HTTP_AUTHORIZATION="Code 0000-0000-0000-0000").status_code == 404


def test_the_openapi_document_shows_the_results_shape():
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/assemblies/{slug}/results"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    shape = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"participants", "texts", "groups", "unite", "divide"} <= set(shape["properties"])
    clause = schema["components"]["schemas"]["ClauseResult"]["properties"]
    assert {"id", "number", "agree", "disagree", "pass"} <= set(clause)
    group = schema["components"]["schemas"]["GroupResult"]["properties"]
    assert set(group) == {"name", "size", "representative", "clauses"}


def test_no_results_door_links_a_participant_to_a_ballot(room, owner):
    """Secret mode: names on the register, yet no results page, export or API answer holds
    a name, a card number, a ballot or a group's members."""
    services.close_voting(room, actor=owner)
    key = results.projector_key(room)
    organiser = as_user(owner)
    answers = {
        "results": organiser.get(f"/workspace/assemblies/{room.slug}/results").content,
        "map": organiser.get(f"/workspace/assemblies/{room.slug}/map").content,
        "csv": b"".join(
            organiser.get(f"/workspace/assemblies/{room.slug}/results.csv").streaming_content
        ),
        "screen": Client().get(f"/a/{room.slug}/screen?key={key}").content,
        "participant": participant(room, room.codes[0]).get(f"/a/{room.slug}/results").content,
        "api": organiser.get(f"/api/v1/assemblies/{room.slug}/results").content,
    }
    pdf = organiser.get(f"/workspace/assemblies/{room.slug}/results.pdf").content
    pypdf = pytest.importorskip("pypdf")
    answers["pdf"] = "\n".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages
    ).encode()
    ballot_keys = list(Ballot.objects.values_list("key", flat=True))
    for door, body in answers.items():
        text = body.decode()
        assert "Nr0" not in text and "Surname" not in text, door
        assert not any(k in text for k in ballot_keys), door
        assert not any(code in text for code in room.codes), door
    data = json.loads(answers["api"])
    for group in data["groups"]:
        assert set(group) == {"name", "size", "representative", "clauses"}
        for clause in group["clauses"]:
            assert set(clause) == {"id", "stance", "share", "others"}


def test_the_chart_is_well_formed_and_escapes_the_title(room):
    statement = room.texts.get(statement__slug="draft-a").statement
    statement.title = "<script>alert(1)</script> & co"
    statement.save()
    from undersign.assemblies.charts import text_chart

    text = results.compute_results(room)["texts"][0]
    svg = str(text_chart(text))
    tree = ET.fromstring(svg)  # noqa: S314 (our own SVG)
    assert tree.tag.endswith("svg")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    rects = [r for r in tree.iter() if r.tag.endswith("rect")]
    titles = [t.text for t in tree.iter() if t.tag.endswith("title")]
    # The text's bar (support, oppose) and three clauses' (A1: agree only; A2, A3: both),
    # each segment with its count; then the legend's three swatches.
    assert len(rects) == 2 + 1 + 2 + 2 + 3
    assert "Text Support: 12 (50%)" in titles and "1. Agree: 24 (100%)" in titles
