"""A real SMTP server for the activity tests, and a way to run an activity outside a worker.

The server is aiosmtpd on 127.0.0.1 and a free port. It can be stopped and started
again on the same port, to play an outage; it can refuse chosen recipients with a
reply of the test's choosing (at RCPT or at DATA), and take its time over each message.
Like many servers it does not offer SMTPUTF8, so it cannot take a non-ASCII address.
"""

from __future__ import annotations

import asyncio
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
    """aiosmtpd handler: keeps every envelope it accepts. `refuse` answers RCPT for an address with the reply
    given, `refuse_data` answers DATA for it; `seconds_a_message` is how long DATA takes."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.refuse: dict[str, str] = {}
        self.refuse_data: dict[str, str] = {}
        self.asked: list[str] = []  # every RCPT, taken or refused
        self.seconds_a_message = 0.0

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]) -> str:
        self.asked.append(address)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(self.seconds_a_message)
        [recipient] = envelope.rcpt_tos
        if recipient in self.refuse_data:
            return self.refuse_data[recipient]
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
        self._controller = Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, server_hostname="peercoach.test", enable_SMTPUTF8=False
        )
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
