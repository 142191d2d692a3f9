"""Fixtures for invitations, the outbox and alerts: a real SMTP server (aiosmtpd) on a free
port of the loopback, the app configured to send through it, and the embedded default that
writes .eml files. Messages are parsed with the `email` package, as a mail program would."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller

from screening.database import db
from tests.factories import make_app_on

TOMORROW = date.today() + timedelta(days=1)
MAIL_FROM = "Riverside Massage <bookings@riverside.example>"
BASE_URL = "https://forms.riverside.example"
ALERTS = "team@riverside.example, owner@riverside.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What an aiosmtpd server received; refuses the addresses in `refuse`."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self.arrived = threading.Condition()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float) -> list:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return list(self.messages)

    def to(self, address: str) -> list:
        return [message for message in self.messages if message["To"] == address]


class BoundController(Controller):
    """aiosmtpd's Controller listening on a socket already bound, to a port the system chose
    (Controller itself needs a port number, and a free one looked up first could be taken
    by another test process before it binds it)."""

    def __init__(self, handler, listening: socket.socket):
        self._listening = listening
        super().__init__(handler, hostname="127.0.0.1", port=listening.getsockname()[1])

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._listening,
                                       ssl=self.ssl_context)


class SmtpServer:
    """A real SMTP server in a thread, on 127.0.0.1 at `port` (default: a free one)."""

    def __init__(self, port: int | None = None):
        self.inbox = Inbox()
        if port is None:
            listening = socket.socket()
            listening.bind(("127.0.0.1", 0))
            self._controller = BoundController(self.inbox, listening)
        else:
            self._controller = Controller(self.inbox, hostname="127.0.0.1", port=port)
        self.port = self._controller.port
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


class BlackHole:
    """A mail server that takes the connection and never says a word (a hung server)."""

    def __init__(self):
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(8)
        self.port = self._socket.getsockname()[1]

    def stop(self) -> None:
        self._socket.close()


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


def mail_settings(port: int, tmp_path, **more) -> dict:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_FROM": MAIL_FROM,
            "BASE_URL": BASE_URL, "ALERT_EMAILS": ALERTS, "MAIL_TIMEOUT": 2,
            "OUTBOX_FOLDER": str(tmp_path / "outbox"), **more}


@pytest.fixture
def app_with(app, tmp_path):
    """app_with(**config): the app on the `app` fixture's database with more settings."""
    made = []

    def build(**config):
        other = make_app_on(app.config["DATABASE_URL"], **config)
        made.append(other)
        return other

    yield build
    for other in made:
        other.extensions["outbox_sender"].stop(timeout=10)
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def mail_app(app_with, smtp, tmp_path):
    """The app sending through the test SMTP server (its sender thread off: tests call it)."""
    return app_with(**mail_settings(smtp.port, tmp_path))


@pytest.fixture
def file_app(app_with, tmp_path):
    """The embedded default: no mail server, each message an .eml file in tmp_path/outbox."""
    return app_with(OUTBOX_FOLDER=str(tmp_path / "outbox"), ALERT_EMAILS=ALERTS)


def body(message, subtype: str = "plain") -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    return part.get_content()
