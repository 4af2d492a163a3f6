"""send_notice: each recipient gets each notice once, through the outbox or a real SMTP server."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from icalendar import Calendar

from activities.messages import SUBJECT_MAX, TEMPLATES, render
from activities.names import SEND_NOTICE
from activities.notifications import Mailer, NoticeActivities, SmtpSettings
from domain import notices
from domain.notices import Notice, NoticeKind
from store.database import Database
from store.outbox import Outbox
from tests.activities.conftest import ASKED_AT, SmtpServer, activity_environment, free_port
from tests.activities.records import program, realistic_notices, training
from tests.roster_fixtures import ANN, COORDINATOR, PRINCIPAL, TIA

NOTICES = realistic_notices()


def notice(name: str) -> Notice:
    return NOTICES[name][0]


async def send(activities: NoticeActivities, n: Notice, attempt: int = 1) -> int:
    """Run the activity the way a worker would, outside a worker."""
    result: int = await activity_environment(SEND_NOTICE, attempt).run(activities.send_notice, n)
    return result


@pytest.fixture
def outbox(database: Database) -> Outbox:
    return Outbox(database)


@pytest.fixture
def by_smtp(outbox: Outbox, smtp_server: SmtpServer) -> NoticeActivities:
    return NoticeActivities(outbox, Mailer(smtp_server.settings))


def invite_of(message: EmailMessage) -> Calendar:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_filename() == "session.ics"
    assert parts[0].get_param("method") == "REQUEST"
    return Calendar.from_ical(parts[0].get_content())


# -- without SMTP: the outbox is the delivery ------------------------------------------


async def test_without_a_mailer_each_recipient_gets_a_sent_outbox_row(outbox: Outbox) -> None:
    make_up = notice("make_up")
    subject, body = render(make_up)

    assert await send(NoticeActivities(outbox), make_up) == 2

    rows = outbox.entries()
    assert [r.recipient for r in rows] == sorted([ANN, COORDINATOR])
    for row in rows:
        assert (row.key, row.kind, row.status, row.via, row.attempts) == (make_up.key, "make_up", "sent", "outbox", 1)
        assert (row.subject, row.body, row.invite) == (subject, body, None)
        assert row.created_at == ASKED_AT  # Temporal's clock: when the workflow asked, not when it ran
        assert row.sent_at is not None


async def test_the_same_key_sent_twice_is_delivered_once(outbox: Outbox) -> None:
    activities = NoticeActivities(outbox)
    unlocked = notice("coaching_unlocked")

    assert await send(activities, unlocked) == 1
    assert await send(activities, unlocked, attempt=2) == 0

    [row] = outbox.entries()
    assert (row.recipient, row.status, row.attempts) == (ANN, "sent", 1)


async def test_a_recipient_named_twice_is_told_once(outbox: Outbox) -> None:
    twice = notice("coaching_unlocked").model_copy(update={"to": [ANN, ANN]})

    assert await send(NoticeActivities(outbox), twice) == 1
    assert len(outbox.entries()) == 1


async def test_a_recipient_added_to_a_known_key_is_still_told(outbox: Outbox) -> None:
    activities = NoticeActivities(outbox)
    launched = notice("cohort_launched")

    assert await send(activities, launched) == 1
    assert await send(activities, launched.model_copy(update={"to": [COORDINATOR, PRINCIPAL]})) == 1
    assert sorted(r.recipient for r in outbox.entries()) == sorted([COORDINATOR, PRINCIPAL])


async def test_a_session_reminder_keeps_its_invite_in_the_outbox(outbox: Outbox) -> None:
    await send(NoticeActivities(outbox), notice("session_reminder_7d"))

    [row] = outbox.entries()
    assert row.invite is not None
    assert "BEGIN:VEVENT" in row.invite


# -- with SMTP --------------------------------------------------------------------------


async def test_smtp_delivers_one_message_per_recipient(by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox) -> None:
    decided = notice("release_decided_approved")
    subject, body = render(decided)
    assert decided.to == [TIA, ANN, PRINCIPAL]

    assert await send(by_smtp, decided) == 3

    envelopes = smtp_server.inbox.envelopes
    assert [e.rcpt_tos for e in envelopes] == [[TIA], [ANN], [PRINCIPAL]]
    assert {e.mail_from for e in envelopes} == {"peercoach@localhost"}
    for recipient in decided.to:
        [message] = smtp_server.inbox.to(recipient)
        assert message["To"] == recipient
        assert message["Subject"] == subject
        assert message["From"] == "Peer Coaching Program <peercoach@localhost>"
        text = message.get_body(("plain",))
        assert text is not None
        assert text.get_content().replace("\r\n", "\n") == body
    assert {(r.status, r.via) for r in outbox.entries()} == {("sent", "smtp")}


async def test_the_sender_comes_from_the_settings(outbox: Outbox, smtp_server: SmtpServer) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=smtp_server.port, sender="coaching@esd112.test", sender_name="ESD 112 Coaching")
    await send(NoticeActivities(outbox, Mailer(settings)), notice("coaching_unlocked"))

    [envelope] = smtp_server.inbox.envelopes
    assert envelope.mail_from == "coaching@esd112.test"
    assert smtp_server.inbox.messages()[0]["From"] == "ESD 112 Coaching <coaching@esd112.test>"


async def test_a_reminder_for_an_online_session_is_located_online(by_smtp: NoticeActivities, smtp_server: SmtpServer) -> None:
    await send(by_smtp, notice("session_reminder_1d_online"))

    [event] = invite_of(smtp_server.inbox.messages()[0]).walk("VEVENT")
    assert str(event["LOCATION"]) == "online"


async def test_other_notices_have_no_attachment(by_smtp: NoticeActivities, smtp_server: SmtpServer) -> None:
    await send(by_smtp, notice("coaching_unlocked"))

    [message] = smtp_server.inbox.messages()
    assert message.get_content_type() == "multipart/alternative"
    assert list(message.iter_attachments()) == []


async def test_resending_a_key_does_not_reach_smtp_again(by_smtp: NoticeActivities, smtp_server: SmtpServer) -> None:
    make_up = notice("make_up")

    assert await send(by_smtp, make_up) == 2
    assert await send(by_smtp, make_up, attempt=2) == 0
    assert await send(by_smtp, make_up, attempt=3) == 0

    assert sorted(r for e in smtp_server.inbox.envelopes for r in e.rcpt_tos) == sorted([ANN, COORDINATOR])


async def test_every_kind_goes_out_by_smtp(by_smtp: NoticeActivities, smtp_server: SmtpServer) -> None:
    expected = []
    for n, _ in NOTICES.values():
        assert await send(by_smtp, n) == len(set(n.to))
        expected += [(r, render(n)[0]) for r in dict.fromkeys(n.to)]

    received = [(e.rcpt_tos[0], m["Subject"]) for e, m in zip(smtp_server.inbox.envelopes, smtp_server.inbox.messages(), strict=True)]
    assert received == expected


# -- SMTP outages: raise so Temporal retries, and deliver exactly once afterwards ------------------


async def test_smtp_down_raises_and_the_retry_delivers_exactly_once(
    by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox
) -> None:
    unlocked = notice("coaching_unlocked")
    smtp_server.stop()

    with pytest.raises(ConnectionRefusedError):
        await send(by_smtp, unlocked)

    [row] = outbox.entries()
    assert (row.status, row.via, row.sent_at, row.attempts) == ("pending", None, None, 1)

    smtp_server.start()
    assert await send(by_smtp, unlocked, attempt=2) == 1
    assert await send(by_smtp, unlocked, attempt=3) == 0

    assert [e.rcpt_tos for e in smtp_server.inbox.envelopes] == [[ANN]]
    [row] = outbox.entries()
    assert (row.status, row.via, row.attempts) == ("sent", "smtp", 2)


async def test_a_wrong_port_raises_and_leaves_the_row_pending(outbox: Outbox, smtp_server: SmtpServer) -> None:
    unlocked = notice("coaching_unlocked")
    nowhere = NoticeActivities(outbox, Mailer(SmtpSettings(host="127.0.0.1", port=free_port(), timeout_seconds=5)))

    with pytest.raises(OSError):
        await send(nowhere, unlocked)
    assert [r.status for r in outbox.entries()] == ["pending"]

    fixed = NoticeActivities(outbox, Mailer(smtp_server.settings))  # the worker restarted with the right settings
    assert await send(fixed, unlocked, attempt=2) == 1
    assert len(smtp_server.inbox.envelopes) == 1


async def test_a_retry_after_a_partial_failure_skips_those_already_told(
    by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox
) -> None:
    decided = notice("release_decided_approved")  # to Tia, Ann, Pat in that order
    smtp_server.inbox.refuse = {ANN: "450 4.2.1 mailbox busy, try again later"}

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        await send(by_smtp, decided)
    assert {r.recipient: r.status for r in outbox.entries()} == {TIA: "sent", ANN: "pending"}

    smtp_server.inbox.refuse = {}
    assert await send(by_smtp, decided, attempt=2) == 2

    assert [e.rcpt_tos for e in smtp_server.inbox.envelopes] == [[TIA], [ANN], [PRINCIPAL]]
    assert {r.recipient: (r.status, r.attempts) for r in outbox.entries()} == {TIA: ("sent", 1), ANN: ("sent", 2), PRINCIPAL: ("sent", 1)}


# -- what goes into headers stays one header ---------------------------------------------------


def header_lines(raw: bytes) -> list[bytes]:
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return head.split(b"\n")


async def test_a_line_break_in_a_name_cannot_add_a_header(by_smtp: NoticeActivities, smtp_server: SmtpServer) -> None:
    evil = "\r\nBcc: evil@x"
    reminder = notices.session_reminder(training(name=f"Ann{evil}"), program(name=f"Peer Coaching{evil}"), 2, 7, ASKED_AT)

    assert await send(by_smtp, reminder) == 1

    [envelope] = smtp_server.inbox.envelopes
    assert envelope.rcpt_tos == [ANN]
    message = smtp_server.inbox.messages()[0]
    assert len(message.get_all("Subject", [])) == 1
    assert message.get_all("Bcc") is None
    assert isinstance(envelope.content, bytes)
    assert not [line for line in header_lines(envelope.content) if line.lower().startswith(b"bcc")]
    [event] = invite_of(message).walk("VEVENT")
    assert "\n" not in str(event["SUMMARY"])


def test_a_line_break_in_a_subject_value_stays_in_the_subject() -> None:
    reminder = notices.session_reminder(training(), program(name="Peer Coaching\n2026"), 2, 7, ASKED_AT)

    subject, body = render(reminder)

    assert subject == "Reminder: Peer Coaching 2026 session 2 is in 7 days"
    assert body.startswith("Hi Ann Coach,")


# -- templates ----------------------------------------------------------------------------


def test_every_kind_has_a_template_and_a_realistic_notice() -> None:
    kinds = {k.value for k in NoticeKind}
    assert {p.name.removesuffix(".txt.j2") for p in TEMPLATES.glob("*.txt.j2")} == kinds
    assert {n.kind.value for n, _ in NOTICES.values()} == kinds


@pytest.mark.parametrize("name", NOTICES)
def test_template_renders_a_one_line_subject_and_a_body(name: str) -> None:
    n, shown = NOTICES[name]

    subject, body = render(n)

    assert subject and subject == subject.strip() and subject.isprintable()
    assert len(subject) <= SUBJECT_MAX
    assert body.strip() and not body.startswith("\n")
    assert "{{" not in body and "{%" not in body and "None" not in subject + body
    for text in shown:
        assert text in f"{subject}\n{body}"


def test_a_long_subject_is_cut_to_the_maximum() -> None:
    long = notices.training_finished(training(), program(name="Peer Coaching " * 30))

    subject, _ = render(long)

    assert len(subject) == SUBJECT_MAX
    assert subject.startswith("Your Peer Coaching Peer Coaching")
