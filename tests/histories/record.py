"""Record the committed workflow histories: `python -m tests.histories.record VERSION`.

Runs one small cohort through a whole program year on the time-skipping test
server, with the real worker and the tests' fixed encryption key
(`tests.conftest.TEST_CONVERTER`), and writes every run of every workflow to
`tests/histories/VERSION/<name>.json` (VERSION names the code that recorded them):

- the cohort, from launch to the year closed;
- two training years (one attended, one absent then made up), each to its end;
- a partnership through a whole cycle with its goal and outcome, which continues
  as new, then a second cycle to closed (two runs), and one withdrawn partnership;
- the school's release ledger: a request approved, booked and used, one
  reminded and expired, one cancelled, then the year closed;
- a training session moved (the cohort's Update, every training's signal);
- the day's digests: the run a schedule starts, and the day's run it starts;
- the school's year: its plan written and endorsed, a self-assessment after the last
  session, a year-2 decision, the rest escalated, to its end;
- an offering's spring: two applications confirmed and endorsed, a third left to lapse, the
  deadline, a site decided and its cohort launched, a payment, to the school year's end;
- a teacher's question to her coach, reminded once and answered; a school meeting's reminder,
  as its schedule starts the run (the time-skipping server has no schedules).

`test_committed_histories.py` replays these files against the current code, so
a change that would break running workflows fails the build. Keep the old
versions: they are what running workflows look like. Record a new version after
a change behind `workflow.patched`, so that its new branch is replayed too.
"""

from __future__ import annotations

import asyncio
import gc
import json
import re
import sys
import tempfile
import uuid
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from bench.histories import every_run
from domain.applications import PaymentMethod
from domain.cohort import Withdrawal
from domain.cycle import CYCLE_STAGES, Outcome, Stage
from domain.help import AnswerKind, HelpAnswer, HelpRecord
from domain.meetings import MeetingPlan, MeetingSeries, check_plan
from domain.plans import PlanDraft
from domain.processes.enrollment_requests import EndorsementAnswer, PaymentEntry
from domain.processes.school import LATE_DECISIONS
from domain.program import Weekday
from domain.session_change import SessionEdit
from domain.tiers import Round
from domain.training import Attendance
from domain.year_two import YearTwoChoice, partnership_subject
from peercoach.client import CoachingClient
from peercoach.enrollment_client import EnrollmentClient
from peercoach.local_temporal import start_time_skipping_environment
from store import help_requests, meetings
from store.sealed import Sealer
from tests.conftest import TEST_CONVERTER, program_starting, school_day_after
from tests.databases import sqlite_database
from tests.offering_fixtures import OFFICE, form, spring
from tests.roster_fixtures import ANN, ANN_TIA, BOB, BOB_TED, COORDINATOR, PRINCIPAL, TIA, small_roster
from workers.codec import key_ring
from workers.settings import Settings
from workers.worker import create_worker
from workflows import ids
from workflows.digest import DigestRun, DigestWorkflow
from workflows.digest import schedule_id as digest_schedule_id
from workflows.help_request import HelpInput, HelpRequestWorkflow, help_id
from workflows.meeting import MeetingDue, MeetingWorkflow, schedule_id

HERE = Path(__file__).parent
COHORT = "recorded"
CYCLE = CYCLE_STAGES


