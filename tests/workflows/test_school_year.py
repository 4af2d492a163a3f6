"""A school's year on Temporal's time-skipping server: a plan not endorsed is reminded and escalated; each
self-assessment round (pre and post) is reminded to those who have not answered and closed at its deadline; year 2 is asked
after the last session, reminded and escalated. Answers are sealed in the database, and the history replays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from domain.plans import PlanDraft, PlanStatus
from domain.problems import Refused
from domain.tiers import Round
from domain.year_two import YearTwoChoice, partnership_subject
from store import school_year, tables
from store.sealed import Sealer
from tests.conftest import TEST_CONVERTER, eventually, program_starting
from tests.roster_fixtures import ANN, ANN_TIA, BOB, COORDINATOR, PRINCIPAL, TED, TIA, small_roster
from workers.codec import key_ring
from workers.worker import create_replayer

ANSWERS = {"planning": 2, "teaching": 3, "student-use": 2}
AFTER = {"planning": 3, "teaching": 4, "student-use": 3}


async def test_a_schools_plan_self_assessments_and_year_two_run_their_course(time_env: WorkflowEnvironment, harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(time_env.client)
    now = await time_env.get_current_time()
    program = program_starting((now + timedelta(days=2)).date())
    coaching = h.coaching()
    cohort = "school-year"
    async with h.worker():
        await coaching.launch_cohort(cohort, program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched(cohort)

        # Ann writes the plan and asks for endorsement; the principal does not endorse it.
        draft = PlanDraft(
            actor=ANN,
            goals=["Writing across the curriculum"],
            assignments="Ann with Tia, Bob with Ted",
            roles="Co-plan weekly",
            communication="Staff meeting",
            submit=True,
        )
        plan = await coaching.write_plan(cohort, "hazel", draft)
        assert plan.status == PlanStatus.submitted
        with pytest.raises(Refused, match="only the school's principal endorses"):
            await coaching.endorse_plan(cohort, "hazel", ANN)
        await eventually(lambda: h.sent("plan_submitted"))
        await time_env.sleep(program.plan_deadline() - await time_env.get_current_time() + timedelta(days=1))
        await eventually(lambda: h.sent("plan_overdue"))
        assert {e.recipient for e in h.outbox.entries(kind="plan_reminder")} == {PRINCIPAL, ANN, BOB}
        assert [e.recipient for e in h.outbox.entries(kind="plan_overdue")] == [COORDINATOR]

        # The pre round opened with coaching; Tia answers, the others are reminded; then it closes.
        await eventually(lambda: h.sent("assessment_open"))
        assert {e.recipient for e in h.outbox.entries(kind="assessment_open")} == {ANN, BOB, TIA, TED}
        assert await coaching.assess(cohort, "hazel", TIA, Round.pre, ANSWERS) == 2
        due = program.assessment_opens(Round.pre) + timedelta(days=program.self_assessment_days)
        await time_env.sleep(due - await time_env.get_current_time() + timedelta(hours=1))
        await eventually(lambda: h.sent("assessment_reminder"))
        assert {e.recipient for e in h.outbox.entries(kind="assessment_reminder")} == {ANN, BOB, TED}
        with pytest.raises(Refused, match="closed on"):
            await coaching.assess(cohort, "hazel", TED, Round.pre, ANSWERS)

        # After the last session the principal is asked for year 2, decides one, and the rest is escalated.
        await time_env.sleep(program.year_two_opens() - await time_env.get_current_time() + timedelta(hours=1))
        await eventually(lambda: h.sent("year_two_asked"))
        # The post round opened with the end of the last session; Tia answers it, one tier up.
        await eventually(lambda: [e for e in h.outbox.entries(kind="assessment_open") if e.key.endswith(":post")])
        assert await coaching.assess(cohort, "hazel", TIA, Round.post, AFTER) == 3
        decision = await coaching.decide_year_two(
            cohort, "hazel", PRINCIPAL, partnership_subject(ANN_TIA), YearTwoChoice.expand, "Tia's team wants in"
        )
        assert decision.choice == YearTwoChoice.expand
        await time_env.sleep(program.year_two_deadline() - await time_env.get_current_time() + timedelta(days=1))
        await eventually(lambda: h.sent("year_two_overdue"))
        post_reminded = {e.recipient for e in h.outbox.entries(kind="assessment_reminder") if e.key.endswith(":post")}
        assert post_reminded == {ANN, BOB, TED}
        with pytest.raises(Refused, match="closed on"):
            await coaching.assess(cohort, "hazel", TED, Round.post, ANSWERS)
        [overdue] = h.outbox.entries(kind="year_two_overdue")
        assert overdue.recipient == COORDINATOR and "3 partnership(s) or coach(es)" in overdue.body
        assert [e.recipient for e in h.outbox.entries(kind="year_two_reminder")] == [PRINCIPAL]
        await eventually(lambda: school_year.decisions(h.database, cohort).get("hazel"))
        history = await coaching.school_year(cohort, "hazel").fetch_history()

    # The answers are sealed at rest, readable with the deployment's keys, and nowhere in the read model.
    sealer = Sealer(key_ring(h.settings))
    assert school_year.answers_of(h.database, sealer, cohort, TIA) == {Round.pre: ANSWERS, Round.post: AFTER}
    with h.database.begin() as db:
        raw = db.execute(select(tables.self_assessments.c.answers)).scalars().all()
    assert len(raw) == 2
    assert all(b"planning" not in r and b"student-use" not in r for r in raw)
    [kept] = school_year.decisions(h.database, cohort)["hazel"]
    assert kept.reason == "Tia's team wants in"
    assert school_year.plan_of(h.database, cohort, "hazel") == plan
    result = await create_replayer(TEST_CONVERTER).replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
