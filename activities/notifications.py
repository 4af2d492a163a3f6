"""The send_notice activity: each recipient gets each notice once.

With SMTP configured a message goes out by email; without it, the outbox is
the delivery (the embedded default). Either way the outbox records it by
(key, recipient): a retried activity, or another worker, skips every recipient
already marked sent. A worker that dies after the mail server took a message but
before marking it sent leaves it pending, and the retry sends it again.
"""

from __future__ import annotations

import asyncio
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr

import structlog
from pydantic import BaseModel, SecretStr
from temporalio import activity

from activities.messages import calendar_invite, render
from activities.names import SEND_NOTICE
from domain.notices import Notice
from store.outbox import Outbox

log = structlog.get_logger()


class SmtpSettings(BaseModel):
    host: str
    port: int = 25
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    sender: str = "peercoach@localhost"
    sender_name: str = "Peer Coaching Program"
    timeout_seconds: float = 20


class Mailer:
    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    def send(self, recipient: str, subject: str, body: str, invite: str | None) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"] = formataddr((s.sender_name, s.sender))
        message["To"] = recipient
        message["Subject"] = subject
        message.set_content(body)
        if invite is not None:  # as text, so the part says charset=utf-8 and "Café" does not arrive as "CafÃ©"
            message.add_attachment(invite, subtype="calendar", filename="session.ics", params={"method": "REQUEST"})
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
            if s.starttls:
                smtp.starttls()
            if s.username and s.password:
                smtp.login(s.username, s.password.get_secret_value())
            # the envelope names the recipient itself: read back from the To header, an address such as
            # "x@y.z)" would be parsed as a comment and the message sent to nobody
            smtp.send_message(message, from_addr=s.sender, to_addrs=[recipient])


class NoticeActivities:
    def __init__(self, outbox: Outbox, mailer: Mailer | None = None):
        self.outbox = outbox
        self.mailer = mailer

    @activity.defn(name=SEND_NOTICE)
    async def send_notice(self, notice: Notice) -> int:
        """Deliver to every recipient not yet sent to; returns how many were sent now."""
        return await self.deliver(notice, activity.info().scheduled_time)

    async def deliver(self, notice: Notice, asked_at: datetime) -> int:
        """The delivery itself, also used by the web app for sign-in links (no workflow involved)."""
        subject, body = render(notice)
        invite = calendar_invite(notice.invite) if notice.invite else None
        sent = 0
        for recipient in dict.fromkeys(notice.to):
            if not await asyncio.to_thread(self.outbox.claim, notice.key, recipient, notice.kind.value, subject, body, invite, asked_at):
                continue
            if self.mailer is not None:
                await asyncio.to_thread(self.mailer.send, recipient, subject, body, invite)
            await asyncio.to_thread(self.outbox.mark_sent, notice.key, recipient, "smtp" if self.mailer else "outbox")
            sent += 1
        log.info("notice delivered", key=notice.key, kind=notice.kind.value, sent=sent)
        return sent
