"""An assembly's results: tallies per text and per clause (online, on paper, both), turnout,
and the consensus map (opinion groups, the clauses that unite and divide the room).

Everything is read in a handful of queries whatever the number of participants, and kept in
the cache for a few seconds: the projector asks every ten seconds, organisers reload.
What comes out is aggregates only: counts, shares, group sizes and clause ids, never a
ballot, a participant or a group's members.
"""

import csv
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Max, Value, When
from django.utils.crypto import constant_time_compare, salted_hmac

from undersign.assemblies import consensus
from undersign.assemblies.charts import mini_bar
from undersign.assemblies.models import (
    Assembly,
    AssemblyText,
    ClauseLink,
    ClausePosition,
    PaperTally,
    Participant,
    TextPosition,
)
from undersign.organisers.services import log_action
from undersign.signatures.exporters import spreadsheet_cell
from undersign.statements.models import Clause

CACHE_SECONDS = 5
TEXT_VALUES = ("support", "oppose", "abstain")
CLAUSE_VALUES = ("agree", "disagree", "pass")
_NUMERIC = {"agree": consensus.AGREE, "disagree": consensus.DISAGREE, "pass": consensus.PASS}
GROUP_NAMES = "ABCDEFGHIJ"


def _cache_key(assembly: Assembly) -> str:
    """Changes with what organisers change (status, paper tallies, links), so those show at
    once; new positions show within CACHE_SECONDS."""
    tallies = PaperTally.objects.filter(assembly=assembly).aggregate(
        n=Count("id"), last=Max("entered_at")
    )
    links = ClauseLink.objects.filter(assembly=assembly).aggregate(n=Count("id"), last=Max("id"))
    last = tallies["last"].timestamp() if tallies["last"] else 0
    version = f"{assembly.status}:{tallies['n']}:{last}:{links['n']}:{links['last']}"
    return f"undersign:assembly-results:{assembly.pk}:{version}"


def projector_key(assembly: Assembly) -> str:
    """The secret in the projector's address (/a/<slug>/screen?key=...): derived from
    SECRET_KEY and the assembly, so it needs no column; whoever holds it reads the results
    (aggregates only) while voting is open. Changing SECRET_KEY changes every key."""
    return salted_hmac(
        "undersign.assemblies.projector", str(assembly.pk), algorithm="sha256"
    ).hexdigest()[:32]


def is_projector_key(assembly: Assembly, key: str | None) -> bool:
    return bool(key) and constant_time_compare(projector_key(assembly), key or "")


def assembly_results(assembly: Assembly) -> dict[str, Any]:
    """The results as plain data (the API's JSON), from the cache when a few seconds fresh.

    `participants`: codes not revoked; `voted`: ballots with at least one position;
    `turnout`: voted / participants (online; paper voters are counted in the paper tallies).
    Per text: `support`, `oppose`, `abstain` of online and paper together, and `online`,
    `paper`, `both` apart; per clause the same with `agree`, `disagree`, `pass`, and each
    opinion group's shares. `groups`: sizes and representative clauses; `unite`/`divide`:
    clause ids, strongest first; `links`: sets of clause ids organisers marked as the same.
    """
    key = _cache_key(assembly)
    results = cache.get(key)
    if results is None:
        results = compute_results(assembly)
        cache.set(key, results, CACHE_SECONDS)
    return results


