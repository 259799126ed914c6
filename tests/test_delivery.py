"""The worker hands mail after mail to the mail server over one connection (issue 13), and
finds its way again when the server went away in between."""

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import free_port, run_worker, sign
from undersign.signatures import delivery


class Sessions:
    """A loopback SMTP server's log: for each mail, the connection (session) it came on."""

    def __init__(self) -> None:
        self.mails: list[tuple[int, str]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        self.mails.append((id(session), ",".join(envelope.rcpt_tos)))
        return "250 OK"


class MailServer:
    """A loopback SMTP server that can go away and come back on the same port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.controller: Controller | None = None

    def start(self) -> Sessions:
        handler = Sessions()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return handler

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_server(settings):
    server = MailServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    delivery.close()
    server.stop()


def test_it_sends_every_queued_mail_once_over_one_connection(client, statement, mail_server):
    inbox = mail_server.start()
    for n in range(6):
        assert sign(client, statement, email=f"signer{n}@example.org").status_code == 302
    run_worker()
    assert sorted(to for _session, to in inbox.mails) == [
        f"signer{n}@example.org" for n in range(6)
    ]
    assert len({session for session, _to in inbox.mails}) == 1


def test_a_mail_server_restarted_while_the_worker_waited_gets_the_next_mail(
    client, statement, mail_server, monkeypatch
):
    first = mail_server.start()
    sign(client, statement, email="before@example.org")
    run_worker()
    assert [to for _session, to in first.mails] == ["before@example.org"]
    # The server goes away and comes back while the worker waits for work (made "a second"
    # of idleness here without waiting for one).
    mail_server.stop()
    restarted = mail_server.start()
    monkeypatch.setattr(delivery, "IDLE_CHECK_SECONDS", -1.0)
    sign(client, statement, email="after@example.org")
    run_worker()
    assert [to for _session, to in restarted.mails] == ["after@example.org"]
    assert [to for _session, to in first.mails] == ["before@example.org"]
