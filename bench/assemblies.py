"""An assembly's results and consensus map at size: 500 participants x 5 texts x 40 clauses.

Builds the room straight into a throwaway database (rows in bulk, not through the services),
with positions in three camps plus noise and unseen clauses, then times
`compute_results` (every query, the tallies, the opinion groups, unite and divide) and the
map built from it, without the cache: the median of BENCH_ASSEMBLY_RUNS (5) runs after one
warm-up (which also pays for importing scikit-learn, once per process; printed apart).

    .venv/bin/python bench/assemblies.py           # prints the table row
    .venv/bin/python bench/assemblies.py --json    # every figure, as JSON
    .venv/bin/python bench/assemblies.py --row     # the row as a JSON list, for bench.py

SQLite in a temporary folder, unless BENCH_ASSEMBLY_DATABASE_URL names a PostgreSQL
database to use (it is emptied first: give it a throwaway name).
"""

import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTICIPANTS = int(os.environ.get("BENCH_ASSEMBLY_PARTICIPANTS", "500"))
TEXTS = 5
CLAUSES = 40
RUNS = int(os.environ.get("BENCH_ASSEMBLY_RUNS", "5"))
TARGET_MS = 1000
# Three camps: shares of the room, how faithfully members follow their camp, unseen share.
CAMPS = (0.45, 0.35, 0.20)
FAITHFUL = 0.75
UNSEEN = 0.10


def setup_django() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="undersign-bench-assembly-"))
    os.environ["UNDERSIGN_DATA"] = str(folder)
    os.environ.pop("REDIS_URL", None)
    url = os.environ.get("BENCH_ASSEMBLY_DATABASE_URL", "")
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "undersign.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    if url:
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", verbosity=0)
    return folder


def build():
    """The room, in bulk. Returns the Assembly."""
    import numpy as np
    from django.contrib.auth.models import User
    from django.db import transaction

    from undersign.assemblies import services
    from undersign.assemblies.models import (
        Ballot,
        ClauseLink,
        ClausePosition,
        PaperTally,
        Participant,
        TextPosition,
    )
    from undersign.organisers.services import create_team
    from undersign.statements.services import create_statement

    rng = np.random.default_rng(2026)
    owner = User.objects.create_user("bench-owner")
    team = create_team("Bench team", owner=owner, actor=owner)
    statements = [
        create_statement(
            slug=f"bench-draft-{t}",
            title=f"Draft {t}",
            clauses=[f"Clause {c} of draft {t}." for c in range(1, CLAUSES + 1)],
            team=team,
        )
        for t in range(1, TEXTS + 1)
    ]
    assembly = services.create_assembly(
        name="Bench forum", slug="bench-forum", team=team, statements=statements
    )
    services.open_voting(assembly)
    texts = list(assembly.texts.order_by("position"))
    clause_ids = [
        pk for s in statements for pk in s.clauses.order_by("number").values_list("pk", flat=True)
    ]
    n_clauses = len(clause_ids)
    camp_of = rng.choice(len(CAMPS), size=PARTICIPANTS, p=CAMPS)
    # Each camp's stance per clause; a quarter of the clauses every camp agrees with.
    stances = rng.choice([1, -1], size=(len(CAMPS), n_clauses))
    stances[:, rng.random(n_clauses) < 0.25] = 1
    faithful = rng.random((PARTICIPANTS, n_clauses)) < FAITHFUL
    noise = rng.choice([1, -1, 0], size=(PARTICIPANTS, n_clauses))
    positions = np.where(faithful, stances[camp_of], noise)
    unseen = rng.random((PARTICIPANTS, n_clauses)) < UNSEEN
    value = {1: "agree", -1: "disagree", 0: "pass"}
    text_value = ["support", "oppose", "abstain"]
    favourite = rng.integers(0, TEXTS, size=len(CAMPS))
    with transaction.atomic():
        Participant.objects.bulk_create(
            Participant(assembly=assembly, number=i + 1, code_hash=secrets.token_hex(32))
            for i in range(PARTICIPANTS)
        )
        made = Ballot.objects.bulk_create(
            Ballot(assembly=assembly, key=secrets.token_hex(32)) for _ in range(PARTICIPANTS)
        )
    ballot_ids = (
        [b.pk for b in made]
        if made[0].pk
        else list(
            Ballot.objects.filter(assembly=assembly).order_by("pk").values_list("pk", flat=True)
        )
    )
    rows = [
        ClausePosition(
            ballot_id=ballot_ids[p], clause_id=clause_ids[c], value=value[positions[p, c]]
        )
        for p in range(PARTICIPANTS)
        for c in range(n_clauses)
        if not unseen[p, c]
    ]
    text_rows = [
        TextPosition(
            ballot_id=ballot_ids[p],
            text=text,
            value=text_value[0 if t == favourite[camp_of[p]] else int(rng.integers(1, 3))],
        )
        for p in range(PARTICIPANTS)
        for t, text in enumerate(texts)
    ]
    with transaction.atomic():
        ClausePosition.objects.bulk_create(rows, batch_size=5000)
        TextPosition.objects.bulk_create(text_rows, batch_size=5000)
        for text in texts:
            PaperTally.objects.create(
                assembly=assembly, text=text, support=40, oppose=20, abstain=5, entered_by=owner
            )
        for t in range(TEXTS - 1):  # the first clauses of neighbouring drafts say the same
            ClauseLink.objects.create(
                assembly=assembly, a_id=clause_ids[t * CLAUSES], b_id=clause_ids[(t + 1) * CLAUSES]
            )
    return assembly, len(rows)


def measure() -> dict:
    from undersign.assemblies import results

    started = time.perf_counter()
    assembly, positions = build()
    built = time.perf_counter() - started

    def once() -> tuple[float, dict]:
        t = time.perf_counter()
        data = results.compute_results(assembly)
        results.consensus_view(data)
        return (time.perf_counter() - t) * 1000, data

    first, data = once()
    times = [once()[0] for _ in range(RUNS)]
    from django.db import connection

    return {
        "participants": PARTICIPANTS,
        "texts": TEXTS,
        "clauses": TEXTS * CLAUSES,
        "positions": positions,
        "database": connection.vendor,
        "built_s": round(built, 1),
        "first_ms": round(first),
        "median_ms": round(statistics.median(times)),
        "runs_ms": [round(t) for t in times],
        "groups": [g["size"] for g in data["groups"]],
        "unite": len(data["unite"]),
        "divide": len(data["divide"]),
    }


def row(figures: dict) -> tuple[str, str, str, str]:
    return (
        f"assembly results + map, {figures['participants']} x {figures['texts']} texts x "
        f"{figures['clauses'] // figures['texts']} clauses, {figures['database']} (ms)",
        f"{figures['median_ms']:,} (first {figures['first_ms']:,})",
        "-",
        f"< {TARGET_MS:,} ms",
    )


def main() -> None:
    folder = setup_django()
    try:
        figures = measure()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if "--json" in sys.argv:
        print(json.dumps(figures))
        return
    if "--row" in sys.argv:
        print(json.dumps(row(figures)))
        return
    print(
        f"{figures['positions']:,} clause positions, built in {figures['built_s']} s; "
        f"runs {figures['runs_ms']} ms; groups {figures['groups']}, "
        f"{figures['unite']} clauses unite, {figures['divide']} divide",
        file=sys.stderr,
    )
    print("| figure | undersign | ceiling | target |")
    print("| --- | ---: | ---: | --- |")
    print("| " + " | ".join(row(figures)) + " |")


if __name__ == "__main__":
    main()