async def play_a_year(env: WorkflowEnvironment, data_dir: Path) -> dict[str, WorkflowHistory]:
    task_queue = f"record-{uuid.uuid4().hex[:8]}"
    settings = Settings(data_dir=data_dir, task_queue=task_queue, _env_file=None)  # type: ignore[call-arg]
    now = await env.get_current_time()
    program = program_starting((now - timedelta(days=200)).date())
    database = sqlite_database(data_dir / "db")
    coaching = CoachingClient(env.client, task_queue, database)
    soon = school_day_after(program, (now + timedelta(days=5)).date())
    async with create_worker(env.client, settings, database=database):
        enrollment = EnrollmentClient(coaching)
        offering = spring(now, opens_in=timedelta(0))
        await enrollment.open_offering(offering, [OFFICE])
        schools = ["Hazel Dell Elementary", "Sifton Elementary", "Orchards Elementary"]
        applied = [await enrollment.apply(offering.id, form(n, "esd-112", "southwest", schools[n - 1])) for n in (1, 2, 3)]
        for a in applied[:2]:
            await enrollment.confirm_email(a.id, a.email)
            await enrollment.answer_endorsement(EndorsementAnswer(application=a.id, actor=a.form.principal_email, endorse=True))
        cohort = await coaching.launch_cohort(COHORT, program, small_roster(), COORDINATOR)
        await coaching.wait_until_launched(COHORT)  # its workflows are started by an activity, a moment later
        plan = PlanDraft(
            actor=ANN, goals=["Writing"], assignments="Ann with Tia", roles="Co-plan", communication="Staff meeting", submit=True
        )
        await coaching.write_plan(COHORT, "hazel", plan)
        await coaching.endorse_plan(COHORT, "hazel", PRINCIPAL)
        await coaching.record_attendance(COHORT, COORDINATOR, 5, {ANN: Attendance.attended, BOB: Attendance.absent})
        await coaching.record_attendance(COHORT, COORDINATOR, 5, {BOB: Attendance.made_up})
        await env.sleep(timedelta(minutes=1))  # the trainings tell their partnerships coaching is unlocked
        for n, stage in enumerate([*CYCLE, Stage.initiate]):  # reflect -> initiate: a new cycle, a new run
            if stage == Stage.initiate and n > 0:  # the first cycle recorded how its goal went
                await coaching.record_outcome(COHORT, ANN_TIA, ANN, Outcome.met, "Every essay cites two sources")
            await coaching.move(COHORT, ANN_TIA, ANN, stage, f"moving to {stage.label}")
            if n == 0:  # and named it at initiate
                await coaching.set_goal(COHORT, ANN_TIA, TIA, "Grade 4 research unit", "Students cite two sources")
        await coaching.add_note(COHORT, ANN_TIA, TIA, "The students loved it", "https://example.org/artifact")
        await coaching.move(COHORT, BOB_TED, BOB, Stage.initiate)

        used = await coaching.request_release(COHORT, "hazel", TIA, 1, soon, "Co-plan", ANN_TIA)
        await coaching.decide_release(used.id, PRINCIPAL, approve=True, reason="Ms. Chen will cover")
        await coaching.request_release(COHORT, "hazel", ANN, 0.5, soon, "Observe")  # nobody decides: reminded, then expired
        cancelled = await coaching.request_release(
            COHORT, "hazel", TIA, 0.5, school_day_after(program, soon + timedelta(days=20)), "Reflect"
        )
        await coaching.cancel_release(cancelled.id, TIA)
        asked = HelpRecord(cohort=COHORT, id="q1", partnership=ANN_TIA, teacher=TIA, coach=ANN, asked_at=await env.get_current_time())
        help_requests.record_question(database, Sealer(key_ring(settings)), asked, "Stuck on exit tickets")
        question = await env.client.start_workflow(
            HelpRequestWorkflow.run, HelpInput(record=asked, program=program), id=help_id(COHORT, "q1"), task_queue=task_queue
        )
        every_day = MeetingPlan(
            title="Tech Time",
            place="Library",
            weekdays=list(Weekday)[:5],  # every school day
            starts_at=time(15, 30),
            ends_at=time(16),
            first_day=now.date(),
            last_day=(now + timedelta(days=7)).date(),
            invitees=[TIA],
        )
        planned = check_plan(every_day, program, ANN, [ANN, TIA], now.date())
        series = MeetingSeries(
            **planned.model_dump(), cohort=COHORT, id="tech-time", school="hazel", coach=ANN, timezone=program.timezone, set_up_at=now
        )
        meetings.add(database, series)
        reminder_run = schedule_id(COHORT, "tech-time") + "-run"
        await env.client.execute_workflow(
            MeetingWorkflow.run, MeetingDue(cohort=COHORT, series="tech-time"), id=reminder_run, task_queue=task_queue
        )
        await env.sleep(timedelta(days=5))  # the question is reminded once, after the next school day
        await question.execute_update(HelpRequestWorkflow.answer, HelpAnswer(actor=ANN, kind=AnswerKind.answered, text="Sticky notes"))
        await env.sleep(timedelta(days=25))  # a stall follow-up and escalation, a reminder, an expiry, a day used
        await env.sleep(offering.closes_at() - await env.get_current_time() + timedelta(hours=1))  # the spring closes
        await enrollment.launch_site(offering.id, "esd-112", "spring-cohort", program, OFFICE)
        paid = PaymentEntry(application=applied[0].id, method=PaymentMethod.invoice, reference="INV-1", amount=Decimal(799), actor=OFFICE)
        await enrollment.record_payment(paid)
        seven = program.session(7)  # weeks ahead: moved a week later, every coach's training takes it
        await coaching.change_session(
            COHORT, COORDINATOR, 7, SessionEdit(starts_on=seven.starts_on + timedelta(days=7)), "The venue is closed"
        )

        # The day's digests, as the schedule starts them (the time-skipping server has no schedules): the coordinator's
        # attendance-due notices were held for it. The scheduled run starts the day's run as its child.
        schedule = digest_schedule_id(task_queue)
        sent = await env.client.execute_workflow(
            DigestWorkflow.run, DigestRun(schedule=schedule, timezone="UTC"), id=schedule, task_queue=task_queue
        )
        assert sent >= 1, "no digest went out: nothing was held for one"
        scheduled_run = await env.client.get_workflow_handle(schedule).fetch_history()
        [digest_day_id] = [
            e.start_child_workflow_execution_initiated_event_attributes.workflow_id
            for e in scheduled_run.events
            if e.HasField("start_child_workflow_execution_initiated_event_attributes")
        ]

        await coaching.withdraw_participant(COHORT, Withdrawal(actor=COORDINATOR, email=BOB))
        for stage in [*CYCLE[1:], Stage.closed]:
            await coaching.move(COHORT, ANN_TIA, ANN, stage)
        await cohort.result()  # the year runs out: trainings finish, ledgers close, the cohort completes
        # After the last session: Tia's self-assessment, and the principal's year 2 for her partnership (Bob's is escalated).
        await coaching.assess(COHORT, "hazel", TIA, Round.post, {"planning": 3, "teaching": 3, "student-use": 2})
        await coaching.decide_year_two(COHORT, "hazel", PRINCIPAL, partnership_subject(ANN_TIA), YearTwoChoice.continue_, "A strong year")
        # The school's year ends weeks after the year-2 deadline; waiting on its result alone does not skip the server there.
        await env.sleep(program.year_two_deadline() + LATE_DECISIONS - await env.get_current_time() + timedelta(days=1))

        names = {
            "cohort": ids.cohort_id(COHORT),
            "training-attended": ids.training_id(COHORT, ANN),
            "training-made-up": ids.training_id(COHORT, BOB),
            "partnership-two-cycles": ids.partnership_id(COHORT, ANN_TIA),
            "partnership-withdrawn": ids.partnership_id(COHORT, BOB_TED),
            "release-ledger": ids.ledger_id(COHORT, "hazel"),
            "school-year": ids.school_id(COHORT, "hazel"),
            "digest-scheduled": schedule,
            "digest-day": digest_day_id,
            "enrollment": ids.enrollment_id(offering.id),
            "help-request": help_id(COHORT, "q1"),
            "meeting-reminder": reminder_run,
        }
        recorded: dict[str, WorkflowHistory] = {}
        for name, workflow_id in names.items():
            # One at a time: the time-skipping server skips time only while the client waits on one workflow.
            await env.client.get_workflow_handle(workflow_id).result()
            runs = await every_run(env.client, workflow_id)
            for n, history in enumerate(runs, start=1):
                recorded[f"{name}-run-{n}" if len(runs) > 1 else name] = history
    return recorded


async def record(version: str) -> list[Path]:
    env = await start_time_skipping_environment(TEST_CONVERTER)
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            recorded = await play_a_year(env, Path(data_dir))
    finally:
        await env.shutdown()
    written = []
    (HERE / version).mkdir(exist_ok=True)
    for name, history in recorded.items():
        path = HERE / version / f"{name}.json"
        # one event per line keeps a re-recording's diff readable
        events = json.loads(history.to_json())["events"]
        path.write_text('{"events": [\n' + ",\n".join(json.dumps(e, sort_keys=True) for e in events) + "\n]}\n", encoding="utf-8")
        written.append(path)
    # drop the client before the loop ends, or the process can crash at exit
    del env
    gc.collect()
    await asyncio.sleep(0.2)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2 or not re.fullmatch(r"[a-z0-9-]+", sys.argv[1]):
        sys.exit("say which code records them: python -m tests.histories.record VERSION (lowercase letters, digits, -)")
    for path in asyncio.run(record(sys.argv[1])):
        print(f"wrote {path.relative_to(HERE.parents[1])}")
