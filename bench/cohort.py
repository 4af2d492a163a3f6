"""This program under load: a cohort launched, then every partnership moved through a whole cycle.

The roster is made in memory from the domain's own models: N coaches, two
collaborating teachers each, eight coaches a school. The program is the
sample calendar moved so that session 1 began two days ago, unlocking coaching
(`coaching_unlocks_after: 1`); recording session 1 for every coach lets every
partnership begin. Every action goes through `peercoach/client.py`.
"""

from __future__ import annotations

import asyncio
import time as stopwatch
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bench.plain import Quiet
from bench.processes import CpuMeter
from bench.stats import Latencies, bounded
from domain.cycle import CYCLE_STAGES, Stage
from domain.program import Program, load_program
from domain.roster import Partnership, Person, Role, Roster, School, SchoolModel, partnership_id
from domain.training import Attendance
from peercoach.client import CoachingClient
from workflows import ids

SAMPLE_PROGRAM = Path(__file__).resolve().parent.parent / "samples" / "program.yaml"
SESSION_1_HEADROOM = timedelta(seconds=60)  # the launch is over well before session 1 begins
CYCLE = [*CYCLE_STAGES, Stage.closed]
COACHES_PER_SCHOOL = 8
COORDINATOR = "coordinator@esd.bench"
UNLOCK_PATIENCE_S = 600


