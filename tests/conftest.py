import os
import re
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from types import SimpleNamespace
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from undersign import abuse
from undersign.organisers.models import Team
from undersign.organisers.services import create_team
from undersign.statements.models import Statement
from undersign.statements.services import create_statement, publish_statement

pytest_plugins = ["tests.browser"]  # Chromium fixtures for the browser tests

LINK = re.compile(r"https?://\S+/(confirm|withdraw)/[^/\s]+/[0-9a-f]+/")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters and used proofs do not leak from one test into the next (and Redis
    outlives the test database's rows)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _rate_limit_windows_begin_with_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate limits count in fixed windows of the clock (a minute, a quarter, an hour).
    A test that counts up to a limit and one past it passed or failed by whether a minute
    turned over in between (it once did in CI). So the limiter's clock starts each test at
    the start of a day and then runs at the real pace: a window turns over only in a test
    that runs that long."""
    start = time.monotonic()
    midnight = 86_400 * 20_000  # a multiple of every window's length
    clock = SimpleNamespace(time=lambda: midnight + (time.monotonic() - start))
    monkeypatch.setattr(abuse, "time", clock)


@pytest.fixture(autouse=True)
def _english_to_begin_with() -> Iterator[None]:
    """Each test starts in English: a request's locale middleware leaves its language active
    in the thread, and a `?lang=de` page in one test would otherwise speak German in the
    next one's services."""
    with translation.override("en"):
        yield


# The cast -------------------------------------------------------------------------------------
# One person per role in `team` (which holds the `statement` and `draft` fixtures), a member of
# another team with every role there, staff without a team, a superuser without a team, and
# anonymous. Every password is PASSWORD; log one in with `client.force_login(cast["editor"])`.

PASSWORD = "a long passphrase"
CAST = (
    "owner",
    "editor",
    "moderator",
    "contacts_viewer",
    "other_member",
    "staff",
    "superuser",
    "anonymous",
)


def _member(team: Team, username: str, *roles: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    team.memberships.create(user=user, **{role: True for role in roles})
    return user


@pytest.fixture
def team(db) -> Team:
    founder = User.objects.create_user("owner", password=PASSWORD)
    return create_team("Letter team", owner=founder, actor=founder)


@pytest.fixture
def other_team(db) -> Team:
    founder = User.objects.create_user("other_member", password=PASSWORD)
    roles = ("owner", "editor", "moderator", "contacts_viewer")
    return create_team("Other team", owner=founder, roles=roles, actor=founder)


@pytest.fixture
def owner(team) -> User:
    return User.objects.get(username="owner")


@pytest.fixture
def editor(team) -> User:
    return _member(team, "editor", "editor")


@pytest.fixture
def moderator(team) -> User:
    return _member(team, "moderator", "moderator")


@pytest.fixture
def contacts_viewer(team) -> User:
    return _member(team, "contacts_viewer", "contacts_viewer")


@pytest.fixture
def other_member(other_team) -> User:
    return User.objects.get(username="other_member")


@pytest.fixture
def staff(db) -> User:
    """Staff for the Django admin, in no team: the workspace refuses them."""
    return User.objects.create_user("staff", password=PASSWORD, is_staff=True)


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("superuser", password=PASSWORD)


@pytest.fixture
def cast(owner, editor, moderator, contacts_viewer, other_member, staff, superuser):
    """Every member of the cast by name (see CAST); "anonymous" is AnonymousUser."""
    return {
        "owner": owner,
        "editor": editor,
        "moderator": moderator,
        "contacts_viewer": contacts_viewer,
        "other_member": other_member,
        "staff": staff,
        "superuser": superuser,
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def statement(team) -> Statement:
    s = create_statement(
        slug="letter",
        title="Open letter on political prisoners",
        preamble="We, the undersigned, ask for three things.",
        clauses=["Release them.", "Give them visas.", "Stop extraditions."],
        postscript="P.S. Sign with initials if you are at risk.",
        team=team,
    )
    return publish_statement(s)


@pytest.fixture
def draft(team) -> Statement:
    return create_statement(slug="draft", title="A draft", clauses=["One."], team=team)


def form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Anna Petrova",
        "display": "full",
        "email": "anna@example.org",
        "city": "Köln",
        "country": "DE",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def sign(client: Client, statement: Statement, **overrides: object):
    return client.post(f"/s/{statement.slug}/sign", form_data(**overrides))


def run_worker() -> None:
    """Run every due job, as `undersign worker` does.

    The worker closes stale connections between jobs; inside a test's transaction that
    would close the test's own connection, so that one call is held off here.
    """
    with (
        mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"),
        mock.patch("undersign.management.commands.worker.close_old_connections"),
    ):
        call_command("worker", batch=True, verbosity=0)


def links(body: str) -> dict[str, str]:
    """The confirm and withdraw links of a mail body, by kind."""
    return {m.group(1): m.group(0) for m in LINK.finditer(body)}


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def database_env(tmp_path) -> Iterator[dict[str, str]]:
    """The environment of `undersign` processes on a throwaway database of their own: a new
    PostgreSQL database when the suite runs on PostgreSQL, else SQLite in a fresh folder."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["UNDERSIGN_DATA"] = str(tmp_path / "data")
    env.pop("REDIS_URL", None)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    name = f"undersign_procs_{uuid.uuid4().hex[:8]}"
    server, _ = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{server}/{name}"
    try:
        yield env
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@dataclass
class Inbox:
    """Mails received by the loopback SMTP server."""

    messages: list[Message] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def text(self, message: Message) -> str:
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode(part.get_content_charset() or "utf-8")
        raise AssertionError("no text part")


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    """A real SMTP server on loopback; the app's mail goes to it."""
    port = free_port()
    inbox = Inbox(port=port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield inbox
    finally:
        controller.stop()
