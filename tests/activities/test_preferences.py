"""How often: each recipient's choice (or their role's default) decides whether a notice goes out now, waits for
the daily digest, or is turned off; the digest goes out once a person and day; optional kinds carry a one-click
unsubscribe link. Against a real SMTP server (aiosmtpd) and a real database."""

from __future__ import annotations

import asyncio
import os
import smtplib
import sys
from asyncio.subprocess import PIPE
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import SecretStr

from activities.names import SEND_NOTICE
from activities.notifications import Links, Mailer, NoticeActivities
from domain import preferences as rule
from domain.notices import Notice, NoticeKind
from domain.preferences import Frequency
from domain.roster import MailServer, read_roster_file
from store import preferences, rosters
from store.database import Database
from store.outbox import Outbox
from tests.activities.conftest import ASKED_AT, SmtpServer, activity_environment
from tests.activities.records import COHORT, program, realistic_notices
from tests.roster_fixtures import ANN, COORDINATOR, PRINCIPAL, SMALL, TIA, small_roster
from workflows.digest import SEND_DIGEST, DigestOrder, HeldUntil

NOTICES = {name: n for name, (n, _) in realistic_notices().items()}
SECRET = "a secret for the preference tests"
LINKS = Links(web_url="https://peercoach.example.org", secret=SecretStr(SECRET))
DAY = date(2026, 4, 13)


@pytest.fixture
def outbox(database: Database) -> Outbox:
    rosters.record_launch(database, COHORT, program(), small_roster(), COORDINATOR, ASKED_AT)  # Cora coordinates, Tia teaches
    return Outbox(database)


@pytest.fixture
def by_smtp(outbox: Outbox, smtp_server: SmtpServer) -> NoticeActivities:
    return NoticeActivities(outbox, Mailer(smtp_server.settings), LINKS)


async def send(activities: NoticeActivities, n: Notice) -> int:
    result: int = await activity_environment(SEND_NOTICE).run(activities.send_notice, n)
    return result


async def send_digest(activities: NoticeActivities, recipient: str, until: object = ASKED_AT) -> int:
    result: int = await activity_environment(SEND_DIGEST).run(
        activities.send_digest, DigestOrder(recipient=recipient, day=DAY, until=until)
    )
    return result


def digests(smtp_server: SmtpServer, recipient: str) -> list[str]:
    found = []
    for message in smtp_server.inbox.to(recipient):
        if str(message["Subject"]).startswith("Your Peer Coaching digest"):
            body = message.get_body(("plain",))
            assert body is not None
            found.append(body.get_content())
    return found


# -- at once, held, or off -------------------------------------------------------------------------


async def test_a_coordinator_hears_of_attendance_due_in_the_digest_by_default(
    by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox
) -> None:
    due = NOTICES["attendance_due"]

    assert await send(by_smtp, due) == 0

    assert smtp_server.inbox.envelopes == []
    [row] = outbox.entries(recipient=COORDINATOR)
    assert (row.key, row.kind, row.status, row.digest) == (due.key, "attendance_due", "held for digest", None)
    assert await send(by_smtp, due) == 0  # a retried activity holds it once
    assert len(outbox.entries(recipient=COORDINATOR)) == 1


async def test_a_teacher_hears_of_a_stage_move_at_once_with_a_one_click_unsubscribe_link(
    by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox
) -> None:
    moved = NOTICES["stage_moved"]

    assert await send(by_smtp, moved) == 1

    [message] = smtp_server.inbox.to(TIA)  # parsed with email.policy.default
    link = str(message["List-Unsubscribe"])
    assert link.startswith("<https://peercoach.example.org/unsubscribe/") and link.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = link[1:-1].rsplit("/", 1)[1]
    assert rule.unsubscribed_by(SECRET.encode(), token) == (TIA, NoticeKind.stage_moved)
    assert rule.unsubscribed_by(b"another secret", token) is None
    [envelope] = smtp_server.inbox.envelopes
    assert isinstance(envelope.content, bytes)
    assert f"List-Unsubscribe: {link}\r\n".encode() in envelope.content  # as written: no encoded words for a mail app to undo


