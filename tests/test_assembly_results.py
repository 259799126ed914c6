"""An assembly's results: tallies online, on paper and both, turnout, and the consensus map
of a room whose participants fall into two known camps."""

import pytest

from tests.assemblies import clause_ids, codes_for, make_assembly
from undersign.assemblies import ballots, results, services, tallies
from undersign.assemblies.models import Assembly

# Two texts of three clauses. Camp X backs draft A, camp Y draft B; both want the prisoners
# released (A1 and B2 say the same thing) - the rest divides them.
CAMP_X = {
    "texts": ("support", "oppose"),
    "a": ("agree",) * 3,
    "b": ("disagree", "agree", "disagree"),
}
CAMP_Y = {
    "texts": ("oppose", "support"),
    "a": ("agree", "disagree", "disagree"),
    "b": ("agree",) * 3,
}
PER_CAMP = 12


def vote(assembly: Assembly, code: str, camp: dict, *, skip_texts: bool = False) -> None:
    a, b = clause_ids(assembly, "draft-a"), clause_ids(assembly, "draft-b")
    text_ids = list(assembly.texts.order_by("position").values_list("pk", flat=True))
    ballots.record_positions(
        assembly,
        code,
        texts={} if skip_texts else dict(zip(text_ids, camp["texts"], strict=True)),
        clauses={
            **dict(zip(a, camp["a"], strict=True)),
            **dict(zip(b, camp["b"], strict=True)),
        },
    )


def two_camp_room(team, *, absent: int = 0, labels: bool = False, secret: bool = True):
    assembly = make_assembly(team, secret=secret)
    n = 2 * PER_CAMP + absent
    if labels:
        names = [f"Person Nr{i:03d} Surname" for i in range(n)]
        codes = [c.code for c in services.generate_codes(assembly, labels=names)]
    else:
        codes = codes_for(assembly, n)
    for i, code in enumerate(codes[: 2 * PER_CAMP]):
        vote(assembly, code, CAMP_X if i % 2 == 0 else CAMP_Y)
    return assembly, codes


def ids(assembly, *refs: str) -> set[int]:
    """Clause ids from refs like "a1", "b3"."""
    found = set()
    for ref in refs:
        found.add(clause_ids(assembly, f"draft-{ref[0]}")[int(ref[1]) - 1])
    return found


@pytest.fixture
def room(team, owner):
    assembly, _ = two_camp_room(team)
    return assembly


def test_it_finds_the_two_camps_and_the_clauses_that_unite_and_divide_them(room):
    data = results.assembly_results(room)
    assert [g["size"] for g in data["groups"]] == [PER_CAMP, PER_CAMP]
    assert set(data["unite"]) == ids(room, "a1", "b2")
    assert set(data["divide"]) == ids(room, "a2", "a3", "b1", "b3")
    # Each group is set apart by its camp's positions: one agrees with A2, A3 and rejects
    # B1, B3; the other the reverse.
    seen = []
    for group in data["groups"]:
        stances = {c["id"]: c["stance"] for c in group["clauses"]}
        assert set(group["representative"]) == set(stances) <= ids(room, "a2", "a3", "b1", "b3")
        assert stances
        backs_a = {
            (cid in ids(room, "a2", "a3")) == (stance == "agree") for cid, stance in stances.items()
        }
        assert len(backs_a) == 1
        seen.append(backs_a.pop())
    assert sorted(seen) == [False, True]


def test_it_counts_texts_and_clauses_and_turnout(team):
    assembly, _ = two_camp_room(team, absent=6)
    data = results.assembly_results(assembly)
    assert data["participants"] == 30
    assert data["voted"] == 24
    assert data["turnout"] == 0.8
    a, _ = data["texts"]
    assert (a["slug"], a["title"]) == ("draft-a", "Draft A: on political prisoners")
    assert (a["support"], a["oppose"], a["abstain"]) == (12, 12, 0)
    assert a["online"] == a["both"] == {"support": 12, "oppose": 12, "abstain": 0}
    assert a["paper"] == {"support": 0, "oppose": 0, "abstain": 0}
    first, second, _ = a["clauses"]
    assert (first["number"], first["agree"], first["disagree"], first["pass"]) == (1, 24, 0, 0)
    assert (second["agree"], second["disagree"], second["agree_share"]) == (12, 12, 0.5)
    assert first["id"] == clause_ids(assembly, "draft-a")[0]


