"""A real SMTP server for the activity tests, and a way to run an activity outside a worker.

The server is aiosmtpd on 127.0.0.1 and a free port. It can be stopped and started
again on the same port, to play an outage, and it can refuse chosen recipients.
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from temporalio.testing import ActivityEnvironment

from activities.notifications import SmtpSettings

ASKED_AT = datetime(2026, 4, 13, 15, 0, tzinfo=UTC)  # when "the workflow" scheduled the activity


def activity_environment(activity_type: str, attempt: int = 1, scheduled_time: datetime = ASKED_AT) -> ActivityEnvironment:
    """Temporal's activity test harness, with the info a worker would give this attempt."""
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info, activity_type=activity_type, attempt=attempt, scheduled_time=scheduled_time, current_attempt_scheduled_time=scheduled_time
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """aiosmtpd handler: keeps every envelope it accepts; refuses the recipients in `refuse`."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [parse(e) for e in self.envelopes]

    def to(self, recipient: str) -> list[EmailMessage]:
        return [parse(e) for e in self.envelopes if e.rcpt_tos == [recipient]]


def parse(envelope: Envelope) -> EmailMessage:
    content: Any = envelope.content
    message = message_from_bytes(content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    @property
    def settings(self) -> SmtpSettings:
        return SmtpSettings(host="127.0.0.1", port=self.port, timeout_seconds=5)

    def start(self) -> None:
        assert self._controller is None, "already running"
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, server_hostname="peercoach.test")
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
