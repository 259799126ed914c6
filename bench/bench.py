"""`make bench`: undersign's hot paths under load, each beside the ceiling of the same stack.

Everything runs on loopback in a throwaway data folder: `undersign serve` (granian, WSGI) and
the ceiling app (bench/ceiling.py) served the same way, loaded by `wrk` for a bounded time.
Prints one table. Options by environment: BENCH_SECONDS (per figure, default 8),
BENCH_CONNECTIONS (default 8), BENCH_ROWS (default 1,000,000), BENCH_WORKERS (default: cores),
BENCH_DATABASE_URL (PostgreSQL for the extra signing figure; default the local one if it
answers; "none" to skip). The assembly figure comes from bench/assemblies.py.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "0")) or os.cpu_count() or 1
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/undersign_bench")
# Redis for the PostgreSQL figure: database 14 (the test suite uses 15), flushed first.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
MAILS = int(os.environ.get("BENCH_MAILS", "2000"))
# Signings a second while the mail latency is measured: three times the rate at which the UK
# Parliament's petition site fell over (about 2,000 a minute).
SIGNING_PACE = int(os.environ.get("BENCH_SIGNING_PACE", "100"))
SLUG = "bench"
EMPTY = "bench-empty"

sys.path.insert(0, str(ROOT))
from bench import mailqueue  # noqa: E402 (the package, once the repository is on the path)

# A distinct email per request. The ceiling's form takes Django's CSRF cookie and token;
# undersign's signing form takes none (a browser's Origin header is checked instead).
SIGN_LUA = """
-- `id` is each thread's own global, set by setup(); a `local id` here would shadow it and
-- give every thread the same addresses (half the signings were then repeat attempts).
local counter = 0
local n = 0
function setup(thread) n = n + 1; thread:set("id", n) end
request = function()
  counter = counter + 1
  local body = "csrfmiddlewaretoken=TOKEN&name=Bench+Person&display=full&city=Berlin"
    .. "&country=DE&consent=on&email=RUN-" .. id .. "-" .. counter .. "%40example.org"
  return wrk.format("POST", "PATH", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    HEADERS
  }, body)
end
"""
# Paced: each connection waits between requests so that all of them make about PACE a second.
PACED_LUA = "function delay() return DELAY end\n"
# The same signings inside one process, through Django's test client, for the profiles
# (`signing_profile.py`, `wal_pages.py`): code for `Stack.python` defining `sign_many(tag,
# n)`, n signings with new addresses to `PATH` (set before it).
IN_PROCESS_SIGNING = """
from urllib.parse import urlencode
from django.test import Client
client = Client(HTTP_HOST='127.0.0.1', HTTP_ORIGIN='http://127.0.0.1')
form = {'name': 'Bench Person', 'display': 'full', 'city': 'Berlin', 'country': 'DE',
        'consent': 'on'}

