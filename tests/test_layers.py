"""Imports point down: a domain app never imports a face (public, workspace, api, the CLI),
organisers know nothing of statements or signatures, statements nothing of signatures."""

import ast
from pathlib import Path

import pytest

import undersign

ROOT = Path(undersign.__file__).parent
FACES = (
    "undersign.public",
    "undersign.workspace",
    "undersign.api",
    "undersign.management",
    "undersign.room",
)
FORBIDDEN = {
    "organisers": (
        *FACES,
        "undersign.statements",
        "undersign.signatures",
        "undersign.assemblies",
        "undersign.mailings",
    ),
    "statements": (*FACES, "undersign.signatures", "undersign.assemblies", "undersign.mailings"),
    "signatures": (*FACES, "undersign.assemblies", "undersign.mailings"),
    "assemblies": (*FACES, "undersign.mailings"),
    # Mailings use signatures (through `contacts`) and statements; their command is theirs.
    "mailings": FACES,
}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_a_domain_app_imports_only_downward(app):
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for module in sorted(imports(path))
        if module.startswith(FORBIDDEN[app])
    ]
    assert not wrong, "\n".join(wrong)


def test_the_rate_limits_and_their_429_page_import_no_face():
    assert not [m for m in imports(ROOT / "abuse.py") if m.startswith(FACES)]
