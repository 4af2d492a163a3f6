"""The send_notice activity: each recipient gets each notice, by email or, without SMTP, in the outbox.

What is guaranteed, and what is not (store/outbox.py keeps the ledger):
- At least once. A (key, recipient) marked sent is never sent again, by any worker. A worker that
  dies after the mail server took a message and before marking it sent leaves it pending, and the
  retry sends it again: the same message, with the same Message-ID (`activities/messages.py`), so a
  receiving system that de-duplicates by Message-ID keeps one, and the outbox counts one.
- The window between claiming and marking is one message: SMTP answers within `timeout_seconds` per
  command, the activity heartbeats at each recipient, and its timeouts are sized to the number of
  recipients (workflows/dispatch.py), so an attempt is not abandoned and run again while it still sends.
- A permanent refusal (a 5xx reply to RCPT or DATA, or a non-ASCII address the server cannot take
  without SMTPUTF8) is not retried: the row is marked undeliverable with the server's reply and the
  cohort's coordinators are told once per address. A temporary one (4xx, or the server away) raises,
  and Temporal retries the notice with backoff.
"""

from __future__ import annotations

import asyncio
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage

import structlog
from pydantic import BaseModel, SecretStr
from temporalio import activity

from activities.invites import calendar_invite
from activities.messages import Letter, Sender, compose, letter, message_id
from activities.names import SEND_NOTICE
from domain import notices
from domain.notices import Notice, NoticeKind, cohort_of
from domain.roster import Role
from store import members
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
    reply_to: str | None = None
    # Connecting, and each command after it: a server that stops answering fails the attempt in this time.
    timeout_seconds: float = 10

    @property
    def from_(self) -> Sender:
        return Sender(address=self.sender, name=self.sender_name, reply_to=self.reply_to)


class Refused(Exception):
    """The mail server will never take this recipient: retrying cannot help."""

    def __init__(self, reply: str):
        super().__init__(reply)
        self.reply = reply


class Mailer:
    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    def send(self, recipient: str, message: EmailMessage) -> None:
        """Hand one message to the server; raises Refused for a permanent refusal, anything else for a temporary one."""
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
                if s.starttls:
                    smtp.starttls()
                if s.username and s.password:
                    smtp.login(s.username, s.password.get_secret_value())
                # the envelope names the recipient itself: read back from the To header, an address such as
                # "x@y.z)" would be parsed as a comment and the message sent to nobody
                smtp.send_message(message, from_addr=s.sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as err:
            [(code, reply)] = err.recipients.values()
            _raise_if_permanent(code, reply)
            raise
        except smtplib.SMTPDataError as err:
            _raise_if_permanent(err.smtp_code, err.smtp_error)
            raise
        except smtplib.SMTPNotSupportedError as err:  # raised before anything is sent: a non-ASCII address needs SMTPUTF8
            raise Refused("the mail server does not offer SMTPUTF8, which a non-ASCII address needs") from err


def _raise_if_permanent(code: int, reply: bytes | str) -> None:
    if 500 <= code < 600:
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
        raise Refused(f"{code} {text}")


class NoticeActivities:
    def __init__(self, outbox: Outbox, mailer: Mailer | None = None):
        self.outbox = outbox
        self.mailer = mailer
        self.sender = mailer.settings.from_ if mailer else Sender()

    @activity.defn(name=SEND_NOTICE)
    async def send_notice(self, notice: Notice) -> int:
        """Deliver to every recipient not yet sent to; returns how many were sent now."""
        return await self.deliver(notice, activity.info().scheduled_time)

    async def deliver(self, notice: Notice, asked_at: datetime) -> int:
        """The delivery itself, also used by the web app for sign-in links (no workflow involved)."""
        words = letter(notice)
        sent = 0
        for recipient in dict.fromkeys(notice.to):
            if activity.in_activity():
                activity.heartbeat(recipient)  # one message at a time: the attempt is alive
            invite = calendar_invite(notice.invite, recipient, self.sender) if notice.invite else None
            mid = message_id(notice.key, recipient, self.sender.address)
            if not await asyncio.to_thread(
                self.outbox.claim, notice.key, recipient, notice.kind.value, words.subject, words.text, invite, asked_at, mid
            ):
                continue
            if self.mailer is not None:
                try:
                    await asyncio.to_thread(self._send, notice.key, recipient, words, invite)
                except Refused as refused:
                    await self._undeliverable(notice, recipient, refused.reply, asked_at)
                    continue
            await asyncio.to_thread(self.outbox.mark_sent, notice.key, recipient, "smtp" if self.mailer else "outbox")
            sent += 1
        log.info("notice delivered", key=notice.key, kind=notice.kind.value, sent=sent)
        return sent

    def _send(self, key: str, recipient: str, words: Letter, invite: str | None) -> None:
        assert self.mailer is not None
        self.mailer.send(recipient, compose(self.sender, recipient, key, words, invite, datetime.now(UTC)))

    async def _undeliverable(self, notice: Notice, address: str, reply: str, asked_at: datetime) -> None:
        """Tell the coordinators first, then mark: a worker dying in between tries the address again and tells no one twice."""
        log.warning("address undeliverable", key=notice.key, kind=notice.kind.value, reply=reply)
        cohort = cohort_of(notice.key)
        if cohort is not None and notice.kind != NoticeKind.undeliverable:
            found = await asyncio.to_thread(members.people, self.outbox.database, cohort, Role.coordinator, limit=1000)
            coordinators = [p.email for p in found.rows if p.email.lower() != address.lower()]
            if coordinators:
                await self.deliver(notices.undeliverable(cohort, coordinators, address, reply), asked_at)
        await asyncio.to_thread(self.outbox.mark_undeliverable, notice.key, address, reply)
