"""A help request on Temporal's time-skipping server: asked on a Friday afternoon, the coach is told at once, reminded
once when Monday (the next school day) has ended, never again; the answer is refused to anyone but the coach, then
taken once and sealed. Neither the question nor the answer is in the database or the outbox in plain text, and the
history replays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select, update
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from domain.help import AnswerKind, HelpAnswer, HelpRecord, HelpStatus
from domain.problems import Refused
from store import help_requests, rosters, tables
from store.database import Database
from store.sealed import Sealer, Unsealable
from tests.conftest import TEST_CONVERTER, TEST_KEYS, eventually, program_starting
from tests.roster_fixtures import ANN, ANN_TIA, COORDINATOR, TED, TIA, small_roster
from workers.codec import key_ring
from workers.worker import create_replayer
from workflows.help_request import HelpInput, HelpRequestWorkflow, help_id

QUESTION = "Stuck on the exit ticket for Thursday's research lesson"
ANSWER = "Try three sticky notes: one fact, one question, one source"


async def test_a_question_asked_on_a_friday_is_reminded_once_after_monday_then_answered(  # type: ignore[no-untyped-def]
    time_env: WorkflowEnvironment, harness
) -> None:
    h = harness(time_env.client)
    now = await time_env.get_current_time()
    program = program_starting((now - timedelta(days=100)).date())  # in UTC; school on weekdays, mail at 07:00
    cohort = "help-cohort"
    rosters.record_launch(h.database, cohort, program, small_roster(), COORDINATOR, now)
    friday = now.date() + timedelta(days=(4 - now.weekday()) % 7 + 7)
    await time_env.sleep(datetime.combine(friday, time(15, 0), UTC) - now)
    tuesday_morning = datetime.combine(friday + timedelta(days=4), time(7, 0), UTC)

    sealer = Sealer(key_ring(h.settings))
    asked_at = await time_env.get_current_time()
    record = HelpRecord(cohort=cohort, id="q1", partnership=ANN_TIA, teacher=TIA, coach=ANN, asked_at=asked_at, focused_time=True)
    help_requests.record_question(h.database, sealer, record, QUESTION)
    async with h.worker():
        handle = await time_env.client.start_workflow(
            HelpRequestWorkflow.run, HelpInput(record=record, program=program), id=help_id(cohort, "q1"), task_queue=h.task_queue
        )
        await eventually(lambda: h.sent("help_asked"))
        assert [e.recipient for e in h.outbox.entries(kind="help_asked")] == [ANN]

        await time_env.sleep(tuesday_morning - await time_env.get_current_time() - timedelta(hours=1))
        assert (await handle.query(HelpRequestWorkflow.details)).reminded_at is None  # Monday ended; not morning yet
        await time_env.sleep(timedelta(hours=2))
        await eventually(lambda: h.sent("help_reminder"))
        reminded = (await handle.query(HelpRequestWorkflow.details)).reminded_at
        assert reminded is not None and tuesday_morning <= reminded < tuesday_morning + timedelta(minutes=1)
        await time_env.sleep(timedelta(days=6))
        assert (await handle.query(HelpRequestWorkflow.details)).reminded_at == reminded  # once: never again
        assert [e.recipient for e in h.outbox.entries(kind="help_reminder")] == [ANN]

        with pytest.raises(Refused, match=f"only the coach asked \\({ANN}\\) answers"):
            await h.coaching()._update(
                handle, handle.execute_update(HelpRequestWorkflow.answer, HelpAnswer(actor=TIA, kind=AnswerKind.answered, text="Me"))
            )
        answered = await handle.execute_update(
            HelpRequestWorkflow.answer, HelpAnswer(actor=ANN, kind=AnswerKind.answered, text=f" {ANSWER}\r\n")
        )
        assert answered.status == HelpStatus.answered
        # Sealed before the Update answered: the teacher's page shows it at once.
        kept = help_requests.request(h.database, sealer, cohort, "q1")
        assert kept is not None and (kept.question, kept.answer, kept.answer_kind) == (QUESTION, ANSWER, AnswerKind.answered)
        assert kept.reminded_at == reminded
        result = await handle.result()
        assert result.status == HelpStatus.answered
        await eventually(lambda: h.sent("help_answered"))
        [told] = h.outbox.entries(kind="help_answered")
        assert told.recipient == TIA and ANSWER not in told.body  # the message had it; the outbox keeps none
        history = await handle.fetch_history()

    notices_sent = [
        e
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == "send_notice"
    ]
    assert len(notices_sent) == 3  # asked, reminded once, answered
    assert help_requests.help_given(h.database, cohort, ANN) == 1
    with h.database.begin() as db:
        question, answer = db.execute(select(tables.help_requests.c.question, tables.help_requests.c.answer)).one()
    assert b"exit ticket" not in question and b"sticky notes" not in answer
    replayed = await create_replayer(TEST_CONVERTER).replay_workflow(history, raise_on_replay_failure=False)
    assert replayed.replay_failure is None, replayed.replay_failure


def test_the_row_the_workflow_writes_only_moves_forward_sealed_on_both_databases(database: Database) -> None:
    """What the workflow's activity writes, on SQLite and PostgreSQL: a late write of an older revision is dropped, and
    the words are sealed under their own row (a sealed question copied into another row does not open)."""
    at = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    rosters.record_launch(database, "help-store", program_starting(date(2026, 8, 1)), small_roster(), COORDINATOR, at)
    sealer = Sealer(TEST_KEYS)
    asked = HelpRecord(cohort="help-store", id="q1", partnership=ANN_TIA, teacher=TIA, coach=ANN, asked_at=at)
    help_requests.record_question(database, sealer, asked, QUESTION)
    help_requests.record_question(database, sealer, asked.model_copy(update={"id": "q2", "asked_at": at + timedelta(hours=1)}), "Another")
    answered = asked.model_copy(
        update={"status": HelpStatus.answered, "answer_kind": AnswerKind.answered, "answered_at": at, "revision": 2}
    )
    assert help_requests.publish(database, sealer, answered, ANSWER)
    assert not help_requests.publish(database, sealer, asked.model_copy(update={"revision": 1}))  # late: dropped
    [q2, q1] = help_requests.requests_of(database, sealer, "help-store", coach=ANN)
    assert (q1.status, q1.question, q1.answer, q2.status, q2.answer) == (HelpStatus.answered, QUESTION, ANSWER, HelpStatus.open, None)
    assert help_requests.requests_of(database, sealer, "help-store", teacher=TED) == []
    assert help_requests.help_given(database, "help-store", ANN) == 1
    h = tables.help_requests.c
    with database.begin() as db:
        raw = db.execute(select(h.question, h.answer).where(h.id == "q1")).one()
        assert b"exit ticket" not in raw.question and b"sticky notes" not in raw.answer
        db.execute(update(tables.help_requests).where(h.id == "q2").values(question=raw.question))
    with pytest.raises(Unsealable, match="moved from another row"):
        help_requests.request(database, sealer, "help-store", "q2")
