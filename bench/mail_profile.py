"""CPU per mail of `undersign worker`, and the mails a second of one or more workers.

`.venv/bin/python bench/mail_profile.py [MAILS] [WORKERS]` (default 2,000 and 2): a
throwaway data folder as `make bench` builds it, MAILS signatures queued through the
signing service, then WORKERS `undersign worker` processes sending their confirmation
mails to an SMTP server on loopback (aiosmtpd in this process). From the first mail to the
last (start-up not counted) it prints the mails a second, each worker's CPU milliseconds
per mail it sent (user and system time from /proc), and this process's (the SMTP server's)
CPU per mail. `BENCH_PYSPY=file` records the first worker with py-spy (installed apart:
`.venv/bin/pip install py-spy`), samples holding the GIL, in its raw format (that
worker's CPU figure is then py-spy's own).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench import Stack
from bench.mailqueue import PYTHON, ROOT, SMTPServer, queue_signatures

MAILS = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
WORKERS = int(sys.argv[2]) if len(sys.argv) > 2 else 2


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    stack = Stack()
    smtp = None
    processes: list[subprocess.Popen] = []
    try:
        queue_signatures(stack, MAILS, "p")
        smtp = SMTPServer()
        env = {**stack.env, "EMAIL_URL": smtp.url}
        for n in range(WORKERS):
            command = [PYTHON, "-m", "undersign.cli", "worker", "--interval", "0.05"]
            spy = os.environ.get("BENCH_PYSPY")
            if spy and n == 0:
                py_spy = str(Path(PYTHON).parent / "py-spy")
                command = [py_spy, "record", "--gil", "-r", "250", "-f", "raw", "-o", spy, "--"]
                command += [PYTHON, "-m", "undersign.cli", "worker", "--interval", "0.05"]
            processes.append(
                subprocess.Popen(
                    command,
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        while smtp.inbox.count() < 1:
            time.sleep(0.005)
        started = [cpu_seconds(p.pid) for p in processes]
        own, count, clock = time.process_time(), smtp.inbox.count(), time.monotonic()
        while smtp.inbox.count() < MAILS:
            time.sleep(0.05)
        ended = [cpu_seconds(p.pid) for p in processes]
        sent = smtp.inbox.count() - count
        seconds = time.monotonic() - clock
        own = time.process_time() - own
        # Each worker sent about sent / WORKERS of them.
        per_worker = [
            f"{1000 * (b - a) / (sent / WORKERS):.2f}" for a, b in zip(started, ended, strict=True)
        ]
        print(
            f"{WORKERS} worker(s): {sent / seconds:.0f} mails/s; worker CPU ms per mail "
            f"{', '.join(per_worker)}; SMTP server CPU ms per mail {1000 * own / sent:.2f}"
        )
    finally:
        for process in processes:
            process.send_signal(2)
        for process in processes:
            process.wait(timeout=30)
        if smtp is not None:
            smtp.close()
        stack.close()


if __name__ == "__main__":
    main()
