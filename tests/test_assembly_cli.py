"""`undersign assembly …` as an operator runs it: the installed command, a fresh data folder."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

UNDERSIGN = Path(sys.executable).parent / "undersign"


@pytest.fixture
def run(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.pop("DATABASE_URL", None)
    env.update(UNDERSIGN_DATA=str(tmp_path / "data"), UNDERSIGN_URL="https://forum.example")

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(UNDERSIGN), *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
            check=check,
        )

    run("migrate", "-v0")
    run("demo")
    return run


def test_it_sets_up_an_assembly_makes_codes_and_closes_it(run, tmp_path):
    assert run(
        "assembly", "new", "Forum in Köln", "--text", "demo", "--as", "organiser"
    ).stdout == ("forum-in-koln\n")
    out, cards = tmp_path / "codes.csv", tmp_path / "cards.pdf"
    done = run("assembly", "codes", "forum-in-koln", "3", "--out", str(out), "--cards", str(cards))
    assert "3 codes (cards 1–3)" in done.stdout
    for path in [out, cards]:
        assert path.stat().st_mode & 0o777 == 0o600
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 3 and all(len(row["code"]) == 19 for row in rows)
    assert rows[0]["link"] == f"https://forum.example/a/forum-in-koln/in/{rows[0]['code']}"
    assert cards.read_bytes().startswith(b"%PDF")
    # Never over an existing file.
    again = run("assembly", "codes", "forum-in-koln", "1", "--out", str(out), check=False)
    assert again.returncode != 0 and "exists already" in again.stderr

    assert "open" in run("assembly", "open", "forum-in-koln").stdout
    assert "closed" in run("assembly", "close", "forum-in-koln").stdout
    log = run(
        "shell",
        "-c",
        (
            "from undersign.organisers.models import AuditEntry;"
            "print(sorted(AuditEntry.objects.filter(action__startswith='assembly.')"
            ".values_list('action', flat=True)))"
        ),
    ).stdout
    for action in ["assembly.close", "assembly.codes", "assembly.create", "assembly.open"]:
        assert action in log
    assert "assembly.text_add" in log


def test_it_refuses_texts_of_no_team_or_of_several(run, tmp_path):
    letter = tmp_path / "letter.md"
    letter.write_text("# Another letter\n\n1. One.\n2. Two.\n", encoding="utf-8")
    run("import", str(letter), "--slug", "another")
    failed = run("assembly", "new", "Forum", "--text", "demo", "--text", "another", check=False)
    assert failed.returncode != 0 and "must belong to a team" in failed.stderr
    failed = run("assembly", "new", "Forum", "--text", "nothing", check=False)
    assert failed.returncode != 0 and "No statement 'nothing'" in failed.stderr


def test_it_prints_the_results(run):
    run("assembly", "new", "Forum", "--text", "demo")
    result = json.loads(run("assembly", "results", "forum").stdout)
    assert result["participants"] == 0
    assert [t["slug"] for t in result["texts"]] == ["demo"]
    lines = run("assembly", "results", "forum", "--format", "csv").stdout.splitlines()
    assert lines and "demo" in "\n".join(lines)
