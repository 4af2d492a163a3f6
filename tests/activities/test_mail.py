"""The messages a real SMTP server (aiosmtpd) receives, parsed as a receiving system would (`email.policy.default`):
standard headers, a text and an HTML part, the same Message-ID for a resend; and addresses the server refuses."""

from __future__ import annotations

import re
import smtplib
from collections import Counter
from datetime import date
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest
from pydantic import SecretStr

from activities.messages import Sender, compose, letter, message_id, render
from activities.names import SEND_NOTICE
from activities.notifications import Links, Mailer, NoticeActivities, SmtpSettings
from domain import application_links
from domain.application_links import Purpose
from domain.notices import Notice
from domain.preferences import CHOICES, Frequency
from store import preferences, rosters
from store.database import Database
from store.outbox import Outbox
from tests.activities.conftest import ASKED_AT, SmtpServer, activity_environment
from tests.activities.records import COHORT, program, realistic_notices
from tests.databases import sqlite_database
from tests.roster_fixtures import ANN, COORDINATOR, PRINCIPAL, TIA, small_roster
from workflows.digest import SEND_DIGEST, DigestOrder

NOTICES = realistic_notices()
ZOE = "zoë.teacher@hazel.test"  # a non-ASCII local part needs SMTPUTF8, which the test server does not offer
REFUSED = "550 5.1.1 <ann@hazel.test>: mailbox unavailable"


async def send(activities: NoticeActivities, n: Notice, attempt: int = 1) -> int:
    result: int = await activity_environment(SEND_NOTICE, attempt).run(activities.send_notice, n)
    return result


@pytest.fixture
def outbox(database: Database) -> Outbox:
    rosters.record_launch(database, COHORT, program(), small_roster(), COORDINATOR, ASKED_AT)  # Cora coordinates the cohort
    return Outbox(database)


def everything_at_once(database: Database, email: str) -> None:
    """The person chose to hear of every kind at once (a coordinator's default holds some for the digest)."""
    for kind in CHOICES:
        preferences.choose(database, email, kind, Frequency.immediate, ASKED_AT)


def district(server: SmtpServer) -> SmtpSettings:
    return server.settings.model_copy(
        update={"sender": "coaching@esd112.test", "sender_name": "ESD 112 Coaching", "reply_to": "office@esd112.test"}
    )


@pytest.fixture
def by_smtp(outbox: Outbox, smtp_server: SmtpServer) -> NoticeActivities:
    return NoticeActivities(outbox, Mailer(district(smtp_server)))


def raw_head(message: bytes) -> list[bytes]:
    return message.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].split(b"\n")


def part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body((subtype,))
    assert body is not None, f"no text/{subtype} part"
    content: str = body.get_content()
    return content.replace("\r\n", "\n")


# -- standard messages ---------------------------------------------------------------------------


async def test_every_kind_is_a_standard_message(by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox) -> None:
    everything_at_once(outbox.database, COORDINATOR)
    for n, _ in NOTICES.values():
        assert await send(by_smtp, n) == len(set(n.to))

    envelopes = smtp_server.inbox.envelopes
    expected = [(n, r) for n, _ in NOTICES.values() for r in dict.fromkeys(n.to)]
    assert len(envelopes) == len(expected)
    for envelope, message, (n, recipient) in zip(envelopes, smtp_server.inbox.messages(), expected, strict=True):
        words = letter(_as_sent_without_links(n))
        assert envelope.rcpt_tos == [recipient]
        assert message["Message-ID"] == message_id(n.key, recipient, "coaching@esd112.test")
        assert re.fullmatch(r"<[0-9a-f]{32}@esd112\.test>", message["Message-ID"])
        assert parsedate_to_datetime(message["Date"]).tzinfo is not None
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["From"] == "ESD 112 Coaching <coaching@esd112.test>"
        assert message["Reply-To"] == "office@esd112.test"
        assert message["Subject"] == words.subject  # one line, nothing before it
        assert isinstance(envelope.content, bytes)
        [subject_line] = [line for line in raw_head(envelope.content) if line.startswith(b"Subject:")]
        assert subject_line.split(b":", 1)[1].strip(), f"{n.kind}: the subject was folded onto an empty first line"
        assert message.get_content_type() == ("multipart/mixed" if n.invite else "multipart/alternative")
        assert part(message, "plain") == words.text
        html = part(message, "html")
        assert "max-width" in html and 'name="viewport"' in html
        for text in NOTICES_SHOWN[n.key]:
            assert text in f"{message['Subject']}\n{part(message, 'plain')}"
    ids = [m["Message-ID"] for m in smtp_server.inbox.messages()]
    assert len(set(ids)) == len(ids), "another notice or another recipient is another message"


