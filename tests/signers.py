"""Helpers for the tests of what organisers see and do with signers (issue 9).

Signatures made here go through the real signing form and the confirm service, so the
counter and the tallies move as they do for people; `many` writes rows in bulk for the
size tests and then reconciles, as `undersign reconcile-counts` would.
"""

import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from tests.conftest import sign
from undersign.organisers.models import Membership, Team
from undersign.signatures import services
from undersign.signatures.models import Signature
from undersign.signatures.places import place_key
from undersign.statements.models import Statement

UNDERSIGN = Path(sys.executable).parent / "undersign"
PASSWORD = "a long passphrase"


def confirmed(client: Client, statement: Statement, **overrides: object) -> Signature:
    """Sign through the form (a fresh email unless given) and confirm."""
    overrides.setdefault("email", f"{uuid.uuid4().hex[:12]}@example.org")
    response = sign(client, statement, **overrides)
    assert response.status_code == 302, response.content.decode()[:500]
    signature = Signature.objects.latest("id")
    assert services.confirm_signature(signature)
    return signature


ALL_ROLES = ("owner", "editor", "moderator", "contacts_viewer")


def organiser(username: str = "organiser", *roles: str, in_team: bool = True, **fields) -> User:
    """A workspace account in the team that holds the `statement` fixture, with `roles` (all
    four when none are named); `in_team=False` makes an account in no team, who may see
    nothing in the workspace."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username, password=PASSWORD, **fields)
    if in_team:
        team = Team.objects.order_by("id").first()
        assert team is not None, "the team fixture makes the statement's team"
        flags = {role: True for role in roles or ALL_ROLES}
        Membership.objects.update_or_create(team=team, user=user, defaults=flags)
    return user


def many(statement: Statement, n: int, **fields: object) -> None:
    """`n` confirmed signatures written in bulk, one second apart, then reconciled."""
    base = datetime(2026, 11, 1, tzinfo=UTC)
    values: dict[str, object] = {
        "display": Signature.Display.FULL,
        "city": "Berlin",
        "country": "DE",
        "language": "en",
        **fields,
    }
    values["city_key"] = place_key(str(values["city"]))  # bulk_create skips save()
    rows = [
        Signature(
            statement=statement,
            revision_id=statement.current_revision_id,
            ref=uuid.uuid4().hex,  # 32 characters, as the column allows
            status=Signature.Status.CONFIRMED,
            public_name=f"Person {i}",
            consent_version="test",
            confirmed_at=base + timedelta(seconds=i),
            **values,
        )
        for i in range(n)
    ]
    Signature.objects.bulk_create(rows, batch_size=2000)
    services.reconcile_counts()


def database_env(tmp_path: Path) -> dict[str, str]:
    """The environment for the installed `undersign` to work on the test database (the
    test must commit its rows: `transactional_db`)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["UNDERSIGN_DATA"] = str(tmp_path / "cli-data")
    env.pop("REDIS_URL", None)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        host = db["HOST"] or "127.0.0.1"
        port = db["PORT"] or 5432
        env["DATABASE_URL"] = f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"
    return env
