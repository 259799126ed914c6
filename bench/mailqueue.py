"""The mail queue under load: how fast 2 workers drain it to an SMTP server on loopback,
each mail once, and how long a signer waits for the mail while others sign.

Used by bench/bench.py (`make bench`); alone: `.venv/bin/python bench/mailqueue.py`
(SQLite in a throwaway folder). The SMTP server (aiosmtpd) runs in this process and notes
when each mail arrives and which signature it is for (the `ref` in its confirm link); the
signatures' `created_at` says when each was signed.
"""

import os
import re
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WORKERS = 2
REF = re.compile(rb"/confirm/([A-Za-z0-9_-]+)/[0-9a-f]+/")


class Inbox:
    """What arrived: (time, raw message) per mail; parsed after the run, not while it runs."""

    def __init__(self) -> None:
        self.arrived: list[tuple[float, bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook
        with self.lock:
            self.arrived.append((time.time(), envelope.content))
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.arrived)

    def refs(self) -> list[tuple[float, str]]:
        """(arrival time, signature ref) of each confirmation mail."""
        found = []
        with self.lock:
            arrived = list(self.arrived)
        for when, raw in arrived:
            message = message_from_bytes(raw)
            for part in message.walk():
                if part.get_content_type() == "text/plain":
                    body = part.get_payload(decode=True)
                    match = REF.search(body if isinstance(body, bytes) else b"")
                    if match:
                        found.append((when, match.group(1).decode()))
                    break
        return found


class SMTPServer:
    def __init__(self) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.inbox = Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.controller.stop()


class Workers:
    """`undersign worker` processes sending to `smtp_url`."""

    def __init__(self, env: dict[str, str], smtp_url: str, count: int = WORKERS) -> None:
        worker_env = {**env, "EMAIL_URL": smtp_url}
        self.processes = [
            subprocess.Popen(
                [PYTHON, "-m", "undersign.cli", "worker", "--interval", "0.05"],
                env=worker_env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(count)
        ]

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def queue_signatures(stack: Any, count: int, run: str) -> None:
    """`count` pending signatures straight through the signing service (their mails wait
    in the queue: no worker runs yet)."""
    stack.python(f"""
from undersign.signatures.services import SignatureInput, add_signature
from undersign.statements.models import Statement
s = Statement.objects.get(slug='bench')
for n in range({count}):
    add_signature(s, SignatureInput(name='Queue Person', display='full', city='Berlin',
        country='DE', consent='v1', email=f'q{run}-{{n}}@example.org'))
""")


def created(stack: Any, refs: list[str]) -> dict[str, float]:
    """{ref: when it was signed (epoch seconds)}."""
    out = stack.python(f"""
from undersign.signatures.models import Signature
for ref, at in Signature.objects.filter(ref__in={refs!r}).values_list('ref', 'created_at'):
    print(ref, at.timestamp())
""")
    return {ref: float(at) for ref, at in (line.split() for line in out.splitlines() if line)}


def drain(stack: Any, count: int, run: str, timeout: float = 120) -> dict[str, float]:
    """Queue `count` mails, then let 2 workers send them; mails per second from the first
    mail to the last (worker start-up not counted), and how many arrived twice."""
    queue_signatures(stack, count, run)
    smtp = SMTPServer()
    try:
        with Workers(stack.env, smtp.url):
            deadline = time.monotonic() + timeout
            while smtp.inbox.count() < count and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)  # anything sent twice arrives now
        refs = smtp.inbox.refs()
    finally:
        smtp.close()
    times = sorted(when for when, _ref in refs)
    unique = len({ref for _when, ref in refs})
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    return {
        "rate": (len(times) - 1) / span if span else float("nan"),
        "sent": len(refs),
        "unique": unique,
        "twice": len(refs) - unique,
        "missing": count - unique,
    }


CEILING_SENDER = """
import smtplib, sys
from email.message import EmailMessage
port, count, tag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with smtplib.SMTP("127.0.0.1", port) as smtp:
    for n in range(count):
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "bench@localhost", f"c{tag}-{n}@example.org", "Confirm"
        m.set_content(f"/confirm/c{tag}x{n}/0123456789abcdef/ " + "x" * 1500)
        smtp.send_message(m)
"""


def ceiling(count: int) -> float:
    """The same SMTP server fed by 2 processes that only send prebuilt mails over one
    connection each (no queue, no database): mails per second from the first to the last."""
    smtp = SMTPServer()
    try:
        senders = [
            subprocess.Popen(
                [PYTHON, "-c", CEILING_SENDER, str(smtp.port), str(count // 2), str(n)]
            )
            for n in range(WORKERS)
        ]
        for sender in senders:
            sender.wait(timeout=120)
        times = sorted(when for when, _raw in smtp.inbox.arrived)
    finally:
        smtp.close()
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return (len(times) - 1) / span if span else float("nan")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def latency_under_load(stack: Any, warm: Any, load: Any, timeout: float = 120) -> dict[str, Any]:
    """Run `load()` (signing through the real form) while 2 workers send; then wait for
    the queue to empty. Seconds from each signature to its mail arriving: p50, p99.
    `warm()` runs first, before the workers: the server's processes load what they load
    on their first requests; its mails go out while the workers start, and do not count."""
    warm()
    smtp = SMTPServer()
    try:
        with Workers(stack.env, smtp.url):
            time.sleep(3)  # the workers start (Django, housekeeping) and send the warm-up's
            started = time.time()
            signing = load()
            pending = int(
                stack.python(
                    "from undersign.signatures.models import Signature\n"
                    "print(Signature.objects.filter(mail_sent_at__isnull=True).count())"
                ).strip()
            )
            deadline = time.monotonic() + timeout
            while pending and time.monotonic() < deadline:
                time.sleep(0.25)
                pending = int(
                    stack.python(
                        "from undersign.signatures.models import Signature\n"
                        "print(Signature.objects.filter(mail_sent_at__isnull=True).count())"
                    ).strip()
                )
            time.sleep(0.5)
        refs = smtp.inbox.refs()
    finally:
        smtp.close()
    signed = created(stack, [ref for _when, ref in refs])
    waits = [when - signed[ref] for when, ref in refs if ref in signed and signed[ref] >= started]
    return {
        "p50": percentile(waits, 50),
        "p99": percentile(waits, 99),
        "mails": len(waits),
        "signing": signing,
        "pending": pending,
    }


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench.bench import Stack

    os.environ.setdefault("BENCH_SECONDS", "5")
    stack = Stack()
    try:
        result = drain(stack, int(os.environ.get("BENCH_MAILS", "2000")), str(int(time.time())))
        print(f"drain, {WORKERS} workers: {result}")
    finally:
        stack.close()