NOTICES_SHOWN = {n.key: shown for n, shown in NOTICES.values()}


def _as_sent_without_links(n: Notice) -> Notice:
    """A sender that does not know the web app says so where an application's link would be."""
    if n.context.get("link") not in Purpose._value2member_map_:
        return n
    return n.model_copy(update={"context": n.context | {"link": "(no link: this sender does not know the web app)"}})


async def test_an_applicants_link_is_their_own_signed_link_and_the_outbox_keeps_none(outbox: Outbox, smtp_server: SmtpServer) -> None:
    secret = "the web app's secret"
    links = Links(web_url="https://peercoach.example.org", secret=SecretStr(secret))
    received = NOTICES["application_received"][0]
    assert await send(NoticeActivities(outbox, Mailer(district(smtp_server)), links), received) == 1

    [message] = smtp_server.inbox.messages()
    [link] = re.findall(r"https://peercoach\.example\.org/apply/confirm/(\S+)", part(message, "plain"))
    grant = application_links.granted(secret.encode(), link)
    assert grant is not None and (grant.purpose, grant.application, grant.email) == (
        Purpose.confirm,
        received.context["application"],
        received.to[0],
    )
    assert application_links.granted(b"another secret", link) is None
    [kept] = outbox.entries(kind="application_received")
    assert link not in kept.body and application_links.NOT_SENT in kept.body