def test_it_adds_the_paper_tallies(team, owner):
    assembly, _ = two_camp_room(team)
    text = assembly.texts.get(statement__slug="draft-a")
    clause = text.statement.clauses.get(number=2)
    tallies.enter_paper_tallies(
        text,
        [
            tallies.Counts(None, {"support": 30, "oppose": 5, "abstain": 2}),
            tallies.Counts(clause, {"agree": 20, "disagree": 1, "pass_count": 3}),
        ],
        actor=owner,
    )
    # Entered a moment after the results were last read: they show at once.
    a = results.assembly_results(assembly)["texts"][0]
    assert a["paper"] == {"support": 30, "oppose": 5, "abstain": 2}
    assert (a["support"], a["oppose"], a["abstain"]) == (42, 17, 2)
    assert a["online"]["support"] == 12
    c = a["clauses"][1]
    assert c["online"] == {"agree": 12, "disagree": 12, "pass": 0}
    assert c["paper"] == {"agree": 20, "disagree": 1, "pass": 3}
    assert (c["agree"], c["disagree"], c["pass"], c["seen"]) == (32, 13, 3, 48)
    paper_only = results.counted(results.assembly_results(assembly), "paper")
    assert paper_only["texts"][0]["support"] == 30
    assert paper_only["texts"][0]["clauses"][1]["agree_share"] == round(20 / 24, 4)


def test_it_shows_new_positions_within_seconds_and_closing_at_once(team, owner):
    assembly, codes = two_camp_room(team, absent=1)
    assert results.assembly_results(assembly)["voted"] == 24
    vote(assembly, codes[-1], CAMP_X)
    assert results.assembly_results(assembly)["voted"] == 24  # from the cache
    services.close_voting(assembly, actor=owner)  # closing changes the key
    assert results.assembly_results(assembly)["voted"] == 25


def test_it_reads_the_positions_in_a_few_queries_whatever_the_room(
    team, django_assert_max_num_queries
):
    assembly, _ = two_camp_room(team)
    with django_assert_max_num_queries(10):
        results.compute_results(assembly)


def test_it_summarises_a_text_for_the_campaign(room):
    text = room.texts.get(statement__slug="draft-b")
    summary = results.text_summary(room, text)
    assert (summary["support"], summary["oppose"], summary["abstain"]) == (12, 12, 0)
    assert summary["participants"] == 24 and summary["turnout"] == 1.0
    assert [c["id"] for c in summary["unite"]] == list(ids(room, "b2"))
    assert {c["number"] for c in summary["divide"]} == {1, 3}
    assert summary["unite"][0]["text"] == "Release all political prisoners."


def test_it_shows_linked_clauses_as_one_set(room, owner):
    a1, b2 = (
        room.texts.get(statement__slug=s).statement.clauses.get(number=n)
        for s, n in (("draft-a", 1), ("draft-b", 2))
    )
    tallies.link_clauses(room, b2, a1, actor=owner)
    assert results.assembly_results(room)["links"] == [[a1.pk, b2.pk]]


def test_it_has_nothing_to_say_about_an_empty_room(team):
    assembly = make_assembly(team, opened=False)
    data = results.assembly_results(assembly)
    assert data["participants"] == 0 and data["turnout"] is None
    assert data["groups"] == [] and data["unite"] == [] and data["divide"] == []
    assert all(c["seen"] == 0 for t in data["texts"] for c in t["clauses"])


def test_it_writes_a_csv_that_spreadsheets_read_as_text(room):
    statement = room.texts.get(statement__slug="draft-a").statement
    statement.title = '=HYPERLINK("http://evil")'
    statement.save()
    lines = list(results.results_csv(room))
    assert lines[0].startswith("text,title,clause_id,clause_number,clause,support,")
    assert "group_A_agree_share,group_B_agree_share" in lines[0]
    assert len(lines) == 1 + 2 + 6
    assert "'=HYPERLINK" in lines[1]
    assert lines[2].startswith("draft-a,,")
