"""The simulator plays the same year as the real workflows: the proof that the workflows decide nothing themselves.

Three small cohorts (three seeds) play one year on Temporal's time-skipping server
through the client every door uses; the simulator plays each on its virtual clock
with the same calendar and launch time. Every figure of the year-end summary must
agree: attendance, stages, cycles, stalls, release days, every notice by kind, the
schools' plans, tier movement and year-2 decisions, and what the people were refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.program import load_program
from peercoach.simulation.behaviour import synthetic_roster
from peercoach.simulation.year import simulate_year
from store.sealed import Sealer
from tests.conftest import Harness
from tests.simulation.temporal_year import play_year, shift_to
from workers.codec import key_ring

SAMPLE_PROGRAM = Path(__file__).resolve().parents[2] / "samples" / "program.yaml"
COACHES = 12
PER_SCHOOL = 6  # two schools a cohort; each school's workflows add to the run time
SEEDS = (3, 4, 6)  # seeds whose six schools between them take every path of a school's year (asserted below)


async def test_the_simulator_and_the_workflows_end_the_year_alike(
    time_env: WorkflowEnvironment, harness: Callable[[Client], Harness]
) -> None:
    h = harness(time_env.client)
    # The test server's clock starts now: move the calendar so the year lies ahead, as a coordinator launches.
    program = shift_to(load_program(SAMPLE_PROGRAM), await time_env.get_current_time() + timedelta(days=21))
    years = {f"cross-check-{seed}": (synthetic_roster(COACHES, seed, PER_SCHOOL), seed) for seed in SEEDS}
    async with h.worker():
        on_temporal = await play_year(time_env, h.coaching(), Sealer(key_ring(h.settings)), program, years)
    ends = []
    for cohort, (roster, seed) in years.items():
        launched_at, temporal = on_temporal[cohort]
        simulated = simulate_year(program, roster, seed, launched_at, cohort).model_dump(mode="json")
        played = temporal.model_dump(mode="json")
        differ = {
            field: {"simulated": simulated[field], "on temporal": played[field]} for field in played if simulated[field] != played[field]
        }
        assert not differ, f"{cohort}: {differ}"
        assert temporal.outcome.moves > 0 and temporal.release  # the year was played, not skipped
        ends.append(temporal)
    # Over the three years the schools took every path: a plan never written, endorsed late or never; self-assessments
    # refused after their round closed; people who moved up a tier; year 2 decided late, or not at all.
    schools = [s for year in ends for s in year.schools]
    assert {s.plan for s in schools} >= {"not written", "submitted", "endorsed"} and any(s.plan_endorsed_late for s in schools)
    assert all(year.outcome.assessments_refused for year in ends) and all(year.tier_movement.moved_up for year in ends)
    assert any(s.undecided == 0 and s.decided_late == 0 for s in schools) and any(s.decided_late for s in schools)
    assert any(s.undecided and sum(s.year_two.values()) == 0 for s in schools)
