"""The consensus map's arithmetic on synthetic rooms whose structure is known."""

import numpy as np

from undersign.assemblies import consensus
from undersign.assemblies.consensus import AGREE, DISAGREE, PASS, Counts


def two_camps(per_camp=30, noise=0.1, unseen=0.0, seed=0):
    """Clauses 0-4: camp A agrees, camp B disagrees; 5-9 the other way round; 10-14 everyone
    agrees; 15-19 at random. Rows alternate between the camps."""
    rng = np.random.default_rng(seed)
    n, c = 2 * per_camp, 20
    camp = np.arange(n) % 2
    stance = np.zeros((n, c))
    stance[:, 0:5] = np.where(camp[:, None] == 0, AGREE, DISAGREE)
    stance[:, 5:10] = np.where(camp[:, None] == 0, DISAGREE, AGREE)
    stance[:, 10:15] = AGREE
    stance[:, 15:20] = rng.choice([AGREE, DISAGREE, PASS], size=(n, 5))
    flip = rng.random((n, c)) < noise
    stance[flip] = rng.choice([AGREE, DISAGREE, PASS], size=flip.sum())
    stance[rng.random((n, c)) < unseen] = np.nan
    return stance, camp


def test_it_finds_two_camps_and_what_unites_and_divides_them():
    positions, _ = two_camps()
    result = consensus.consensus_map(positions)
    assert [g.size for g in result.groups] == [30, 30]
    assert result.silhouette is not None and result.silhouette > 0.5
    assert set(result.unite) == set(range(10, 15))
    # The camps' clauses divide most; a clause voted at random may split the room too.
    assert set(result.divide[:10]) == set(range(10))
    assert set(result.divide[10:]) <= set(range(15, 20))
    camps = []
    for group in result.groups:
        reps = group.representative
        assert 1 <= len(reps) <= consensus.REPRESENTATIVE_PER_GROUP
        for r in reps:
            assert r.share > 0.7 and r.others < 0.3
        # Each group is set apart by its camp's stances: A agrees with 0-4, rejects 5-9.
        as_a = {(r.clause < 5) == (r.stance == "agree") for r in reps if r.clause < 10}
        assert len(as_a) == 1 and all(r.clause < 10 for r in reps)
        camps.append(as_a.pop())
    assert sorted(camps) == [False, True]


def test_it_labels_every_member_of_a_camp_alike():
    positions, camp = two_camps(per_camp=40, noise=0.15, unseen=0.3, seed=3)
    labels, score = consensus.opinion_groups(positions)
    assert score is not None
    # The labels agree with the camps up to renaming.
    same = (labels == camp).mean()
    assert max(same, 1 - same) == 1.0


def test_it_is_deterministic():
    positions, _ = two_camps(seed=5)
    a = consensus.consensus_map(positions)
    b = consensus.consensus_map(positions.copy())
    assert [(g.size, g.representative) for g in a.groups] == [
        (g.size, g.representative) for g in b.groups
    ]
    assert (a.unite, a.divide) == (b.unite, b.divide)


def test_it_sees_one_group_in_a_room_voting_at_random():
    rng = np.random.default_rng(7)
    positions = rng.choice([AGREE, DISAGREE, PASS], size=(200, 30))
    result = consensus.consensus_map(positions)
    assert len(result.groups) == 1
    assert result.groups[0].size == 200
    assert result.silhouette is None


def test_it_sees_one_group_when_everybody_agrees():
    positions = np.full((12, 6), AGREE)
    result = consensus.consensus_map(positions)
    assert [g.size for g in result.groups] == [12]
    assert result.unite == list(range(6))
    assert result.divide == []
    assert {r.stance for r in result.groups[0].representative} == {"agree"}


def test_it_needs_enough_people_for_groups():
    # Five people in two camps: a group of two would show how those two voted.
    positions = np.array([[AGREE, DISAGREE, AGREE]] * 3 + [[DISAGREE, AGREE, AGREE]] * 2)
    labels, score = consensus.opinion_groups(positions)
    assert score is None and set(labels) == {0}


def test_it_leaves_out_of_groups_who_gave_too_few_positions():
    positions, _ = two_camps()
    positions[0, :] = np.nan
    positions[0, 3] = AGREE
    labels, _ = consensus.opinion_groups(positions)
    assert labels[0] == -1
    result = consensus.consensus_map(positions)
    assert sum(g.size for g in result.groups) == len(positions) - 1
    assert result.clustered == len(positions) - 1


def test_it_finds_the_room_split_without_groups():
    # Half agree, half disagree on clause 0, but no camp: the other clauses are random.
    rng = np.random.default_rng(11)
    positions = rng.choice([AGREE, DISAGREE, PASS], size=(100, 10))
    positions[:, 0] = np.where(rng.random(100) < 0.5, AGREE, DISAGREE)
    positions[:, 1] = AGREE
    result = consensus.consensus_map(positions)
    assert len(result.groups) == 1
    assert 0 in result.divide and 1 not in result.divide
    assert result.unite == [1]


def test_it_ignores_clauses_too_few_saw():
    positions, _ = two_camps()
    positions[:, 12] = np.nan
    positions[:3, 12] = AGREE
    result = consensus.consensus_map(positions)
    assert 12 not in result.unite


def test_it_lets_the_paper_ballots_veto_unity():
    positions, _ = two_camps()
    n = positions.shape[1]
    paper = Counts(np.zeros(n), np.zeros(n), np.zeros(n))
    paper.disagree[10] = 40
    paper.agree[11] = 40
    result = consensus.consensus_map(positions, paper)
    assert 10 not in result.unite
    assert {11, 12, 13, 14} <= set(result.unite)
    # Unity on paper alone adds the clauses without paper counts as before.
    assert set(consensus.consensus_map(positions).unite) == set(range(10, 15))


def test_it_survives_empty_and_degenerate_rooms():
    assert consensus.consensus_map(np.empty((0, 5))).groups == []
    assert consensus.consensus_map(np.empty((5, 0))).unite == []
    unseen = np.full((10, 4), np.nan)
    result = consensus.consensus_map(unseen)
    assert result.groups == [] and result.unite == [] and result.divide == []
    one_clause = np.array([[AGREE]] * 10 + [[DISAGREE]] * 10)
    result = consensus.consensus_map(one_clause)
    assert len(result.groups) == 1 and result.divide == [0]