async def test_a_resend_after_a_lost_mark_is_the_same_message(smtp_server: SmtpServer, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Two ledgers stand in for a mark that never happened: the second sends the notice again, as a retry would."""
    decided = NOTICES["release_decided_approved"][0]
    for n in range(2):
        database = sqlite_database(tmp_path_factory.mktemp(f"ledger-{n}"))
        try:
            assert await send(NoticeActivities(Outbox(database), Mailer(smtp_server.settings)), decided) == 3
        finally:
            database.dispose()

    by_recipient: dict[str, set[str]] = {}
    for envelope, message in zip(smtp_server.inbox.envelopes, smtp_server.inbox.messages(), strict=True):
        by_recipient.setdefault(envelope.rcpt_tos[0], set()).add(message["Message-ID"])
    assert Counter(e.rcpt_tos[0] for e in smtp_server.inbox.envelopes) == {TIA: 2, ANN: 2, PRINCIPAL: 2}
    assert all(len(ids) == 1 for ids in by_recipient.values())
    assert len({id for ids in by_recipient.values() for id in ids}) == 3


def test_what_people_typed_is_escaped_in_the_html_and_links_are_links() -> None:
    moved = NOTICES["stage_moved"][0]
    typed = moved.model_copy(update={"context": {**moved.context, "note": '<script>alert("x")</script> & <b>bold</b>'}})

    html = letter(typed).html

    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    link = "https://peercoach.example.org/sign-in/abc.def"
    assert f'<a href="{link}">{link}</a>' in letter(NOTICES["sign_in"][0]).html


def test_a_long_subject_folds_after_its_first_word() -> None:
    n = NOTICES["release_requested"][0]
    subject, _ = render(n)
    assert len(subject) > 70  # longer than fits after "Subject: "

    raw = compose(Sender(), PRINCIPAL, n.key, letter(n), None, ASKED_AT).as_bytes()

    lines = raw_head(raw)
    start = next(i for i, line in enumerate(lines) if line.startswith(b"Subject:"))
    assert lines[start].startswith(b"Subject: Release time request")
    assert lines[start + 1].startswith(b" ") and all(len(line) <= 78 for line in lines)


# -- bounces -----------------------------------------------------------------------------------------


async def digests_to_coordinator(by_smtp: NoticeActivities, smtp_server: SmtpServer) -> list[EmailMessage]:
    """The coordinator hears of an undeliverable address in their daily digest (their default): send it, and read it."""
    order = DigestOrder(recipient=COORDINATOR, day=date(2026, 4, 13), until=ASKED_AT)
    await activity_environment(SEND_DIGEST).run(by_smtp.send_digest, order)
    return [m for m in smtp_server.inbox.to(COORDINATOR) if str(m["Subject"]).startswith("Your Peer Coaching digest")]


@pytest.mark.parametrize("where", ["RCPT", "DATA"])
async def test_a_permanent_refusal_marks_the_address_undeliverable_after_one_attempt(
    where: str, by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox
) -> None:
    decided = NOTICES["release_decided_approved"][0]  # to Tia, Ann, Pat
    (smtp_server.inbox.refuse if where == "RCPT" else smtp_server.inbox.refuse_data)[ANN] = REFUSED

    assert await send(by_smtp, decided) == 2  # no error: nothing for Temporal to retry

    rows = {r.recipient: r for r in outbox.entries() if r.key == decided.key}
    assert {r: row.status for r, row in rows.items()} == {TIA: "sent", ANN: "undeliverable", PRINCIPAL: "sent"}
    assert (rows[ANN].attempts, rows[ANN].reply, rows[ANN].sent_at) == (1, REFUSED, None)
    assert [r.status for r in outbox.entries(kind="undeliverable")] == ["held for digest"]
    [told] = await digests_to_coordinator(by_smtp, smtp_server)
    assert f"Mail to {ANN} cannot be delivered" in part(told, "plain")
    assert REFUSED in part(told, "plain")

    assert await send(by_smtp, decided, attempt=2) == 0  # a retry asks the server nothing more
    assert smtp_server.inbox.asked.count(ANN) == 1


async def test_the_coordinators_hear_once_per_address(by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox) -> None:
    smtp_server.inbox.refuse[ANN] = REFUSED

    for name in ("make_up", "coaching_unlocked", "training_finished"):
        await send(by_smtp, NOTICES[name][0])

    [told] = await digests_to_coordinator(by_smtp, smtp_server)
    assert part(told, "plain").count(f"Mail to {ANN} cannot be delivered") == 1
    assert {r.key for r in outbox.entries(kind="undeliverable")} == {f"undeliverable:{COHORT}:{ANN}"}
    assert {r.status for r in outbox.entries(recipient=ANN)} == {"undeliverable"}


async def test_an_address_the_server_cannot_take_without_smtputf8_is_undeliverable(
    by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox
) -> None:
    unlocked = NOTICES["coaching_unlocked"][0].model_copy(update={"to": [ZOE]})

    assert await send(by_smtp, unlocked) == 0

    [row] = outbox.entries(recipient=ZOE)
    assert (row.status, row.attempts) == ("undeliverable", 1)
    assert row.reply is not None and "SMTPUTF8" in row.reply
    [told] = await digests_to_coordinator(by_smtp, smtp_server)
    assert ZOE in part(told, "plain")


async def test_a_refused_coordinator_is_not_told_about_themselves(
    by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox
) -> None:
    smtp_server.inbox.refuse[COORDINATOR] = REFUSED

    assert await send(by_smtp, NOTICES["cohort_launched"][0]) == 0

    assert outbox.entries(kind="undeliverable") == []
    assert [r.status for r in outbox.entries(recipient=COORDINATOR)] == ["undeliverable"]


@pytest.mark.parametrize("where", ["RCPT", "DATA"])
async def test_a_temporary_refusal_raises_so_temporal_retries(
    where: str, by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox
) -> None:
    unlocked = NOTICES["coaching_unlocked"][0]
    refusals = smtp_server.inbox.refuse if where == "RCPT" else smtp_server.inbox.refuse_data
    refusals[ANN] = "451 4.3.0 try again later"

    with pytest.raises(smtplib.SMTPRecipientsRefused if where == "RCPT" else smtplib.SMTPDataError):
        await send(by_smtp, unlocked)
    [row] = outbox.entries()
    assert (row.status, row.attempts) == ("pending", 1)

    refusals.clear()
    assert await send(by_smtp, unlocked, attempt=2) == 1
    [row] = outbox.entries()
    assert (row.status, row.attempts) == ("sent", 2)
    assert outbox.entries(kind="undeliverable") == []