def compute_results(assembly: Assembly) -> dict[str, Any]:
    texts = list(
        AssemblyText.objects.filter(assembly=assembly)
        .select_related("statement")
        .order_by("position", "id")
    )
    statement_ids = [t.statement_id for t in texts]
    clause_rows = list(
        Clause.objects.filter(statement_id__in=statement_ids)
        .order_by("number")
        .values_list("id", "statement_id", "number", "text")
    )
    by_statement: dict[int, list[tuple[int, int, str]]] = {}
    for clause_id, statement_id, number, wording in clause_rows:
        by_statement.setdefault(statement_id, []).append((clause_id, number, wording))
    # Columns of the positions matrix: the texts in ballot order, their clauses by number.
    columns = [c[0] for t in texts for c in by_statement.get(t.statement_id, [])]
    column_of = {clause_id: i for i, clause_id in enumerate(columns)}

    positions, clause_voters = _positions_matrix(assembly, column_of)
    text_counts, text_voters = _text_counts(assembly)
    paper_texts, paper_clauses = _paper(assembly, column_of)
    participants = Participant.objects.filter(assembly=assembly, revoked_at__isnull=True).count()
    voted = len(clause_voters | text_voters)

    found = consensus.consensus_map(positions, paper_clauses)
    online = consensus.counts(positions)
    group_shares = [consensus.shares(g.counts) for g in found.groups]

    def clause_entry(column: int, number: int, wording: str) -> dict[str, Any]:
        on = [int(online.agree[column]), int(online.disagree[column]), int(online.passed[column])]
        pa = [
            int(paper_clauses.agree[column]),
            int(paper_clauses.disagree[column]),
            int(paper_clauses.passed[column]),
        ]
        both = [a + b for a, b in zip(on, pa, strict=True)]
        seen = sum(both)
        entry: dict[str, Any] = {
            "id": columns[column],
            "number": number,
            "text": wording,
            **dict(zip(CLAUSE_VALUES, both, strict=True)),
            "seen": seen,
            "online": dict(zip(CLAUSE_VALUES, on, strict=True)),
            "paper": dict(zip(CLAUSE_VALUES, pa, strict=True)),
            "both": dict(zip(CLAUSE_VALUES, both, strict=True)),
        }
        for value, count in zip(CLAUSE_VALUES, both, strict=True):
            entry[f"{value}_share"] = round(count / seen, 4) if seen else 0.0
        entry["groups"] = [
            {
                "agree_share": round(float(agree[column]), 4),
                "disagree_share": round(float(disagree[column]), 4),
                "seen": int(g.counts.seen[column]),
            }
            for g, (agree, disagree, _) in zip(found.groups, group_shares, strict=True)
        ]
        return entry

    text_entries = []
    for text in texts:
        on = [text_counts[(text.pk, v)] for v in TEXT_VALUES]
        pa = list(paper_texts.get(text.pk, (0, 0, 0)))
        both = [a + b for a, b in zip(on, pa, strict=True)]
        text_entries.append(
            {
                "id": text.pk,
                "slug": text.statement.slug,
                "title": text.statement.title,
                "language": text.statement.language,
                **dict(zip(TEXT_VALUES, both, strict=True)),
                "voted": sum(both),
                "online": dict(zip(TEXT_VALUES, on, strict=True)),
                "paper": dict(zip(TEXT_VALUES, pa, strict=True)),
                "both": dict(zip(TEXT_VALUES, both, strict=True)),
                "clauses": [
                    clause_entry(column_of[clause_id], number, wording)
                    for clause_id, number, wording in by_statement.get(text.statement_id, [])
                ],
            }
        )
    return {
        "assembly": assembly.slug,
        "name": assembly.name,
        "status": assembly.status,
        "secret": assembly.secret,
        "participants": participants,
        "voted": voted,
        "turnout": round(voted / participants, 4) if participants else None,
        "texts": text_entries,
        "groups": [
            {
                "name": GROUP_NAMES[i],
                "size": g.size,
                "representative": [columns[r.clause] for r in g.representative],
                "clauses": [
                    {
                        "id": columns[r.clause],
                        "stance": r.stance,
                        "share": round(r.share, 4),
                        "others": round(r.others, 4),
                    }
                    for r in g.representative
                ],
            }
            for i, g in enumerate(found.groups)
        ],
        "clustered": found.clustered,
        "silhouette": round(found.silhouette, 4) if found.silhouette is not None else None,
        "unite": [columns[i] for i in found.unite],
        "divide": [columns[i] for i in found.divide],
        "links": _linked(assembly, column_of),
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _positions_matrix(assembly: Assembly, column_of: dict[int, int]) -> tuple[np.ndarray, set[int]]:
    """Ballots by clauses (NaN where not seen) from one query, and the ballots that marked
    a clause. Rows are in ballot-id order and nothing keeps the ids beyond this function.

    The rows go straight from the cursor into numpy, values already numbers: read through
    the ORM's iterator, 100,000 positions cost more than all the arithmetic after them."""
    numeric = Case(
        *(When(value=name, then=Value(int(number))) for name, number in _NUMERIC.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    query = (
        ClausePosition.objects.filter(ballot__assembly=assembly)
        .annotate(numeric=numeric)
        .values_list("ballot_id", "clause_id", "numeric")
        .query
    )
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 3)
    clause_ids = np.array(list(column_of), dtype=np.int64)
    columns = np.array(list(column_of.values()), dtype=np.int64)
    order = np.argsort(clause_ids)
    at = np.minimum(np.searchsorted(clause_ids[order], rows[:, 1]), max(len(order) - 1, 0))
    # Positions on a clause of a text since taken off the ballot are left out.
    known = (clause_ids[order][at] == rows[:, 1]) if len(order) else np.zeros(len(rows), bool)
    rows, at = rows[known], at[known]
    ballot_ids, row_of = np.unique(rows[:, 0], return_inverse=True)
    matrix = np.full((len(ballot_ids), len(column_of)), np.nan)
    matrix[row_of, columns[order][at]] = rows[:, 2]
    return matrix, set(ballot_ids.tolist())


def _text_counts(assembly: Assembly) -> tuple[Counter, set[int]]:
    counts: Counter = Counter()
    voters: set[int] = set()
    rows = TextPosition.objects.filter(text__assembly=assembly).values_list(
        "ballot_id", "text_id", "value"
    )
    for ballot_id, text_id, value in rows:
        counts[(text_id, value)] += 1
        voters.add(ballot_id)
    return counts, voters


def _paper(
    assembly: Assembly, column_of: dict[int, int]
) -> tuple[dict[int, tuple[int, int, int]], consensus.Counts]:
    texts: dict[int, tuple[int, int, int]] = {}
    n = len(column_of)
    clauses = consensus.Counts(np.zeros(n), np.zeros(n), np.zeros(n))
    rows = PaperTally.objects.filter(assembly=assembly).values_list(
        "text_id", "clause_id", "support", "oppose", "abstain", "agree", "disagree", "pass_count"
    )
    for text_id, clause_id, support, oppose, abstain, agree, disagree, passed in rows:
        if clause_id is None:
            texts[text_id] = (support, oppose, abstain)
        elif (column := column_of.get(clause_id)) is not None:
            clauses.agree[column] = agree
            clauses.disagree[column] = disagree
            clauses.passed[column] = passed
    return texts, clauses


def _linked(assembly: Assembly, column_of: dict[int, int]) -> list[list[int]]:
    """Clauses linked as saying the same thing, in sets (a = b and b = c: one set of three),
    each in ballot order, the sets by their first clause."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in ClauseLink.objects.filter(assembly=assembly).values_list("a_id", "b_id"):
        if a in column_of and b in column_of:
            parent[root(a)] = root(b)
    sets: dict[int, list[int]] = {}
    for clause_id in parent:
        sets.setdefault(root(clause_id), []).append(clause_id)
    linked = [sorted(s, key=column_of.__getitem__) for s in sets.values() if len(s) > 1]
    return sorted(linked, key=lambda s: column_of[s[0]])


def clause_index(results: dict[str, Any]) -> dict[int, tuple[dict[str, Any], dict[str, Any]]]:
    """Clause id → (its text's entry, its own entry) in `results`."""
    return {c["id"]: (t, c) for t in results["texts"] for c in t["clauses"]}


PARTS = ("both", "online", "paper")


def counted(results: dict[str, Any], part: str) -> dict[str, Any]:
    """`results` with every text's and clause's top-level counts and shares taken from one
    part of the room ("online", "paper" or "both"), for pages and charts that show one."""
    if part not in PARTS or part == "both":
        return results

    def clause(c: dict[str, Any]) -> dict[str, Any]:
        counts = c[part]
        seen = sum(counts.values())
        shares = {f"{v}_share": round(counts[v] / seen, 4) if seen else 0.0 for v in counts}
        return {**c, **counts, **shares, "seen": seen}

    texts = [
        {
            **t,
            **t[part],
            "voted": sum(t[part].values()),
            "clauses": [clause(c) for c in t["clauses"]],
        }
        for t in results["texts"]
    ]
    return {**results, "texts": texts, "part": part}


def marks(results: dict[str, Any]) -> dict[int, str]:
    """Clause id → "unite" or "divide" (or nothing) on the map."""
    found = {cid: "divide" for cid in results["divide"]}
    found.update({cid: "unite" for cid in results["unite"]})
    return found


def consensus_view(results: dict[str, Any]) -> dict[str, Any]:
    """What the map shows, each clause with its text's title and a small bar of its shares:
    the groups with their representative clauses, the clauses that unite and divide (linked
    clauses together, under "also"), linked clauses side by side, and every clause."""
    index = clause_index(results)
    found = marks(results)

    def clause(cid: int) -> dict[str, Any]:
        text, c = index[cid]
        return {
            **c,
            "text_title": text["title"],
            "bar": mini_bar(c),
            "mark": found.get(cid, ""),
            "groups": [{**g, "name": GROUP_NAMES[i]} for i, g in enumerate(c["groups"])],
        }

    link_of = {cid: i for i, linked in enumerate(results["links"]) for cid in linked}

    def collapsed(ids: list[int]) -> list[dict[str, Any]]:
        # Linked clauses say the same thing: one entry, the others under "also".
        entries: list[dict[str, Any]] = []
        first: dict[int, dict[str, Any]] = {}
        for cid in ids:
            linked = link_of.get(cid)
            if linked is not None and linked in first:
                first[linked]["also"].append(clause(cid))
                continue
            entry = {**clause(cid), "also": []}
            if linked is not None:
                first[linked] = entry
            entries.append(entry)
        return entries

    return {
        "groups": [
            {
                **g,
                "items": [
                    {
                        **clause(r["id"]),
                        "stance": r["stance"],
                        "group_share": r["share"],
                        "others": r["others"],
                    }
                    for r in g["clauses"]
                ],
            }
            for g in results["groups"]
        ],
        "unite": collapsed(results["unite"]),
        "divide": collapsed(results["divide"]),
        "links": [[clause(cid) for cid in linked] for linked in results["links"]],
        "everything": [clause(c["id"]) for t in results["texts"] for c in t["clauses"]],
    }


def text_summary(assembly: Assembly, text: AssemblyText) -> dict[str, Any]:
    """The room's verdict on one text, short: how many supported, opposed, abstained (online
    and paper together, and apart), turnout, and which of its clauses united or divided the
    room. For the campaign step and the statement's public page."""
    results = assembly_results(assembly)
    entry = next((t for t in results["texts"] if t["id"] == text.pk), None)
    if entry is None:
        raise ValueError(f"text {text.pk} is not on the ballot of {assembly.slug}")
    clauses = {c["id"]: c for c in entry["clauses"]}

    def brief(ids: list[int]) -> list[dict[str, Any]]:
        return [
            {k: clauses[i][k] for k in ("id", "number", "text", "agree_share", "disagree_share")}
            for i in ids
            if i in clauses
        ]

    return {
        "assembly": results["assembly"],
        "name": results["name"],
        "slug": entry["slug"],
        "title": entry["title"],
        "participants": results["participants"],
        "turnout": results["turnout"],
        **{v: entry[v] for v in (*TEXT_VALUES, "voted", "online", "paper")},
        "clauses": len(entry["clauses"]),
        "unite": brief(results["unite"]),
        "divide": brief(results["divide"]),
    }


CSV_COLUMNS = [
    "text",
    "title",
    "clause_id",
    "clause_number",
    "clause",
    *TEXT_VALUES,
    *CLAUSE_VALUES,
    *(f"online_{v}" for v in (*TEXT_VALUES, *CLAUSE_VALUES)),
    *(f"paper_{v}" for v in (*TEXT_VALUES, *CLAUSE_VALUES)),
    "agree_share",
    "disagree_share",
    "map",
]


def results_csv(assembly: Assembly) -> Iterator[str]:
    """The results as CSV lines: a row per text, then a row per clause of it, with a column
    per opinion group (its agreement share). Every cell through the spreadsheet guard."""

    class Line:
        def write(self, value: str) -> str:
            return value

    results = assembly_results(assembly)
    writer = csv.writer(Line())
    groups = [f"group_{g['name']}_agree_share" for g in results["groups"]]
    unite, divide = set(results["unite"]), set(results["divide"])

    def line(row: dict[str, Any], shares: list[Any]) -> str:
        cells = [row.get(c, "") for c in CSV_COLUMNS] + shares
        return writer.writerow([spreadsheet_cell(cell) for cell in cells])  # type: ignore[func-returns-value]

    yield line(dict(zip(CSV_COLUMNS, CSV_COLUMNS, strict=True)), groups)
    for text in results["texts"]:
        row: dict[str, Any] = {"text": text["slug"], "title": text["title"]}
        for value in TEXT_VALUES:
            row[value] = text[value]
            row[f"online_{value}"] = text["online"][value]
            row[f"paper_{value}"] = text["paper"][value]
        yield line(row, [""] * len(groups))
        for clause in text["clauses"]:
            cid = clause["id"]
            row = {
                "text": text["slug"],
                "clause_id": cid,
                "clause_number": clause["number"],
                "clause": clause["text"],
                "agree_share": clause["agree_share"],
                "disagree_share": clause["disagree_share"],
                "map": "unite" if cid in unite else "divide" if cid in divide else "",
            }
            for value in CLAUSE_VALUES:
                row[value] = clause[value]
                row[f"online_{value}"] = clause["online"][value]
                row[f"paper_{value}"] = clause["paper"][value]
            yield line(row, [g["agree_share"] if g["seen"] else "" for g in clause["groups"]])


def record_export(assembly: Assembly, *, actor: Any, format: str) -> None:
    """Record in the audit log that `actor` exported the results (`assembly.results.export`)."""
    with transaction.atomic():
        log_action("assembly.results.export", actor=actor, obj=assembly, data={"format": format})
