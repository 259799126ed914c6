"""The consensus map's arithmetic: pure functions over a positions matrix.

A positions matrix has one row per ballot and one column per clause: +1 agree, -1 disagree,
0 pass, NaN not seen. Nothing here knows who a row is; callers pass rows in an order that
means nothing (the ballot's id), and what comes back about groups is their size and the
clauses that set them apart, never their members.

Following Polis (Small et al., "Polis: Scaling deliberation", 2021, and its math code):
- opinion groups: unseen positions imputed by the clause's mean, two principal components,
  each row's projection stretched by √(clauses / positions it gave) so that a participant who
  answered few clauses is not pulled into the centre; k-means for k = 2…5, the k with the best
  silhouette score, or a single group when no split is clear (see SILHOUETTE_MIN);
- representative clauses ("repness"): where a group's agreement (or disagreement) differs most,
  and significantly, from everybody else's;
- clauses that unite: every group agrees (group-aware consensus: the product of each group's
  smoothed agreement ranks them);
- clauses that divide: one group agrees while another disagrees, or the room splits.
"""

from dataclasses import dataclass, field

import numpy as np

AGREE, DISAGREE, PASS = 1.0, -1.0, 0.0

# A share of the room means little below this many positions on a clause.
MIN_VOTES = 5
# A group's share on a clause counts once this many of its members gave a position on it.
MIN_GROUP_VOTES = 3
# Clustering uses the participants who took a position on at least this many clauses (all of
# them when there are fewer clauses): a row of one answer, imputed, is mostly noise.
MIN_POSITIONS = 3
# Smallest opinion group: a group of one or two is a couple of outliers, and its
# representative clauses would show those very people's positions. Also at least 5% of the room.
MIN_GROUP_SIZE = 3
MIN_GROUP_SHARE = 0.05
MAX_GROUPS = 5
# k-means always splits; the silhouette says whether the split is real. On this projection
# votes cast at random score 0.32–0.47 (more for small rooms), two camps with 30% noise
# 0.53–0.92 (measured with 20 to 500 participants, 10 to 200 clauses). Below 0.5: one group.
SILHOUETTE_MIN = 0.5
# "Agrees" / "disagrees": a (smoothed) share of at least 60% of those who saw the clause.
MAJORITY = 0.6
# The room splits when at least 30% agree and at least 30% disagree.
SPLIT = 0.3
# One-sided 90% significance, as Polis uses for representative clauses.
Z_90 = 1.2816
REPRESENTATIVE_PER_GROUP = 5


@dataclass(frozen=True)
class Counts:
    """Per clause: how many agreed, disagreed, passed (a row per group, or one row)."""

    agree: np.ndarray
    disagree: np.ndarray
    passed: np.ndarray

    @property
    def seen(self) -> np.ndarray:
        return self.agree + self.disagree + self.passed

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(
            self.agree + other.agree, self.disagree + other.disagree, self.passed + other.passed
        )


@dataclass(frozen=True)
class Representative:
    clause: int  # column index
    stance: str  # "agree" or "disagree"
    share: float  # of the group taking that stance
    others: float  # of everybody else taking it


@dataclass
class Group:
    size: int
    representative: list[Representative]
    counts: Counts  # per clause, this group's positions


@dataclass
class ConsensusMap:
    groups: list[Group]
    unite: list[int]  # column indices, strongest first
    divide: list[int]
    silhouette: float | None = None  # of the chosen split; None with one group
    clustered: int = 0  # participants who gave enough positions to be placed in a group
    scores: dict[str, np.ndarray] = field(default_factory=dict)


def counts(positions: np.ndarray) -> Counts:
    """Agree, disagree and pass counts per clause of the whole matrix."""
    return Counts(
        (positions == AGREE).sum(axis=0).astype(float),
        (positions == DISAGREE).sum(axis=0).astype(float),
        (positions == PASS).sum(axis=0).astype(float),
    )


def group_counts(positions: np.ndarray, labels: np.ndarray, k: int) -> list[Counts]:
    """Counts per clause for each label 0…k-1, by one matrix product each."""
    if k == 0:
        return []
    onehot = (labels[None, :] == np.arange(k)[:, None]).astype(float)
    agree = onehot @ (positions == AGREE)
    disagree = onehot @ (positions == DISAGREE)
    passed = onehot @ (positions == PASS)
    return [Counts(agree[g], disagree[g], passed[g]) for g in range(k)]


