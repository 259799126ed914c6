"""Run child processes together: a child that dies is started again (with a growing pause
while it keeps dying), the others keep running; Ctrl-C or SIGTERM stops them all.

The processes that use the database (`run`, `serve`, `worker`) also hold a shared lock on a
file in the data folder while they run, so that `undersign restore` can tell they are there.
"""

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.conf import settings

RUNNING_LOCK = "running.lock"


@dataclass
class Child:
    name: str
    args: list[str]
    process: subprocess.Popen | None = None
    started: float = 0.0
    quick_deaths: int = 0  # deaths in a row, each soon after its start
    restart_at: float = 0.0

    def start(self) -> None:
        # Its own process group: when it dies, whatever it left behind (granian's worker
        # processes) goes with it, and stopping it stops all of it.
        self.process = subprocess.Popen(self.args, process_group=0)  # noqa: S603 (our commands)
        self.started = time.monotonic()

    def signal_group(self, sig: signal.Signals) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)


def _ended(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def restart_delay(quick_deaths: int, longest: float = 30.0) -> float:
    """1 s after a child that had been running fine; 2, 4, 8 … up to 30 s while it keeps
    dying soon after each start (a database that is down, a port that is taken)."""
    return min(2.0**quick_deaths, longest)


def supervise(
    commands: dict[str, list[str]], *, stable_seconds: float = 30.0, out: TextIO = sys.stderr
) -> int:
    """Start each command, keep it running until we are told to stop, then stop them all.

    `commands` maps a name (for the messages) to a command line. Returns 0 once stopped.
    """
    # A service manager stops us with SIGTERM: take the children down with us then too.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    children = [Child(name, args) for name, args in commands.items()]
    try:
        for child in children:
            child.start()
        while True:
            now = time.monotonic()
            for child in children:
                if child.process is not None and child.process.poll() is not None:
                    child.signal_group(signal.SIGKILL)  # its orphans, if any
                    ran = now - child.started
                    child.quick_deaths = 0 if ran >= stable_seconds else child.quick_deaths + 1
                    delay = restart_delay(child.quick_deaths)
                    print(
                        f"undersign: the {child.name} stopped ({_ended(child.process.returncode)})"
                        f" after {ran:.0f} s; starting it again in {delay:.0f} s",
                        file=out,
                        flush=True,
                    )
                    child.process, child.restart_at = None, now + delay
                elif child.process is None and now >= child.restart_at:
                    child.start()
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        running = [c for c in children if c.process is not None]
        for child in running:
            child.signal_group(signal.SIGTERM)
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.signal_group(signal.SIGKILL)
                child.process.wait()
    return 0


def _lock_path() -> Path:
    return Path(settings.DATA_DIR) / RUNNING_LOCK


@contextlib.contextmanager
def using_database() -> Iterator[None]:
    """Hold the data folder's shared lock while a server or worker runs."""
    with _lock_path().open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
        yield


def database_in_use() -> bool:
    """Whether a `run`, `serve` or `worker` holds the data folder's lock."""
    with _lock_path().open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


def require_migrated() -> None:
    """Fail now, in the command the operator typed, if the database has no tables yet
    (`undersign` then says in one line to run `migrate`), not later in every child."""
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder.Migration.objects.exists()
