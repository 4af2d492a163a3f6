"""A cohort in full swing, for the durability tests.

Every coach moves their partnerships through a whole cycle (initiate to close)
while every collaborating teacher asks for a release day and the principal
decides it; all at once, through the one client the doors use. `verify` then
checks that each move, request, booking and notice happened exactly once.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from activities.substitutes import LocalSubstituteDesk
from domain.cycle import CYCLE_STAGES, PartnershipRecord, Stage
from domain.program import Program
from domain.release import ReleaseRequest, ReleaseStatus
from domain.roster import Partnership, Roster, parse_roster_csv
from domain.training import Attendance
from peercoach.client import CoachingClient
from store.database import Database
from store.outbox import Outbox
from tests.conftest import program_starting, school_day_after
from tests.roster_fixtures import HEADER
from workflows import ids
from workflows.partnership import PartnershipWorkflow

T = TypeVar("T")
CYCLE = [*CYCLE_STAGES, Stage.closed]
EXPECTED_MOVES = list(zip([Stage.pending, *CYCLE[:-1]], CYCLE, strict=True))


def program_under_way() -> Program:
    """Session 1 began yesterday and unlocks coaching, so every coach can begin as soon as it is recorded.

    Nothing else falls due for weeks: the only notices are the ones the play causes.
    """
    return program_starting(datetime.now(UTC).date() - timedelta(days=1), coaching_unlocks_after=1)


def two_partnerships_each(coaches: int, schools: int) -> Roster:
    """Coaches with two collaborating teachers each, spread over schools (through the real CSV loader)."""
    rows = [HEADER.strip(), "Cora Ordinator,cora@esd.test,coordinator,,ESD,,,,,"]
    rows += [f"Principal {s},principal{s}@school{s}.test,principal,School {s},District,part-time,,,," for s in range(schools)]
    for c in range(coaches):
        s = c % schools
        rows.append(f"Coach {c},coach{c}@school{s}.test,coach,School {s},District,,,,,")
        for t in range(2):
            rows.append(
                f"Teacher {c}-{t},teacher{c}-{t}@school{s}.test,teacher,School {s},District,,coach{c}@school{s}.test,,Focus {c}-{t},"
            )
    return parse_roster_csv("\n".join(rows) + "\n", "durability.csv")


# What Temporal answers when it cannot take an Update just now: the workflow's task is being
# retried (a worker died with it, or one was too slow), or too many Updates are in flight.
NOT_NOW = (RPCStatusCode.FAILED_PRECONDITION, RPCStatusCode.RESOURCE_EXHAUSTED, RPCStatusCode.UNAVAILABLE)


class PatientHandle(WorkflowHandle[Any, Any]):
    """A workflow handle whose Updates are asked again, with the same Update id, while Temporal says "not now"."""

    def __init__(self, client: Client, workflow_id: str, not_now: Counter[str]):
        super().__init__(client, workflow_id)
        self.not_now = not_now

    async def execute_update(self, update: Any, arg: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        update_id = str(uuid.uuid4())
        for _ in range(120):
            try:
                return await super().execute_update(update, arg, id=update_id, **kwargs)
            except RPCError as err:
                if err.status not in NOT_NOW:
                    raise
                self.not_now[err.message] += 1
                await asyncio.sleep(0.5)
        raise AssertionError(f"{self.id}: Temporal kept saying {self.not_now.most_common(1)} for a minute")


class PatientPeople(CoachingClient):
    """The doors' client, used by people who press again when Temporal says "not now".

    The client turns those answers into a refusal naming Temporal's reason. These
    people wait a moment and ask again with the same Update id: an Update that was
    in fact taken (Temporal can answer "not now" for one it applies later) is then
    answered once, not applied twice. `not_now` counts the answers.
    """

    not_now: Counter[str]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.not_now = Counter()

    def _patient(self, handle: WorkflowHandle[Any, Any]) -> PatientHandle:
        return PatientHandle(self.client, handle.id, self.not_now)

    def cohort(self, cohort: str) -> PatientHandle:
        return self._patient(super().cohort(cohort))

    def training(self, cohort: str, coach: str) -> PatientHandle:
        return self._patient(super().training(cohort, coach))

    def partnership(self, cohort: str, pid: str) -> PatientHandle:
        return self._patient(super().partnership(cohort, pid))

    def ledger(self, cohort: str, school: str) -> PatientHandle:
        return self._patient(super().ledger(cohort, school))


class Play:
    """`at_once` people act at the same moment (not everyone in the same second)."""

    def __init__(self, coaching: PatientPeople, cohort: str, roster: Roster, at_once: int = 20):
        self.coaching = coaching
        self.cohort = cohort
        self.roster = roster
        self.release_day = school_day_after(program_under_way(), datetime.now(UTC).date() + timedelta(days=14))
        self.done = 0
        self.total = len(CYCLE) * len(roster.partnerships) + 2 * len(roster.partnerships)
        self.requests: dict[str, ReleaseRequest] = {}  # partnership id -> its decided request
        self.playing: asyncio.Future[list[None]] | None = None
        self.records: dict[str, PartnershipRecord] = {}  # what each partnership workflow returned
        self.at_once = at_once
        self._turns: asyncio.Semaphore | None = None

    async def launch(self) -> None:
        """Launch the cohort, record session 1 for every coach and wait until every partnership may begin."""
        coordinator = self.roster.coordinators[0]
        await self.coaching.launch_cohort(self.cohort, program_under_way(), self.roster, coordinator)
        await self.coaching.wait_until_launched(self.cohort)
        coaches = sorted({p.coach for p in self.roster.partnerships})
        await asyncio.gather(*(self.coaching.record_one(self.cohort, coordinator, c, 1, Attendance.attended) for c in coaches))
        for _ in range(600):
            records = await asyncio.gather(*(self.coaching.partnership_record(self.cohort, p.id) for p in self.roster.partnerships))
            if all(r.coaching_unlocked for r in records):
                return
            await asyncio.sleep(0.1)
        raise AssertionError("coaching was not unlocked for every partnership within 60 s")

    def start(self) -> None:
        """Everyone plays their part, in the background."""
        self._turns = asyncio.Semaphore(self.at_once)
        partnerships = self.roster.partnerships
        self.playing = asyncio.ensure_future(
            asyncio.gather(*(self._cycle(p) for p in partnerships), *(self._release(n, p) for n, p in enumerate(partnerships)))
        )

    async def until_done(self, share: float) -> None:
        assert self.playing is not None
        while self.done < share * self.total:
            if self.playing.done():
                self.playing.result()  # raises what went wrong
                return
            await asyncio.sleep(0.02)

    async def finished(self) -> None:
        """Every person's action was answered, and every partnership workflow has completed (after its last notices went out)."""
        assert self.playing is not None
        await self.playing
        handles = [
            self.coaching.client.get_workflow_handle_for(PartnershipWorkflow.run, ids.partnership_id(self.cohort, p.id))
            for p in self.roster.partnerships
        ]
        self.records = dict(
            zip((p.id for p in self.roster.partnerships), await asyncio.gather(*(h.result() for h in handles)), strict=True)
        )

    async def _act(self, action: Awaitable[T]) -> T:
        assert self._turns is not None
        async with self._turns:
            done = await action
        self.done += 1
        return done

    async def _cycle(self, p: Partnership) -> None:
        for stage in CYCLE:
            await self._act(self.coaching.move(self.cohort, p.id, p.coach, stage, note=f"{stage.label} done"))

    async def _release(self, n: int, p: Partnership) -> None:
        """The teacher asks for a day; the principal approves every other request."""
        teacher, principal = p.partners[0], self.roster.school(p.school).principal
        asked = await self._act(
            self.coaching.request_release(self.cohort, p.school, teacher, 1, self.release_day, f"Co-teach with {p.coach}", p.id)
        )
        decided = self.coaching.decide_release(asked.id, principal, approve=n % 2 == 0, reason="durability test")
        self.requests[p.id] = await self._act(decided)

    async def verify(self, database: Database) -> None:
        """Each move, request, booking and notice happened exactly once (asked of the workflows, their histories and the outbox)."""
        coaching, cohort, roster = self.coaching, self.cohort, self.roster
        await asyncio.gather(*(self._verify_partnership(p) for p in roster.partnerships))

        everyone_closed = {Stage.closed.value: len(roster.partnerships)}
        for _ in range(300):  # the cohort hears every partnership's last word by signal, a moment after the move
            if (await coaching.cohort_summary(cohort)).partnerships_by_stage == everyone_closed:
                break
            await asyncio.sleep(0.1)
        assert (await coaching.cohort_summary(cohort)).partnerships_by_stage == everyone_closed

        requests = [r for school in roster.schools for r in (await coaching.ledger_record(cohort, school.id)).requests]
        assert Counter(r.requester for r in requests) == Counter(p.partners[0] for p in roster.partnerships)
        half = len(roster.partnerships) // 2
        assert Counter(r.status for r in requests) == {ReleaseStatus.booked: half, ReleaseStatus.denied: half}
        bookings = LocalSubstituteDesk(database).bookings()
        assert sorted(b.request_id for b in bookings) == sorted(r.id for r in requests if r.status == ReleaseStatus.booked)

        rows = Outbox(database).entries()
        assert {(r.key, r.recipient) for r in rows} == self._expected_notices()
        assert {r.status for r in rows} == {"sent"}

    async def _verify_partnership(self, p: Partnership) -> None:
        assert [(m.source, m.target) for m in self.records[p.id].moves] == EXPECTED_MOVES, p.id
        history = await self.coaching.partnership(self.cohort, p.id).fetch_history()
        accepted = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED]
        assert len(accepted) == len(EXPECTED_MOVES), p.id

    def _expected_notices(self) -> set[tuple[str, str]]:
        """(key, recipient) of every notice the cohort and this play cause (see domain/notices.py)."""
        c = self.cohort
        expected = {(f"launched:{c}", coordinator) for coordinator in self.roster.coordinators}
        for p in self.roster.partnerships:
            expected.add((f"unlocked:{c}:{p.coach}", p.coach))
            # The program is under way: each person's self-assessment before coaching opens at the launch.
            expected |= {(f"assessment:{c}:{p.school}:pre:{email}", email) for email in (p.coach, *p.partners)}
            expected |= {(f"moved:{c}:{p.id}:{n}", partner) for n in range(1, len(CYCLE) + 1) for partner in p.partners}
            request = self.requests[p.id]
            principal = self.roster.school(p.school).principal
            expected |= {(f"release-requested:{request.id}", principal), (f"release-decided:{request.id}", request.requester)}
            if request.status == ReleaseStatus.booked:
                expected |= {(f"release-decided:{request.id}", p.coach), (f"release-decided:{request.id}", principal)}
                expected.add((f"substitute-booked:{request.id}", principal))
        return expected
