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
- How often (domain/preferences.py): a recipient who wants a kind in their daily digest, or not at
  all, is not sent it now; the outbox keeps its row ("held for digest" or "turned off"). The day's
  digest (`send_digest`, started by workflows/digest.py) lists the held rows in one message, keyed
  `digest:<email>:<day>`. Messages of kinds a person may turn off carry a one-click unsubscribe link.
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
from activities.messages import Letter, Sender, compose, letter, message_id, without_greeting
from activities.names import SEND_NOTICE
from domain import application_links, notices, preferences
from domain.application_links import Purpose
from domain.notices import Notice, NoticeKind, cohort_of
from domain.preferences import Frequency, Held, digest_key
from domain.roster import MailServer, Role
from store import members
from store import preferences as chosen_preferences
from store.outbox import HELD, TURNED_OFF, Outbox
from workflows.digest import HELD_RECIPIENTS, SEND_DIGEST, DigestOrder, HeldUntil

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

    def mail_server(self) -> MailServer:
        """What the server says it takes, from its answer to EHLO (after STARTTLS, as sending sees it): the roster check's."""
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
            if s.starttls:
                smtp.starttls()
            smtp.ehlo_or_helo_if_needed()
            return MailServer(name=f"{s.host}:{s.port}", smtputf8=smtp.has_extn("smtputf8"))


def _link_purpose(notice: Notice) -> Purpose | None:
    """The link an application's notice asks for, by its purpose (`domain/application_notices.py`)."""
    asked = notice.context.get("link")
    return Purpose(asked) if isinstance(asked, str) and asked in Purpose._value2member_map_ and "application" in notice.context else None


def _with_link(notice: Notice, link: str) -> Notice:
    return notice.model_copy(update={"context": notice.context | {"link": link}})


def _raise_if_permanent(code: int, reply: bytes | str) -> None:
    if 500 <= code < 600:
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
        raise Refused(f"{code} {text}")


class Links(BaseModel):
    """Where the web app is, and its secret: a message's links to the preferences page and to unsubscribe."""

    web_url: str
    secret: SecretStr

    @property
    def preferences(self) -> str:
        return f"{self.web_url.rstrip('/')}/preferences"

    def application(self, purpose: Purpose, application: str, recipient: str) -> str:
        """The recipient's own link to act on an application (confirm, endorse, see its status)."""
        signed = application_links.token(self.secret.get_secret_value().encode(), purpose, application, recipient)
        return f"{self.web_url.rstrip('/')}{application_links.path(purpose, signed)}"

    def unsubscribe(self, recipient: str, kind: NoticeKind) -> str:
        token = preferences.unsubscribe_token(self.secret.get_secret_value().encode(), recipient, kind)
        return f"{self.web_url.rstrip('/')}/unsubscribe/{token}"


class NoticeActivities:
    def __init__(self, outbox: Outbox, mailer: Mailer | None = None, links: Links | None = None):
        self.outbox = outbox
        self.mailer = mailer
        self.links = links
        self.sender = mailer.settings.from_ if mailer else Sender()

    @activity.defn(name=SEND_NOTICE)
    async def send_notice(self, notice: Notice) -> int:
        """Deliver to every recipient not yet sent to; returns how many were sent now."""
        return await self.deliver(notice, activity.info().scheduled_time)

    async def deliver(self, notice: Notice, asked_at: datetime) -> int:
        """The delivery itself, also used by the web app for sign-in links (no workflow involved)."""
        linked = _link_purpose(notice)
        words = letter(notice)
        kept = letter(notice.as_kept())  # what the outbox holds: a note reaches its partners, never the table
        if linked is not None:  # a personal link is in the message sent, never in the outbox
            kept = letter(_with_link(notice, application_links.NOT_SENT))
        sent = 0
        for recipient in dict.fromkeys(notice.to):
            if activity.in_activity():
                activity.heartbeat(recipient)  # one message at a time: the attempt is alive
            mid = message_id(notice.key, recipient, self.sender.address)
            how = await self._frequency(notice, recipient)
            if how != Frequency.immediate:
                status = HELD if how == Frequency.digest else TURNED_OFF
                await asyncio.to_thread(
                    self.outbox.hold, notice.key, recipient, notice.kind.value, kept.subject, kept.text, asked_at, status, mid
                )
                continue
            if linked is not None:
                words = letter(_with_link(notice, self._application_link(linked, str(notice.context["application"]), recipient)))
            invite = calendar_invite(notice.invite, recipient, self.sender) if notice.invite else None
            if not await asyncio.to_thread(
                self.outbox.claim, notice.key, recipient, notice.kind.value, kept.subject, kept.text, invite, asked_at, mid
            ):
                continue
            if self.mailer is not None:
                try:
                    await asyncio.to_thread(self._send, notice, recipient, words, invite)
                except Refused as refused:
                    await self._undeliverable(notice, recipient, refused.reply, asked_at)
                    continue
            await asyncio.to_thread(self.outbox.mark_sent, notice.key, recipient, "smtp" if self.mailer else "outbox")
            sent += 1
        log.info("notice delivered", key=notice.key, kind=notice.kind.value, sent=sent)
        return sent

    def _application_link(self, purpose: Purpose, application: str, recipient: str) -> str:
        if self.links is None:  # only a test's sender goes without the web app's address and secret
            return "(no link: this sender does not know the web app)"
        return self.links.application(purpose, application, recipient)

    async def _frequency(self, notice: Notice, recipient: str) -> Frequency:
        if len(preferences.choices(notice.kind)) == 1:  # a sign-in link, a request to decide: no need to ask
            return Frequency.immediate
        role, chosen = await asyncio.to_thread(chosen_preferences.recipient, self.outbox.database, cohort_of(notice.key), recipient)
        return preferences.frequency(notice.kind, role, chosen)

    def _send(self, notice: Notice, recipient: str, words: Letter, invite: str | None) -> None:
        assert self.mailer is not None
        unsubscribe = self.links.unsubscribe(recipient, notice.kind) if self.links and preferences.optional(notice.kind) else None
        self.mailer.send(recipient, compose(self.sender, recipient, notice.key, words, invite, datetime.now(UTC), unsubscribe))

    @activity.defn(name=HELD_RECIPIENTS)
    async def held_recipients(self, held: HeldUntil) -> list[str]:
        """Everyone a digest is due for: a notice held for them, asked for by `until`."""
        return await asyncio.to_thread(self.outbox.held_recipients, held.until)

    @activity.defn(name=SEND_DIGEST)
    async def send_digest(self, order: DigestOrder) -> int:
        """The person's digest of the day: 1 if it went out now, 0 if it had gone already (or nothing was held).

        Gathering ties the held rows to the digest's key before it is sent, and a sent digest gathers no more:
        an attempt after a crash lists the same notices, its message has the same key (the outbox does not
        send it twice) and the same Message-ID if the crash fell between sending and marking."""
        key = digest_key(order.recipient, order.day)
        rows = await asyncio.to_thread(self.outbox.gather, order.recipient, key, order.until)
        if not rows:
            return 0
        held = [Held(key=r.key, kind=r.kind, subject=r.subject, text=without_greeting(r.body), asked_at=r.created_at) for r in rows]
        where = self.links.preferences if self.links else "the Preferences page of the program's web app"
        sent = await self.deliver(preferences.digest(order.recipient, order.day, held, where), order.until)
        await asyncio.to_thread(self.outbox.mark_digested, order.recipient, key)
        return sent

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
