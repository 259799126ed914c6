"""Handing mails to the mail server over one connection kept open by the worker process.

Opening an SMTP connection for each mail (connect, EHLO, perhaps STARTTLS and login, QUIT)
cost more than rendering the mail: the queue drained at about 60 mails a second with two
workers (issue 13). One connection per process now carries mail after mail. A connection
that sat idle a second or more is asked with NOOP whether it still stands; after any error it
is dropped, the error goes to the job's own retry rules, and the next mail opens a new one.
A mail is never sent again by this module: what failed is retried (or not) by the job.
"""

import contextlib
import time
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

IDLE_CHECK_SECONDS = 1.0

_open: dict[str, Any] = {"connection": None, "settings": None, "used": 0.0}


def _settings() -> tuple:
    return (
        settings.EMAIL_BACKEND,
        getattr(settings, "EMAIL_HOST", ""),
        getattr(settings, "EMAIL_PORT", 0),
        getattr(settings, "EMAIL_HOST_USER", ""),
        getattr(settings, "EMAIL_USE_TLS", False),
        getattr(settings, "EMAIL_USE_SSL", False),
    )


def close() -> None:
    connection = _open["connection"]
    _open["connection"] = None
    if connection is not None:
        with contextlib.suppress(Exception):  # a broken connection: nothing more to do
            connection.close()


def _connection():
    current = _settings()
    connection = _open["connection"]
    if connection is not None and _open["settings"] != current:
        close()  # the settings changed (the tests' mail servers come and go)
        connection = None
    if connection is not None and time.monotonic() - _open["used"] > IDLE_CHECK_SECONDS:
        stream = getattr(connection, "connection", None)
        try:
            if stream is not None and stream.noop()[0] != 250:
                close()
                connection = None
        except Exception:  # the server hung up while it was idle: open a new one
            close()
            connection = None
    if connection is None:
        connection = get_connection(fail_silently=False)
        connection.open()
        _open.update(connection=connection, settings=current)
    return connection


def send(message: EmailMessage) -> None:
    """Send `message` on the process's open connection; raise what the mail server raised
    (the connection is then dropped)."""
    try:
        message.connection = _connection()
        sent = message.send()
    except BaseException:
        close()
        raise
    _open["used"] = time.monotonic()
    if not sent:
        close()
        raise OSError("the mail was not accepted")