def shares(c: Counts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Agree, disagree and pass shares of those who saw each clause (0 where nobody did)."""
    seen = c.seen
    with np.errstate(invalid="ignore", divide="ignore"):
        return tuple(np.where(seen > 0, x / seen, 0.0) for x in (c.agree, c.disagree, c.passed))  # type: ignore[return-value]


def _smoothed(successes: np.ndarray, seen: np.ndarray) -> np.ndarray:
    # Laplace's rule: one imagined agree and one imagined disagree, so that three of three
    # is 0.8, not certainty, and a group that never saw a clause sits at 0.5.
    return (successes + 1) / (seen + 2)


def _prop_test(successes: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """z of "more than half", Polis' prop-test."""
    n = seen + 1
    return 2 * np.sqrt(n) * ((successes + 1) / n - 0.5)


def _two_prop_test(s1: np.ndarray, n1: np.ndarray, s2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """z of "share 1 greater than share 2", Polis' two-prop-test (counts plus one)."""
    s1, n1, s2, n2 = s1 + 1, n1 + 1, s2 + 1, n2 + 1
    p1, p2 = s1 / n1, s2 / n2
    p = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(spread > 0, (p1 - p2) / spread, 0.0)


def opinion_groups(positions: np.ndarray) -> tuple[np.ndarray, float | None]:
    """A group label per row (-1: too few positions to place), and the silhouette of the
    split (None when everybody placed is one group, label 0)."""
    n, c = positions.shape
    given = (~np.isnan(positions)).sum(axis=1)
    placed = given >= min(MIN_POSITIONS, max(c, 1))
    labels = np.full(n, -1)
    labels[placed] = 0
    rows = positions[placed]
    m = len(rows)
    min_size = max(MIN_GROUP_SIZE, int(np.ceil(MIN_GROUP_SHARE * m)))
    if c < 2 or m < 2 * min_size:
        return labels, None

    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    seen = ~np.isnan(rows)
    with np.errstate(invalid="ignore"):
        means = np.where(seen.any(axis=0), np.nanmean(np.where(seen, rows, np.nan), axis=0), 0.0)
    filled = np.where(seen, rows, means)
    if np.allclose(filled, filled[0]):
        return labels, None  # everybody placed said the same: one group
    # On a shared two-core server, BLAS and OpenMP threads fight each other and every other
    # process: one thread is several times faster for matrices this size.
    with threadpool_limits(limits=1):
        projected = PCA(n_components=2, svd_solver="full").fit_transform(filled)
        projected *= np.sqrt(c / seen.sum(axis=1))[:, None]
        best: tuple[float, np.ndarray] | None = None
        distinct = len(np.unique(projected.round(9), axis=0))
        for k in range(2, min(MAX_GROUPS, m // min_size, distinct) + 1):
            found = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(projected)
            if np.bincount(found, minlength=k).min() < min_size:
                continue
            score = float(silhouette_score(projected, found))
            if best is None or score > best[0] + 1e-9:
                best = (score, found)
    if best is None or best[0] < SILHOUETTE_MIN:
        return labels, None
    score, found = best
    # Groups numbered by size, largest first, then by their place on the first component,
    # so the same votes give the same letters whatever order k-means found them in.
    k = int(found.max()) + 1
    order = sorted(range(k), key=lambda g: (-(found == g).sum(), projected[found == g, 0].mean()))
    rename = np.empty(k, dtype=int)
    rename[order] = np.arange(k)
    labels[placed] = rename[found]
    return labels, score


def representative(group: Counts, others: Counts) -> list[Representative]:
    """The clauses on which the group stands apart from everybody else, strongest first.

    For each clause and each stance (agree, disagree): the group's smoothed share p, the
    others' share q, the ratio r = p / q; kept when the group takes the stance significantly
    more than half the time and significantly more often than the others (both one-sided
    z > 1.2816, 90%), and at least MIN_GROUP_VOTES members saw the clause; ranked by Polis'
    r · z(p vs q) · p · z(p > ½). A clause appears once, with its stronger stance."""
    seen, other_seen = group.seen, others.seen
    best_metric = np.full(len(seen), -np.inf)
    stance = np.zeros(len(seen), dtype=int)
    for s, (mine, theirs) in enumerate(
        ((group.agree, others.agree), (group.disagree, others.disagree))
    ):
        p = _smoothed(mine, seen)
        q = _smoothed(theirs, other_seen)
        z_majority = _prop_test(mine, seen)
        z_apart = _two_prop_test(mine, seen, theirs, other_seen)
        metric = (p / q) * z_apart * p * z_majority
        ok = (z_majority > Z_90) & (z_apart > Z_90) & (seen >= MIN_GROUP_VOTES)
        metric = np.where(ok, metric, -np.inf)
        better = metric > best_metric
        best_metric = np.where(better, metric, best_metric)
        stance = np.where(better, s, stance)
    return _top(group, others, best_metric, stance)


def majority(group: Counts) -> list[Representative]:
    """With a single group there is nobody to stand apart from: its clearest majorities."""
    seen = group.seen
    best_metric = np.full(len(seen), -np.inf)
    stance = np.zeros(len(seen), dtype=int)
    for s, mine in enumerate((group.agree, group.disagree)):
        p = _smoothed(mine, seen)
        z = _prop_test(mine, seen)
        ok = (z > Z_90) & (seen >= MIN_GROUP_VOTES) & (p >= MAJORITY)
        metric = np.where(ok, p * z, -np.inf)
        better = metric > best_metric
        best_metric = np.where(better, metric, best_metric)
        stance = np.where(better, s, stance)
    empty = Counts(*(np.zeros_like(seen) for _ in range(3)))
    return _top(group, empty, best_metric, stance)


def _top(group: Counts, others: Counts, metric: np.ndarray, stance: np.ndarray):
    candidates = np.flatnonzero(np.isfinite(metric))
    # Stable: ties go to the earlier column (the earlier clause on the ballot).
    chosen = candidates[np.argsort(-metric[candidates], kind="stable")][:REPRESENTATIVE_PER_GROUP]
    g_agree, g_disagree, _ = shares(group)
    o_agree, o_disagree, _ = shares(others)
    return [
        Representative(
            clause=int(i),
            stance="agree" if stance[i] == 0 else "disagree",
            share=float((g_agree if stance[i] == 0 else g_disagree)[i]),
            others=float((o_agree if stance[i] == 0 else o_disagree)[i]),
        )
        for i in chosen
    ]


def unite(
    room: Counts, groups: list[Counts], paper: Counts | None = None
) -> tuple[list[int], np.ndarray]:
    """Clauses every group agrees with (each group's smoothed agreement ≥ MAJORITY), seen by
    at least MIN_VOTES people; ranked by the product of the groups' agreement (Polis'
    group-aware consensus). The paper ballots, where a clause has any, must agree too."""
    consensus = np.ones(len(room.seen))
    everyone = np.ones(len(room.seen), dtype=bool)
    for g in groups:
        p = _smoothed(g.agree, g.seen)
        consensus *= p
        everyone &= p >= MAJORITY
    if paper is not None:
        counted = paper.seen > 0
        p = _smoothed(paper.agree, paper.seen)
        consensus *= np.where(counted, p, 1.0)
        everyone &= ~counted | (p >= MAJORITY)
    ok = everyone & (room.seen >= MIN_VOTES)
    chosen = np.flatnonzero(ok)
    return [int(i) for i in chosen[np.argsort(-consensus[chosen], kind="stable")]], consensus


def divide(room: Counts, groups: list[Counts]) -> tuple[list[int], np.ndarray]:
    """Clauses one group agrees with while another disagrees (smoothed shares ≥ MAJORITY,
    each group with MIN_GROUP_VOTES positions on it), or on which the whole room splits (at
    least SPLIT agree and SPLIT disagree); seen by at least MIN_VOTES people. Ranked by the
    gap between the groups' agreement, or the evenness of the room's split."""
    agree, disagree, _ = shares(room)
    split = 2 * np.minimum(agree, disagree)
    room_splits = (agree >= SPLIT) & (disagree >= SPLIT)
    gap = np.zeros(len(room.seen))
    between = np.zeros(len(room.seen), dtype=bool)
    if len(groups) >= 2:
        enough = np.array([g.seen >= MIN_GROUP_VOTES for g in groups])
        pa = np.array([_smoothed(g.agree, g.seen) for g in groups])
        pd = np.array([_smoothed(g.disagree, g.seen) for g in groups])
        some_agree = ((pa >= MAJORITY) & enough).any(axis=0)
        some_disagree = ((pd >= MAJORITY) & enough).any(axis=0)
        between = some_agree & some_disagree
        highest = np.where(enough, pa, -np.inf).max(axis=0)
        lowest = np.where(enough, pa, np.inf).min(axis=0)
        gap = np.where(enough.sum(axis=0) >= 2, highest - lowest, 0.0)
    score = np.where(between, np.maximum(gap, split), split)
    ok = (between | room_splits) & (room.seen >= MIN_VOTES)
    chosen = np.flatnonzero(ok)
    return [int(i) for i in chosen[np.argsort(-score[chosen], kind="stable")]], score


def consensus_map(positions: np.ndarray, paper: Counts | None = None) -> ConsensusMap:
    """Opinion groups with their representative clauses, and the clauses that unite and
    divide the room. `paper` adds the paper ballots' counts per clause: they join the room's
    totals and, for "unite", count as one more group (the room's paper voters must agree too);
    paper ballots have no rows, so they join no opinion group."""
    labels, silhouette = opinion_groups(positions)
    placed = labels >= 0
    k = int(labels.max()) + 1 if placed.any() else 0
    room = counts(positions)
    per_group = group_counts(positions, labels, k)
    if k >= 2:
        groups = [
            Group(int((labels == g).sum()), representative(c, room_minus(room, c)), c)
            for g, c in enumerate(per_group)
        ]
    elif k == 1:
        groups = [Group(int(placed.sum()), majority(per_group[0]), per_group[0])]
    else:
        groups = []
    total = room + paper if paper is not None else room
    voters = [g.counts for g in groups] or [room]
    united, consensus = unite(total, voters, paper)
    divided, divisive = divide(total, [g.counts for g in groups])
    return ConsensusMap(
        groups=groups,
        unite=united,
        divide=divided,
        silhouette=silhouette,
        clustered=int(placed.sum()),
        scores={"consensus": consensus, "divisive": divisive},
    )


def room_minus(room: Counts, group: Counts) -> Counts:
    return Counts(
        room.agree - group.agree, room.disagree - group.disagree, room.passed - group.passed
    )
