"""`peercoach simulate`: a whole year played on the time-skipping server; the same seed, the same year."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.cli.conftest import PEERCOACH

SAMPLE_PROGRAM = str(Path(__file__).resolve().parents[2] / "samples" / "program.yaml")


async def simulate(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        PEERCOACH, "simulate", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_a_simulated_year_is_summarised_and_repeatable() -> None:
    year_of = ("--program", SAMPLE_PROGRAM, "--coaches", "3", "--seed", "7", "--json")
    code, out, err = await simulate(*year_of, "--days-per-server", "21")
    assert code == 0, err
    year = json.loads(out)
    assert year["coaches"] == 3 and year["partnerships"] == 6
    assert set(year["attendance"]) == {str(n) for n in range(1, 9)}
    assert all(sum(marks.values()) == 3 for marks in year["attendance"].values())
    # every coach was either unlocked (attended or made up session 5) or not; the summary agrees with itself
    unlocked = year["attendance"]["5"].get("attended", 0) + year["attendance"]["5"].get("made_up", 0)
    assert year["coaching_unlocked"] == unlocked
    assert sum(year["partnerships_by_stage"].values()) == 6
    assert sum(year["cycles_completed"].values()) == 6
    assert year["notifications"]["session_reminder"] == 3 * 8 * 2  # two reminders per session per coach
    assert year["notifications"]["training_finished"] == 3
    assert year["outcome"]["moves"] > 0
    assert year["notifications"]["stage_moved"] == year["outcome"]["moves"]  # each accepted move told the partners once

    # The same seed gives the same year, whether the cohort moved to a fresh server every three weeks or stayed on one.
    again_code, again_out, _ = await simulate(*year_of, "--days-per-server", "0")
    assert again_code == 0
    again = json.loads(again_out)
    assert year.pop("servers") > 10 and again.pop("servers") == 1
    year.pop("wall_seconds"), again.pop("wall_seconds")
    assert again == year


async def test_simulate_needs_a_roster_or_a_number_of_coaches() -> None:
    code, _, err = await simulate("--program", SAMPLE_PROGRAM)
    assert code == 1 and "say --roster FILE or --coaches N" in err
