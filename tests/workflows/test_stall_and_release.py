"""Stalls and release time on the time-skipping server: the timers fire at the right simulated times."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.cycle import Stage
from domain.problems import Refused
from domain.program import Program
from domain.training import Attendance
from peercoach.client import CoachingClient
from tests.conftest import Harness, eventually, program_starting, school_day_after
from tests.roster_fixtures import ANN, ANN_TIA, COORDINATOR, PRINCIPAL, TIA, small_roster
from workflows import search_attributes as sa

SCHOOL = "hazel"


async def _unlocked_cohort(env: WorkflowEnvironment, h: Harness, cohort: str) -> tuple[CoachingClient, Program, datetime]:
    """A cohort whose first five sessions are over, with Ann's coaching unlocked."""
    now = await env.get_current_time()
    program = program_starting((now - timedelta(days=200)).date())
    coaching = h.coaching()
    await coaching.launch_cohort(cohort, program, small_roster(), COORDINATOR)
    await coaching.wait_until_launched(cohort)  # its workflows are started by an activity, a moment later
    await coaching.record_attendance(cohort, COORDINATOR, 5, {ANN: Attendance.attended})
    await env.sleep(timedelta(seconds=30))  # the cohort tells Ann's partnership
    return coaching, program, await env.get_current_time()


async def test_a_stage_left_alone_stalls_is_followed_up_and_escalated(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    async with h.worker():
        coaching, program, _ = await _unlocked_cohort(time_env, h, "stall")
        moved = await coaching.move("stall", ANN_TIA, ANN, Stage.initiate)
        entered = moved.move.at

        await time_env.sleep(timedelta(days=13))
        record = await coaching.partnership_record("stall", ANN_TIA)
        assert record.stall.stalled_since is None and not h.sent("stall_follow_up")

        await time_env.sleep(timedelta(days=2))  # initiate's threshold is 14 days
        record = await coaching.partnership_record("stall", ANN_TIA)
        assert record.stall.stalled_since is not None
        followed_up = program.next_follow_up_time(entered + timedelta(days=14))  # initiate's threshold, at 7:00
        assert abs(record.stall.stalled_since - followed_up) < timedelta(minutes=1)
        follow_ups = h.outbox.entries(kind="stall_follow_up")
        assert {e.recipient for e in follow_ups} == {ANN, TIA}
        assert not h.sent("stall_escalation")
        described = await coaching.partnership("stall", ANN_TIA).describe()
        assert described.typed_search_attributes.get(sa.STALLED) is True

        await time_env.sleep(timedelta(days=7))  # the escalation link: 7 days after the follow-up
        await eventually(lambda: h.sent("stall_escalation"))
        escalations = h.outbox.entries(kind="stall_escalation")
        assert [e.recipient for e in escalations] == [COORDINATOR]
        assert abs(escalations[0].created_at - (followed_up + timedelta(days=7))) < timedelta(minutes=1)
        summary = await coaching.cohort_summary("stall")
        assert [s.id for s in summary.stalled] == [ANN_TIA]
        assert summary.stalled[0].follow_ups == 1 and summary.stalled[0].escalations == 1

        await time_env.sleep(timedelta(days=30))  # the chain has two links: nothing more goes out
        assert len(h.outbox.entries(kind="stall_escalation")) == 1

        # a move clears the stall and restarts the clock of the new stage
        await coaching.move("stall", ANN_TIA, ANN, Stage.co_plan, "Finally met")
        record = await coaching.partnership_record("stall", ANN_TIA)
        assert record.stall.stalled_since is None and record.stall.steps_sent == 0
        assert record.stall.follow_ups == 1 and record.stall.escalations == 1  # the year's counts stay
        await time_env.sleep(timedelta(days=15))
        assert len(h.outbox.entries(kind="stall_follow_up")) == 4  # two people, two stalls


async def test_release_request_ignored_is_reminded_then_expires(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    async with h.worker():
        coaching, program, now = await _unlocked_cohort(time_env, h, "ignored")
        day = school_day_after(program, (now + timedelta(days=30)).date())
        request = await coaching.request_release("ignored", SCHOOL, TIA, 1.5, day, "Co-plan the research unit", ANN_TIA)
        assert request.status == "requested"
        await eventually(lambda: h.sent("release_requested"))
        assert [e.recipient for e in h.outbox.entries(kind="release_requested")] == [PRINCIPAL]

        await time_env.sleep(timedelta(days=4))
        reminders = h.outbox.entries(kind="release_reminder")
        assert [e.recipient for e in reminders] == [PRINCIPAL]
        reminder_due = program.next_follow_up_time(request.requested_at + timedelta(days=program.release_reminder_days))
        assert abs(reminders[0].created_at - reminder_due) < timedelta(minutes=1)
        ledger = await coaching.ledger_record("ignored", SCHOOL)
        assert ledger.remaining(TIA) == 0.5  # a pending request holds its days

        await time_env.sleep(timedelta(days=4))
        ledger = await coaching.ledger_record("ignored", SCHOOL)
        assert ledger.request(request.id).status == "expired"
        assert ledger.remaining(TIA) == 2.0
        assert {e.recipient for e in h.outbox.entries(kind="release_expired")} == {TIA, PRINCIPAL}
        with pytest.raises(Refused, match="already expired"):
            await coaching.decide_release(request.id, PRINCIPAL, approve=True)


async def test_release_request_approved_is_booked_counted_and_used(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    async with h.worker():
        coaching, program, now = await _unlocked_cohort(time_env, h, "approved")
        day: date = school_day_after(program, (now + timedelta(days=8)).date())  # used within the 12 days slept below
        with pytest.raises(Refused, match="2 days of release time left"):
            await coaching.request_release("approved", SCHOOL, TIA, 2.5, day, "Too much")
        with pytest.raises(Refused, match="only the principal"):
            first = await coaching.request_release("approved", SCHOOL, TIA, 1, day, "Co-plan", ANN_TIA)
            await coaching.decide_release(first.id, ANN, approve=True)
        decided = await coaching.decide_release(first.id, PRINCIPAL, approve=True, reason="Good plan")
        assert decided.status == "booked" and decided.booking == "SUB-1"
        await eventually(lambda: len(h.sent("release_decided")) == 3 and h.sent("substitute_booked"))
        assert {e.recipient for e in h.outbox.entries(kind="release_decided")} == {TIA, ANN, PRINCIPAL}
        assert [e.recipient for e in h.outbox.entries(kind="substitute_booked")] == [PRINCIPAL]

        second = await coaching.request_release("approved", SCHOOL, TIA, 1, day, "Observe")
        with pytest.raises(Refused, match="0 days of release time left"):
            await coaching.request_release("approved", SCHOOL, TIA, 0.5, day, "One more")
        await coaching.decide_release(second.id, PRINCIPAL, approve=False, reason="Testing week")
        ledger = await coaching.ledger_record("approved", SCHOOL)
        assert ledger.remaining(TIA) == 1.0  # the denied day came back

        await time_env.sleep(timedelta(days=12))
        ledger = await coaching.ledger_record("approved", SCHOOL)
        assert ledger.request(first.id).status == "used"
        assert ledger.held(TIA) == 1.0