def sign_many(tag, n):
    for i in range(n):
        body = urlencode({**form, 'email': f'{tag}-{i}@example.org'})
        answer = client.post(PATH, body, content_type='application/x-www-form-urlencoded')
        assert answer.status_code == 302, (answer.status_code, answer.content[:2000])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stack:
    """A data folder (and maybe a PostgreSQL database) with undersign migrated into it."""

    def __init__(self, database_url: str = "", redis_url: str = "") -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="undersign-bench-"))
        self.env = {
            **os.environ,
            "UNDERSIGN_DATA": str(self.dir / "data"),
            "PYTHONPATH": str(ROOT),
            "UNDERSIGN_URL": "http://127.0.0.1",
            # All the load comes from one address; the per-address limits would stop it.
            "UNDERSIGN_SIGNING_BURST": "100000000",
            "UNDERSIGN_SIGNING_SUSTAINED": "100000000",
        }
        self.env.pop("DATABASE_URL", None)
        self.env.pop("REDIS_URL", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).flushdb()
            self.env["REDIS_URL"] = redis_url
        self.undersign("migrate", "-v0")
        self.python(
            "from undersign.statements.services import create_statement, publish_statement\n"
            f"publish_statement(create_statement(slug='{SLUG}', title='Bench letter',"
            " clauses=['One.', 'Two.']))\n"
            # The same letter with no signatures: the page at 0 beside the page at a million,
            # measured in turn by the same server under the same load.
            f"publish_statement(create_statement(slug='{EMPTY}', title='Bench letter',"
            " clauses=['One.', 'Two.']))\n"
            "from django.db import connection\n"
            "with connection.cursor() as c:\n"
            "    c.execute('CREATE TABLE bench_ceiling (id INTEGER PRIMARY KEY %s,"
            " name VARCHAR(200), email VARCHAR(254))' % ('' if connection.vendor == 'sqlite'"
            " else 'GENERATED ALWAYS AS IDENTITY'))\n"
        )

    def undersign(self, *args: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PYTHON, "-m", "undersign.cli", *args], env=self.env, check=True, cwd=ROOT, **kw
        )

    def python(self, code: str) -> str:
        setup = "import django, os\nos.environ['DJANGO_SETTINGS_MODULE']='undersign.settings'\n"
        result = subprocess.run(
            [PYTHON, "-c", setup + "django.setup()\n" + code],
            env=self.env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        return result.stdout

    def serve(self, ceiling: bool = False) -> "Server":
        port = free_port()
        if ceiling:
            env = {**self.env, "DJANGO_SETTINGS_MODULE": "bench.ceiling"}
            args = [PYTHON, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1"]
            args += ["--port", str(port), "--workers", str(WORKERS), "--blocking-threads", "1"]
            args += ["--no-log", "bench.ceiling:application"]
        else:
            env = self.env
            args = [PYTHON, "-m", "undersign.cli", "serve", "--no-worker", "--port", str(port)]
            args += ["--workers", str(WORKERS)]
        return Server(args, env, port)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    def __init__(self, args: list[str], env: dict[str, str], port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(300):
            try:
                with urllib.request.urlopen(self.url + "/static/undersign/style.css"):
                    pass
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                time.sleep(0.1)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wrk(
    url: str,
    script: str = "",
    seconds: int = SECONDS,
    headers: tuple[str, ...] = (),
    connections: int = CONNECTIONS,
) -> dict[str, float]:
    """Load `url` with wrk for a bounded time; requests/s, p99 in ms, failed answers."""
    args = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    for header in headers:
        args += ["-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    if script:
        args += ["-s", lua.name]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*?timeout (\d+)", out)
    return {
        "rps": rps,
        "p99": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "failed": int(failed.group(1)) if failed else 0,
        "timeouts": int(errors.group(1)) if errors else 0,
    }


def csrf_pair(url: str) -> tuple[str, str]:
    """A CSRF cookie and the form's token, as a browser gets them from the page."""
    with urllib.request.urlopen(url) as r:
        cookie = re.search(r"csrftoken=([^;]+)", r.headers["Set-Cookie"]).group(1)  # type: ignore[union-attr]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.read().decode())
    return cookie, token.group(1)  # type: ignore[union-attr]


def sign_script(server: Server, page: str, path: str) -> str:
    if page == "/":  # the ceiling: Django's CSRF cookie and token
        cookie, token = csrf_pair(server.url + page)
        script = SIGN_LUA.replace("TOKEN", token).replace(
            "HEADERS", f'["Cookie"] = "csrftoken={cookie}",'
        )
    else:  # undersign: no cookie, no token; the Origin a browser sends
        script = SIGN_LUA.replace("TOKEN", "").replace("HEADERS", f'["Origin"] = "{server.url}",')
    return script.replace("PATH", path)


def signing(
    server: Server, page: str, path: str, run: str, connections: int = CONNECTIONS
) -> dict[str, float]:
    script = sign_script(server, page, path)
    url = server.url + path
    # Warm up for 5 s: a new server's first signings (each thread's first connections to
    # the database and Redis, catalogues and templates loaded on first use) took up to a
    # second on this box, and 2 s of warm-up left them in the measured run's p99.
    wrk(url, script.replace("RUN", run + "w"), seconds=5, connections=connections)
    return wrk(url, script.replace("RUN", run), connections=connections)


def paced_signing(server: Server, run: str, pace: int, seconds: int = SECONDS) -> dict[str, float]:
    """About `pace` signings a second through the real form, for `seconds`."""
    delay = max(1, round(1000 * CONNECTIONS / pace))
    script = sign_script(server, f"/s/{SLUG}/", f"/s/{SLUG}/sign").replace("RUN", run)
    script += PACED_LUA.replace("DELAY", str(delay))
    return wrk(server.url + f"/s/{SLUG}/sign", script, seconds=seconds)


def page_etag(url: str) -> str:
    with urllib.request.urlopen(url) as r:
        return str(r.headers["ETag"])


def reading(server: Server, path: str, headers: tuple[str, ...] = ()) -> dict[str, float]:
    wrk(server.url + path, seconds=2, headers=headers)
    return wrk(server.url + path, headers=headers)


# Spellings people type, several per city, so the dashboard groups as it does for real.
# fmt: off
CITIES = (
    "Berlin", "Берлин", "Berlin", "Berlin", "Köln", "Koeln", "Cologne", "Кёльн", "München",
    "Munich", "Мюнхен", "Hamburg", "Tbilisi", "Тбилиси", "Tbilisi", "Wien", "Vienna", "Praha",
    "Prague", "Warszawa", "Warsaw", "Kyiv", "Київ", "Kiev", "Frankfurt", "Leipzig", "Dresden",
    "Riga", "Vilnius", "Tallinn", "Yerevan", "Ереван", "Beograd", "Istanbul", "", "",
)
# fmt: on
COUNTRIES = ("DE", "DE", "DE", "GE", "AT", "CZ", "PL", "UA", "LV", "AM", "RS", "TR", "")


def bulk_insert(stack: Stack, rows: int) -> float:
    """Insert `rows` confirmed signatures straight into the table (not through the service),
    spread over about 180 days, many cities in several spellings, one in ten ready to help;
    then reconcile, which builds the counter and the dashboard's tallies from them."""
    started = time.monotonic()
    stack.python(f"""
from datetime import datetime, timedelta, UTC
from django.db import connection, transaction
from undersign.statements.models import Statement
from undersign.signatures.places import place_key
from undersign.signatures.services import reconcile_counts
s = Statement.objects.get(slug='{SLUG}')
base = datetime(2026, 1, 1, tzinfo=UTC)
adapt = connection.ops.adapt_datetimefield_value
cities = {CITIES!r}
keys = [place_key(c) for c in cities]
countries = {COUNTRIES!r}
languages = ('ru', 'uk', 'en', 'de', 'ru')
sql = ('INSERT INTO signatures_signature (statement_id, revision_id, ref, status, display,'
       ' public_name, city, city_key, country, volunteer, language, consent_version, source,'
       ' hidden_reason, submissions, created_at, confirmed_at)'
       ' VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)')
step = 50000
for start in range({rows} - 1, -1, -step):
    batch = []
    for n in range(start, max(start - step, -1), -1):
        when = adapt(base - timedelta(milliseconds=15500 * n))
        c = n % len(cities)
        batch.append((s.pk, s.current_revision_id, f'bulk{{n}}', 'confirmed', 'full',
                      f'Person {{n}}', cities[c], keys[c], countries[n % len(countries)],
                      n % 10 == 0, languages[n % 5], 'bench', 'web', '', 1, when, when))
    with transaction.atomic(), connection.cursor() as c:
        c.executemany(sql, batch)
reconcile_counts()
""")
    return time.monotonic() - started


def organiser_session(stack: Stack) -> str:
    """A logged-in session of an organiser with every role in the statement's team, as the
    browser of an organiser holds it."""
    return stack.python(f"""
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from undersign.organisers.services import create_team
from undersign.statements.models import Statement
user = User.objects.create_user('bench-organiser')
roles = ('owner', 'editor', 'moderator', 'contacts_viewer')
team = create_team('Bench team', owner=user, roles=roles, actor=None)
Statement.objects.filter(slug='{SLUG}').update(team=team)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
""").strip()


def deep_cursor(stack: Stack, page: int) -> str:
    return stack.python(f"""
from undersign.signatures.models import Signature
from undersign.signatures.services import _encode_cursor
row = (Signature.objects.filter(statement__slug='{SLUG}', status='confirmed')
       .exclude(display='hidden').order_by('-confirmed_at', '-id')[{page - 1} * 50 - 1])
print(_encode_cursor(row))
""").strip()


def export(stack: Stack) -> tuple[float, float, float]:
    """Rows per second and peak memory (MB) of `undersign export-signatures`; rows/s of a
    raw cursor writing the same CSV (the ceiling)."""
    target = stack.dir / "export.csv"
    started = time.monotonic()
    process = subprocess.Popen(
        [PYTHON, "-m", "undersign.cli", "export-signatures", SLUG, str(target), "-v0"],
        env=stack.env,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    assert status == 0, "export failed"
    with target.open(encoding="utf-8") as f:
        rows = sum(1 for _ in f) - 1
    raw = stack.python(
        """
import csv, io, time
from django.db import connection
started = time.monotonic()
with connection.cursor() as c, open(%r, 'w') as out:
    c.execute("SELECT public_name, city, country, confirmed_at, 1 FROM signatures_signature"
              " WHERE status = 'confirmed' ORDER BY confirmed_at, id")
    w = csv.writer(out)
    n = 0
    while batch := c.fetchmany(5000):
        w.writerows(batch)
        n += len(batch)
print(n / (time.monotonic() - started))
"""
        % str(stack.dir / "raw.csv")
    )
    return rows / elapsed, usage.ru_maxrss / 1024, float(raw)


def postgres_answers(url: str) -> bool:
    if url == "none":
        return False
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 5432), timeout=1).close()
    except OSError:
        return False
    return True


def redis_answers(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


def recreate_postgres_database(url: str, create: bool = True) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            c.execute(f'CREATE DATABASE "{name}"')


def _row_pct(value: float, ceiling: float) -> str:
    return f"{value:,.0f} ({100 * value / ceiling:.0f}%)" if ceiling else f"{value:,.0f}"


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("make bench needs wrk (apt-get install wrk)")
    rows: list[tuple[str, str, str, str]] = []
    began = time.monotonic()
    load_before = os.getloadavg()

    def add(figure: str, value: str, ceiling: str, target: str) -> None:
        rows.append((figure, value, ceiling, target))
        print(f"  {figure}: {value} (ceiling {ceiling})", file=sys.stderr, flush=True)

    def pct(a: float, b: float) -> str:
        return f"{100 * a / b:.0f}%" if b else "-"

    def signing_rows(label: str, sign: dict, ceil: dict, target: str) -> None:
        add(
            f"{label}: signatures/s (% of ceiling)",
            _row_pct(sign["rps"], ceil["rps"]),
            f"{ceil['rps']:,.0f}",
            target,
        )
        add(f"{label}: p99 ms", f"{sign['p99']:.1f}", f"{ceil['p99']:.1f}", "≤ 50 ms")
        failures = int(sign["failed"] + sign["timeouts"])
        add(f"{label}: failed answers", str(failures), str(int(ceil["failed"])), "0")

    run = str(int(time.time()))
    stack = Stack()
    try:
        print(f"SQLite, {WORKERS} worker processes", file=sys.stderr)
        with stack.serve(ceiling=True) as ceiling:
            ceil_sign = signing(ceiling, "/", "/sign", "c" + run)
            ceil_sign64 = signing(ceiling, "/", "/sign", "C" + run, connections=64)
            ceil_page = reading(ceiling, "/")
        with stack.serve() as server:
            sign = signing(server, f"/s/{SLUG}/", f"/s/{SLUG}/sign", "u" + run)
            signing_rows(
                f"signing, real form, SQLite, {CONNECTIONS} connections",
                sign,
                ceil_sign,
                "≥ 1,500/s and ≥ 35% of the ceiling's insert",
            )
            sign64 = signing(server, f"/s/{SLUG}/", f"/s/{SLUG}/sign", "U" + run, connections=64)
            signing_rows(
                "signing, real form, SQLite, 64 connections",
                sign64,
                ceil_sign64,
                "≥ 1,500/s and ≥ 35% of the ceiling's insert",
            )
            page0 = reading(server, f"/s/{SLUG}/")
            add(
                "statement page, anonymous, SQLite, 0 signatures (pages/s)",
                _row_pct(page0["rps"], ceil_page["rps"]),
                f"{ceil_page['rps']:,.0f}",
                "≥ 3,000/s and ≥ 50% of the ceiling's page",
            )
            etag = page_etag(server.url + f"/s/{SLUG}/")
            page304 = reading(server, f"/s/{SLUG}/", (f"If-None-Match: {etag}",))
            add(
                "statement page, conditional request (304s/s)",
                _row_pct(page304["rps"], ceil_page["rps"]),
                f"{ceil_page['rps']:,.0f}",
                "",
            )
        inserted = bulk_insert(stack, ROWS)
        print(f"  inserted {ROWS:,} signatures in {inserted:.1f} s", file=sys.stderr)
        session = organiser_session(stack)
        cursor = deep_cursor(stack, 10_000) if ROWS >= 500_000 else ""
        second = deep_cursor(stack, 2)
        with stack.serve() as server:
            # In turn, so that both meet the same load from elsewhere on the machine.
            empty_a = reading(server, f"/s/{EMPTY}/")
            page_m = reading(server, f"/s/{SLUG}/")
            empty_b = reading(server, f"/s/{EMPTY}/")
            empty = (empty_a["rps"] + empty_b["rps"]) / 2
            add(
                f"statement page at {ROWS:,} signatures (pages/s, % of the page at 0"
                " measured before and after it)",
                f"{page_m['rps']:,.0f} ({pct(page_m['rps'], empty)})",
                f"{ceil_page['rps']:,.0f}",
                "≥ 95% of the page at 0",
            )
            # Organisers at a million signatures: logged in, never cached as a page.
            login = (f"Cookie: sessionid={session}",)
            board = reading(server, f"/workspace/s/{SLUG}/dashboard", login)
            add(
                f"dashboard at {ROWS:,} signatures (pages/s)",
                _row_pct(board["rps"], ceil_page["rps"]),
                f"{ceil_page['rps']:,.0f}",
                "≥ 300/s",
            )
            volunteers = reading(server, f"/workspace/s/{SLUG}/signers/?volunteers=on", login)
            add(
                f"volunteers list at {ROWS:,} signatures (pages/s)",
                _row_pct(volunteers["rps"], ceil_page["rps"]),
                f"{ceil_page['rps']:,.0f}",
                "≥ 300/s",
            )
            city = reading(
                server, f"/workspace/s/{SLUG}/signers/?volunteers=on&city=Cologne", login
            )
            add(
                "volunteers in one city, every spelling (pages/s)",
                _row_pct(city["rps"], ceil_page["rps"]),
                f"{ceil_page['rps']:,.0f}",
                "≥ 300/s",
            )
            floor = reading(server, "/workspace/", login)
            add(
                "workspace floor: the statement list (pages/s)",
                _row_pct(floor["rps"], ceil_page["rps"]),
                f"{ceil_page['rps']:,.0f}",
                "",
            )
            failed = floor["failed"] + board["failed"] + volunteers["failed"] + city["failed"]
            add("organiser pages failed", str(int(failed)), "-", "0")
            api = f"/api/v1/statements/{SLUG}/signatures"
            list1 = reading(server, api)
            add("public list page 1, API (pages/s)", f"{list1['rps']:,.0f}", "-", "")
            if cursor:
                deep = reading(server, f"{api}?cursor={cursor}")
                list2 = reading(server, f"{api}?cursor={second}")
                add(
                    "public list page 10,000, API, keyset (pages/s, % of page 2)",
                    f"{deep['rps']:,.0f} ({pct(deep['rps'], list2['rps'])})",
                    "-",
                    "same as page 2",
                )
        rps, peak, raw = export(stack)
        add(
            f"export {ROWS:,} signatures (rows/s)",
            _row_pct(rps, raw),
            f"{raw:,.0f}",
            "≥ 100,000 rows/s",
        )
        add("export peak memory (MB)", f"{peak:.0f}", "-", "< 150 MB")
    finally:
        stack.close()

    # The mail queue, on a fresh SQLite stack: nothing queued before it.
    queue_stack = Stack()
    try:
        smtp_ceiling = mailqueue.ceiling(MAILS)
        drained = mailqueue.drain(queue_stack, MAILS, "d" + run)
        add(
            f"mail queue drained to loopback SMTP, 2 workers, {MAILS:,} mails (mails/s)",
            _row_pct(drained["rate"], smtp_ceiling),
            f"{smtp_ceiling:,.0f}",
            "≥ 200/s",
        )
        add(
            "mails sent twice / missing",
            f"{int(drained['twice'])} / {int(drained['missing'])}",
            "-",
            "0 / 0",
        )
        with queue_stack.serve() as server:
            latency = mailqueue.latency_under_load(
                queue_stack,
                lambda: paced_signing(server, "w" + run, SIGNING_PACE, seconds=2),
                lambda: paced_signing(server, "l" + run, SIGNING_PACE),
            )
        add(
            f"signing to mail sent, under {SIGNING_PACE}/s signings, 2 workers: p50 / p99 (s)",
            f"{latency['p50']:.2f} / {latency['p99']:.2f}",
            "-",
            f"({int(latency['mails']):,} mails, {latency['signing']['rps']:.0f} signings/s)",
        )
    finally:
        queue_stack.close()

    # The assembly's results and consensus map (bench/assemblies.py), on SQLite.
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "assemblies.py"), "--row"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
    ).stdout
    add(*json.loads(out.strip().splitlines()[-1]))

    if postgres_answers(PG_URL):
        recreate_postgres_database(PG_URL)
        redis_url = REDIS_URL if redis_answers(REDIS_URL) else ""
        pg = Stack(PG_URL, redis_url=redis_url)
        try:
            with pg.serve(ceiling=True) as ceiling:
                ceil = signing(ceiling, "/", "/sign", "pc" + run)
            with pg.serve() as server:
                sign = signing(server, f"/s/{SLUG}/", f"/s/{SLUG}/sign", "pu" + run)
            with_redis = "PostgreSQL + Redis" if redis_url else "PostgreSQL (Redis did not answer)"
            add(
                f"signing, real form, {with_redis}, {WORKERS} processes (signatures/s)",
                _row_pct(sign["rps"], ceil["rps"]),
                f"{ceil['rps']:,.0f}",
                "≥ 800/s",
            )
            add(
                f"signing, {with_redis}: p99 ms",
                f"{sign['p99']:.1f}",
                f"{ceil['p99']:.1f}",
                "≤ 50 ms",
            )
            failures = int(sign["failed"] + sign["timeouts"])
            add(f"signing, {with_redis}: failed answers", str(failures), "-", "0")
        finally:
            pg.close()
            recreate_postgres_database(PG_URL, create=False)
    else:
        add("signing on PostgreSQL + Redis", "not measured: PostgreSQL did not answer", "-", "")

    load_after = os.getloadavg()
    print(
        f"\nundersign bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"{WORKERS} server processes (1 thread each on SQLite, 4 on PostgreSQL), "
        f"wrk {CONNECTIONS} connections unless said, "
        f"{SECONDS} s per figure; load average before {load_before[0]:.2f}, after "
        f"{load_after[0]:.2f} (1 min), {load_after[1]:.2f} (5 min); "
        f"took {time.monotonic() - began:.0f} s\n"
    )
    print("| figure | undersign | ceiling (same run) | target |")
    print("| --- | ---: | ---: | --- |")
    for figure, value, ceiling_value, target in rows:
        print(f"| {figure} | {value} | {ceiling_value} | {target} |")


if __name__ == "__main__":
    main()
