"""The cohort carries a reference to its roster, never the people: its input stays small at any roster size."""

from __future__ import annotations

from datetime import date

from domain.cohort import CohortState, RosterRef
from domain.launch import launch_plan
from domain.processes.cohort import START_BATCH, CohortRecord
from tests.conftest import TEST_CONVERTER, program_starting
from tests.roster_fixtures import COORDINATOR
from workflows.cohort import CohortInput

LIMIT = 256 * 1024


async def _encoded_size(coaches: int) -> int:
    # 10,000 coaches in 1,250 schools, two partnerships each: about 31,000 workflows
    roster = RosterRef(content_hash="0" * 64, schools=coaches // 8, coaches=coaches, partnerships=2 * coaches)
    state = CohortState(
        cohort="state-wide-2027",
        program=program_starting(date(2027, 4, 20)),
        roster=roster,
        coordinators=[COORDINATOR],
        launched_by=COORDINATOR,
    )
    [payload] = await TEST_CONVERTER.encode([CohortInput(record=CohortRecord(state=state, to_start=launch_plan(roster, START_BATCH)))])
    return payload.ByteSize()


async def test_the_cohorts_largest_input_stays_far_under_256_kb() -> None:
    sizes = {coaches: await _encoded_size(coaches) for coaches in (10, 10_000, 100_000)}
    # It grows only with the launch batches still to start (a hundred workflows each, a few dozen bytes):
    # measured 2.4 KB, 20 KB and 186 KB.
    assert sizes[10] < 4 * 1024, sizes
    assert sizes[10_000] < 32 * 1024, sizes
    assert sizes[100_000] < LIMIT, sizes
