"""A moved session's updated invite replaces the one a calendar holds (SEQUENCE+1), in a real CalDAV server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time, timedelta

import pytest
from icalendar import Calendar, Component

from activities.invites import calendar_invite
from activities.messages import Sender
from domain.notices import NoticeKind
from domain.processes.training import SessionChanged, TrainingProcess, TrainingWithdrawn
from tests.activities.radicale import Radicale, running_radicale
from tests.activities.records import program, training
from tests.roster_fixtures import ANN

P = program()
OFFICE = Sender(address="coaching@esd112.test", name="ESD 112 Coaching", reply_to="office@esd112.test")


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    with running_radicale(tmp_path_factory.mktemp("radicale")) as server:
        yield server


def event_of(text: str) -> Component:
    [event] = Calendar.from_ical(text).walk("VEVENT")
    return event


def test_a_moved_session_updates_the_event_in_the_calendar_and_a_withdrawal_then_cancels_it(radicale: Radicale) -> None:
    calendar = radicale.new_calendar()
    process, record = TrainingProcess(P), training()
    effects = process.start(record, P.session_start(3) - timedelta(days=30))
    reminded_at = P.session_start(3) - timedelta(days=7)
    while effects.wake_at is not None and effects.wake_at <= reminded_at:
        effects = process.wake(record, effects.wake_at)
    [reminder] = [n for n in effects.notices if n.kind == NoticeKind.session_reminder]
    assert reminder.invite is not None and reminder.context["session"] == 3
    assert calendar.put("session-3", calendar_invite(reminder.invite, ANN, OFFICE)).status_code == 201

    session = P.session(3)
    moved = session.model_copy(update={"starts_on": session.starts_on + timedelta(days=7), "starts_at": time(15, 30), "ends_at": time(17)})
    [changed] = process.receive(record, SessionChanged(session=moved, sequence=1, reason="a snow day"), reminded_at).notices
    assert changed.invite is not None
    sent = calendar_invite(changed.invite, ANN, OFFICE)
    assert str(Calendar.from_ical(sent)["METHOD"]) == "REQUEST"
    assert calendar.put("session-3", sent).status_code in (201, 204)

    stored = event_of(calendar.get("session-3"))
    assert str(stored["UID"]) == str(event_of(calendar_invite(reminder.invite, ANN, OFFICE))["UID"])
    assert stored.decoded("SEQUENCE") == 1
    start = stored.decoded("DTSTART")
    assert (start.date(), start.time(), start.tzinfo.key) == (moved.starts_on, time(15, 30), P.timezone)  # type: ignore[union-attr]
    assert stored.decoded("DTEND").time() == time(17)

    cancellations = process.receive(record, TrainingWithdrawn(), reminded_at + timedelta(hours=1)).notices
    [cancelled] = [n for n in cancellations if n.context["session"] == 3]
    assert cancelled.invite is not None
    assert calendar.put("session-3", calendar_invite(cancelled.invite, ANN, OFFICE)).status_code in (201, 204)
    stored = event_of(calendar.get("session-3"))
    assert (str(stored["STATUS"]), stored.decoded("SEQUENCE"), stored.decoded("DTSTART").date()) == ("CANCELLED", 2, moved.starts_on)