def roster(coaches: int) -> Roster:
    schools = [
        School(
            id=f"school-{s}",
            name=f"School {s}",
            district="District",
            model=SchoolModel.part_time,
            principal=f"principal{s}@school{s}.bench",
        )
        for s in range(max(1, coaches // COACHES_PER_SCHOOL))
    ]
    people = [Person(name="Coordinator", email=COORDINATOR, role=Role.coordinator)]
    people += [Person(name=f"Principal {n}", email=s.principal, role=Role.principal, school=s.id) for n, s in enumerate(schools)]
    partnerships = []
    for c in range(coaches):
        school = schools[c % len(schools)]
        coach = f"coach{c}@{school.id}.bench"
        people.append(Person(name=f"Coach {c}", email=coach, role=Role.coach, school=school.id))
        for t in range(2):
            teacher = f"teacher{c}-{t}@{school.id}.bench"
            people.append(Person(name=f"Teacher {c}-{t}", email=teacher, role=Role.teacher, school=school.id))
            partnerships.append(
                Partnership(id=partnership_id(coach, [teacher]), coach=coach, partners=[teacher], focus=f"Focus {c}-{t}", school=school.id)
            )
    return Roster(people=people, schools=schools, partnerships=partnerships)


def program_about_to_begin(headroom: timedelta) -> Program:
    """The sample calendar moved so session 1 begins `headroom` from now, and session 1 unlocks coaching.

    Coordinators launch a cohort before its year begins. One launched after a session has
    passed also follows up on that session's missing attendance at once (a notice per coach),
    which is the engine catching up, not launching; this keeps the launch figure a launch's.
    """
    sample = load_program(SAMPLE_PROGRAM)
    zone = ZoneInfo(sample.timezone)
    begins = (datetime.now(UTC) + headroom).astimezone(zone)
    first = sample.session(1)
    shift = begins.date() - first.starts_on
    sessions = [s.model_copy(update={"starts_on": s.starts_on + shift}) for s in sample.sessions]
    ends_at = time(23, 59, 59) if begins.hour >= 20 else time(begins.hour + 4, begins.minute)
    sessions[0] = sessions[0].model_copy(update={"starts_at": begins.time().replace(microsecond=0), "ends_at": ends_at})
    year = sessions[0].starts_on.year
    return sample.model_copy(update={"sessions": sessions, "coaching_unlocks_after": 1, "school_year": f"{year}-{year + 1}"})


class CohortFigures(BaseModel):
    coaches: int
    partnerships: int
    concurrency: int
    workflows_launched: int
    launch_s: float
    launch_per_s: float
    cpu_ms_per_workflow_launched: dict[str, float]  # worker and server CPU time from the launch until it reported done
    unlock_s: float
    moves: int
    moves_s: float  # those made `concurrency` at a time
    moves_per_s: float
    move_ms: Latencies
    move_one_at_a_time_ms: Latencies
    cpu_ms_per_move: dict[str, float]  # worker and server CPU time from the first move until every partnership completed
    settled_after_last_move_s: float  # until every partnership workflow completed (its last notices sent)


class Timeline(BaseModel):
    """Wall-clock moments, to tell the cohort's history events of the launch and of the moves from the rest."""

    launch_from: datetime
    launched_at: datetime
    moves_from: datetime
    settled_at: datetime
    one_at_a_time: Quiet  # the partnerships moved one move at a time, and when


async def run(
    coaching: CoachingClient, cohort: str, coaches: int, concurrency: int, cpu: CpuMeter, say: Callable[[str], None]
) -> tuple[CohortFigures, Timeline]:
    people = roster(coaches)
    coach_emails = [p.email for p in people.with_role(Role.coach)]
    workflows = len(people.schools) + len(coach_emails) + len(people.partnerships)

    say(f"launching {coaches} coaches, {len(people.partnerships)} partnerships ({workflows} workflows)")
    launch_from = datetime.now(UTC)
    cpu.start()
    began = stopwatch.monotonic()
    program = program_about_to_begin(SESSION_1_HEADROOM)
    await coaching.launch_cohort(cohort, program, people, COORDINATOR)
    await coaching.wait_until_launched(cohort)
    launch_s = stopwatch.monotonic() - began
    launched_at = datetime.now(UTC)
    launch_cpu_ms = cpu.per(workflows)

    until_session_1 = (program.session_start(1) - datetime.now(UTC)).total_seconds() + 1
    if until_session_1 > 0:  # attendance is recorded once a session has begun
        say(f"waiting {until_session_1:.0f} s for session 1 to begin")
        await asyncio.sleep(until_session_1)
    say("recording session 1 for every coach")
    began = stopwatch.monotonic()
    await bounded(concurrency, [coaching.record_one(cohort, COORDINATOR, c, 1, Attendance.attended) for c in coach_emails])
    waiting = [p.id for p in people.partnerships]
    while waiting:  # each coach's training tells its partnerships in the background
        records = await bounded(concurrency, [coaching.partnership_record(cohort, pid) for pid in waiting])
        waiting = [r.id for r in records if not r.coaching_unlocked]
        if stopwatch.monotonic() - began > UNLOCK_PATIENCE_S:
            raise SystemExit(f"{len(waiting)} partnerships were still not unlocked after {UNLOCK_PATIENCE_S} s")
        await asyncio.sleep(0.5 if waiting else 0)
    unlock_s = stopwatch.monotonic() - began

    # A fifth of the partnerships move one at a time, stage by stage in turn (no partnership has
    # work left over from its previous move); the rest `concurrency` at a time.
    quiet, busy = people.partnerships[: max(1, len(people.partnerships) // 5)], people.partnerships[max(1, len(people.partnerships) // 5) :]
    one_at_a_time: list[float] = []
    at_once: list[float] = []

    async def move(p: Partnership, stage: Stage, latencies: list[float]) -> None:
        sent = stopwatch.monotonic()
        await coaching.move(cohort, p.id, p.coach, stage, note=f"{stage.label} done")
        latencies.append(stopwatch.monotonic() - sent)

    async def cycle(p: Partnership) -> None:
        for stage in CYCLE:
            await move(p, stage, at_once)

    cpu.start()
    moves_from = datetime.now(UTC)
    say(f"moving {len(quiet)} partnerships through a whole cycle one move at a time")
    for stage in CYCLE:
        for p in quiet:
            await move(p, stage, one_at_a_time)
    quiet_until = datetime.now(UTC)
    say(f"moving {len(busy)} partnerships through a whole cycle, {concurrency} at a time")
    began = stopwatch.monotonic()
    await bounded(concurrency, [cycle(p) for p in busy])
    moves_s = stopwatch.monotonic() - began
    last_move = stopwatch.monotonic()
    running = f"WorkflowType = 'PartnershipWorkflow' AND ExecutionStatus = 'Running' AND CoachingCohort = '{cohort}'"
    while (await coaching.client.count_workflows(running)).count:
        await asyncio.sleep(0.2)
    settled = stopwatch.monotonic() - last_move
    moves = len(one_at_a_time) + len(at_once)
    cpu_ms = cpu.per(moves)
    figures = CohortFigures(
        coaches=coaches,
        partnerships=len(people.partnerships),
        concurrency=concurrency,
        workflows_launched=workflows,
        launch_s=launch_s,
        launch_per_s=workflows / launch_s,
        cpu_ms_per_workflow_launched=launch_cpu_ms,
        unlock_s=unlock_s,
        moves=moves,
        moves_s=moves_s,
        moves_per_s=len(at_once) / moves_s,
        move_ms=Latencies.of(at_once),
        move_one_at_a_time_ms=Latencies.of(one_at_a_time),
        cpu_ms_per_move=cpu_ms,
        settled_after_last_move_s=settled,
    )
    timeline = Timeline(
        launch_from=launch_from,
        launched_at=launched_at,
        moves_from=moves_from,
        settled_at=datetime.now(UTC),
        one_at_a_time=Quiet(workflow_ids=[ids.partnership_id(cohort, p.id) for p in quiet], start=moves_from, end=quiet_until),
    )
    return figures, timeline