async def test_what_cannot_be_turned_off_carries_no_unsubscribe_link_and_is_never_held(
    by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox
) -> None:
    # A choice the kind does not allow (written past the page's check) changes nothing: a request to decide goes at once.
    preferences.choose(outbox.database, PRINCIPAL, NoticeKind.release_requested, Frequency.digest, ASKED_AT)
    asked = NOTICES["release_requested"]

    assert await send(by_smtp, asked) == 1

    [message] = smtp_server.inbox.to(PRINCIPAL)
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert [r.status for r in outbox.entries(recipient=PRINCIPAL)] == ["sent"]


async def test_a_kind_turned_off_is_not_sent_but_kept(by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox) -> None:
    preferences.choose(outbox.database, TIA, NoticeKind.stage_moved, Frequency.off, ASKED_AT)

    assert await send(by_smtp, NOTICES["stage_moved"]) == 0

    assert smtp_server.inbox.to(TIA) == []
    assert [(r.kind, r.status) for r in outbox.entries(recipient=TIA)] == [("stage_moved", "turned off")]
    assert await send_digest(by_smtp, TIA) == 0  # and no digest lists it


async def test_a_coordinator_who_chose_at_once_hears_at_once(by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox) -> None:
    preferences.choose(outbox.database, COORDINATOR, NoticeKind.attendance_due, Frequency.immediate, ASKED_AT)

    assert await send(by_smtp, NOTICES["attendance_due"]) == 1

    [message] = smtp_server.inbox.to(COORDINATOR)
    assert message["List-Unsubscribe"] is None  # attendance due cannot be turned off, only held


# -- the digest ---------------------------------------------------------------------------------------


async def test_the_digest_lists_every_held_notice_once_and_marks_them(
    by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox
) -> None:
    for name in ("attendance_due", "stall_escalation", "undeliverable"):
        await send(by_smtp, NOTICES[name])
    assert smtp_server.inbox.to(COORDINATOR) == []

    assert await send_digest(by_smtp, COORDINATOR) == 1

    [text] = digests(smtp_server, COORDINATOR)
    assert text.index("Addresses the mail server refused (1)") < text.index("Stalled partnerships (escalations) (1)")
    assert text.index("Stalled partnerships (escalations) (1)") < text.index("Attendance to record (1)")
    assert "Mail to zoë.teacher@hazel.test cannot be delivered" in text and "550 5.1.1" in text
    assert "https://peercoach.example.org/preferences" in text
    assert text.count("Hello,") == 1  # the held messages' greetings are left out
    key = f"digest:{COORDINATOR}:{DAY.isoformat()}"
    held = [r for r in outbox.entries(recipient=COORDINATOR) if r.kind != "digest"]
    assert {(r.status, r.digest) for r in held} == {("sent in digest", key)}
    [row] = outbox.find(key)
    assert (row.kind, row.status, row.via) == ("digest", "sent", "smtp")

    assert await send_digest(by_smtp, COORDINATOR) == 0  # triggered again the same day
    assert len(digests(smtp_server, COORDINATOR)) == 1


