"""Run child processes together: when one ends, or on Ctrl-C or SIGTERM, stop them all."""

import contextlib
import signal
import subprocess


def supervise(children: list[subprocess.Popen]) -> int:
    """Wait until a child exits or we are told to stop; then stop every child.

    Returns the exit code of the child that ended first (0 when we were told to stop).
    """
    # A service manager stops us with SIGTERM: take the children down with us then too.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    code = 0
    try:
        while all(child.poll() is None for child in children):
            with contextlib.suppress(subprocess.TimeoutExpired):
                children[-1].wait(timeout=1)
        code = next(child.returncode for child in children if child.returncode is not None)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return code