async def test_a_digest_sent_before_a_crash_is_not_sent_twice_and_lists_what_it_listed(
    by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox
) -> None:
    """The worker died after the server took the digest and before the held rows were marked: the retry sends nothing,
    marks them, and a notice held since waits for the next day's digest."""
    await send(by_smtp, NOTICES["attendance_due"])
    key = f"digest:{COORDINATOR}:{DAY.isoformat()}"
    gathered = outbox.gather(COORDINATOR, key, ASKED_AT)  # the first attempt, up to its send
    held = [rule.Held(key=r.key, kind=r.kind, subject=r.subject, text=r.body, asked_at=r.created_at) for r in gathered]
    await by_smtp.deliver(rule.digest(COORDINATOR, DAY, held, LINKS.preferences), ASKED_AT)
    assert len(digests(smtp_server, COORDINATOR)) == 1
    later = NOTICES["stall_escalation"]
    await activity_environment(SEND_NOTICE, scheduled_time=ASKED_AT - timedelta(minutes=1)).run(by_smtp.send_notice, later)

    assert await send_digest(by_smtp, COORDINATOR) == 0  # the retry

    assert len(digests(smtp_server, COORDINATOR)) == 1
    rows = {r.kind: (r.status, r.digest) for r in outbox.entries(recipient=COORDINATOR)}
    assert rows == {"attendance_due": ("sent in digest", key), "stall_escalation": ("held for digest", None), "digest": ("sent", None)}
    tomorrow = DigestOrder(recipient=COORDINATOR, day=DAY + timedelta(days=1), until=ASKED_AT + timedelta(days=1))
    assert await activity_environment(SEND_DIGEST).run(by_smtp.send_digest, tomorrow) == 1
    assert "Stalled partnerships (escalations) (1)" in digests(smtp_server, COORDINATOR)[1]


async def test_nobody_gets_an_empty_digest(by_smtp: NoticeActivities, smtp_server: SmtpServer, outbox: Outbox) -> None:
    await send(by_smtp, NOTICES["attendance_due"])

    assert await activity_environment("held_recipients").run(by_smtp.held_recipients, HeldUntil(until=ASKED_AT)) == [COORDINATOR]
    assert await send_digest(by_smtp, ANN) == 0
    assert smtp_server.inbox.envelopes == []


# -- the roster check ---------------------------------------------------------------------------------


def test_the_roster_check_warns_of_addresses_a_server_without_smtputf8_cannot_take(smtp_server: SmtpServer) -> None:
    text = SMALL + "Zoë Teacher,zoë.teacher@hazel.test,teacher,Hazel,Vancouver,,ann@hazel.test,,Research projects,\n"
    text += "Uma Teacher,uma@hazél.test,teacher,Hazel,Vancouver,,ann@hazel.test,,Research projects,\n"
    found = read_roster_file(text.encode(), "roster.csv")

    server = Mailer(smtp_server.settings).mail_server()  # the test server does not offer SMTPUTF8

    assert server == MailServer(name=f"127.0.0.1:{smtp_server.port}", smtputf8=False)
    zoe, uma = found.mail_warnings(server)
    assert zoe.startswith("roster.csv, row 8, field 'email': the mail server 127.0.0.1:")
    assert "does not offer SMTPUTF8, so it cannot take zoë.teacher@hazel.test" in zoe
    assert "ask Zoë Teacher for an address without accents" in zoe
    assert uma.startswith("roster.csv, row 9, field 'email'") and "write the address as uma@xn--hazl-dpa.test" in uma
    assert found.mail_warnings(MailServer(name="smtp.example.org:587", smtputf8=True)) == []
    with pytest.raises(smtplib.SMTPNotSupportedError), smtplib.SMTP("127.0.0.1", smtp_server.port) as smtp:  # what it foretells
        smtp.send_message(EmailMessage(), from_addr="peercoach@localhost", to_addrs=["zoë.teacher@hazel.test"])


async def test_peercoach_cohort_check_prints_the_warning(smtp_server: SmtpServer, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(SMALL + "Zoë Teacher,zoë.teacher@hazel.test,teacher,Hazel,Vancouver,,ann@hazel.test,,Research projects,\n")
    env = {**os.environ, "PEERCOACH_SMTP_HOST": "127.0.0.1", "PEERCOACH_SMTP_PORT": str(smtp_server.port)}
    env["PEERCOACH_DATA_DIR"] = str(tmp_path / "data")

    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "peercoach"), "cohort", "check", "--roster", str(roster), env=env, stdout=PIPE, stderr=PIPE
    )
    out, err = await process.communicate()

    assert process.returncode == 0, err.decode()
    assert f"warning: {roster}, row 8, field 'email': the mail server 127.0.0.1:{smtp_server.port} does not offer SMTPUTF8" in err.decode()
    assert "7 people, 1 school, 3 partnerships; 1 warning(s) above." in out.decode()
