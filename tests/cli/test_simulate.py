"""`peercoach simulate`: a whole year on a virtual clock; the same seed, the same year; what-if settings side by side."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.cli.conftest import PEERCOACH

SAMPLE_PROGRAM = str(Path(__file__).resolve().parents[2] / "samples" / "program.yaml")
SAMPLE_ROSTER = str(Path(__file__).resolve().parents[2] / "samples" / "roster.csv")
A_YEAR = ("--program", SAMPLE_PROGRAM, "--coaches", "6", "--seed", "7")


async def simulate(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        PEERCOACH, "simulate", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_a_simulated_year_is_summarised_and_repeatable() -> None:
    code, out, err = await simulate(*A_YEAR, "--json")
    assert code == 0, err
    year = json.loads(out)
    assert year["coaches"] == 6 and year["partnerships"] == 12
    assert set(year["attendance"]) == {str(n) for n in range(1, 9)}
    assert all(sum(marks.values()) == 6 for marks in year["attendance"].values())
    # every coach was either unlocked (attended or made up session 5) or not; the summary agrees with itself
    unlocked = year["attendance"]["5"].get("attended", 0) + year["attendance"]["5"].get("made_up", 0)
    assert year["coaching_unlocked"] == unlocked
    assert sum(year["partnerships_by_stage"].values()) == 12
    assert sum(year["cycles_completed"].values()) == 12
    assert year["notifications"]["session_reminder"] == 6 * 8 * 2  # two reminders per session per coach
    assert year["notifications"]["training_finished"] == 6
    assert year["outcome"]["moves"] > 0
    assert year["notifications"]["stage_moved"] == year["outcome"]["moves"]  # each accepted move told the partners once
    assert "servers" not in year and "wall_seconds" not in year
    # The school's year: its plan, who answered before and after coaching and who moved up, and year 2 for each
    # of its 12 partnerships and 6 coaches, decided or not.
    [school] = year["schools"]
    assert school["school"] == "school-0" and year["plans"]["written"] == (school["plan"] != "not written")
    assert sum(school["assessed"].values()) == year["outcome"]["assessments"]
    assert 0 <= year["tier_movement"]["moved_up"] <= year["tier_movement"]["people"] == school["tier_movement"]["people"]
    assert sum(school["year_two"].values()) + school["undecided"] == 12 + 6 == year["outcome"]["year_two_decisions"] + school["undecided"]
    assert set(year["year_two"]) == {"continue", "expand", "conclude", "late", "undecided"}

    again_code, again_out, _ = await simulate(*A_YEAR, "--json")
    assert again_code == 0
    assert again_out == out  # byte for byte

    code, shown, err = await simulate(*A_YEAR)
    assert code == 0, err
    assert "Teacher Librarian Peer Coaching, simulated with seed 7: 6 coaches, 12 partnerships" in shown
    assert "simulated in" in err
    assert "School plans: " in shown and "Tier movement, collaborating teachers who answered before and after: " in shown
    assert "Year 2: " in shown and "undecided" in shown


async def test_tier_movement_of_a_small_group_is_too_few_to_show() -> None:
    code, out, err = await simulate("--program", SAMPLE_PROGRAM, "--roster", SAMPLE_ROSTER, "--seed", "3", "--json")
    assert code == 0, err
    year = json.loads(out)
    assert year["tier_movement"]["people"] < 5  # four collaborating teachers in the sample roster
    assert [s["school"] for s in year["schools"]] == sorted(s["school"] for s in year["schools"]) and len(year["schools"]) == 3

    code, shown, err = await simulate("--program", SAMPLE_PROGRAM, "--roster", SAMPLE_ROSTER, "--seed", "3")
    assert code == 0, err
    assert "answered before and after: too few to show" in shown
    assert "moved up (" not in shown  # no share of a group that small, for the cohort or any school


async def test_settings_change_the_year_and_compare_side_by_side() -> None:
    # Every stage stalls after half a day: the same people are followed up far more often.
    hasty = ("--compare", "stall_days.initiate=0.5", "--compare", "stall_days.co_plan=0.5", "--compare", "stall_days.reflect=0.5")
    code, out, err = await simulate(*A_YEAR, "--set", "release_days.teacher=0.5", *hasty, "--json")
    assert code == 0, err
    both = json.loads(out)
    assert both["settings"] == {
        "set": {"release_days.teacher": 0.5},
        "compare": {"stall_days.initiate": 0.5, "stall_days.co_plan": 0.5, "stall_days.reflect": 0.5},
    }
    baseline, variant = both["baseline"], both["variant"]
    assert variant["follow_ups"] > baseline["follow_ups"]
    assert variant["notifications"]["stall_follow_up"] > baseline["notifications"]["stall_follow_up"]
    assert baseline["outcome"] == variant["outcome"]  # the same people did the same things
    # Half a day each: a teacher's request for more is refused.
    assert baseline["outcome"]["release_refused"] > 0
    assert all(r["days_requested"] == 0.5 * r["requested"] for r in baseline["release"])

    code, alone, _ = await simulate(*A_YEAR, "--set", "release_days.teacher=0.5", "--json")
    assert code == 0 and json.loads(alone) == baseline

    code, shown, err = await simulate(*A_YEAR, *hasty)
    assert code == 0, err
    assert "with stall_days.initiate=0.5, stall_days.co_plan=0.5, stall_days.reflect=0.5" in shown
    figures = ("follow-ups", "escalations", "cycles completed", "partnerships closed at year end", "release days left", "notices:")
    for figure in (*figures, "plans endorsed", "teachers who moved up a tier", "year 2: continue", "year 2: undecided"):
        assert figure in shown


async def test_a_bad_setting_is_refused_in_the_program_files_words() -> None:
    code, _, err = await simulate(*A_YEAR, "--set", "stall_days.observe=-1")
    assert code == 1
    assert "stall_days.observe=-1" in err and "stall thresholds are days and more than 0" in err
    assert "Traceback" not in err

    code, _, err = await simulate(*A_YEAR, "--compare", "release_expires_days=0")
    assert code == 1 and "release_expires_days=0" in err and "greater than or equal to 1" in err

    code, _, err = await simulate(*A_YEAR, "--set", "stall_dayz.observe=3")
    assert code == 1
    assert "there is no setting 'stall_dayz'" in err and "stall_days" in err and "release_days" in err

    code, _, err = await simulate(*A_YEAR, "--set", "sessions.9.title=Extra")
    assert code == 1 and "sessions has items 1 to 8" in err


async def test_simulate_needs_a_roster_or_a_number_of_coaches() -> None:
    code, _, err = await simulate("--program", SAMPLE_PROGRAM)
    assert code == 1 and "say --roster FILE or --coaches N" in err
    code, _, err = await simulate("--program", SAMPLE_PROGRAM, "--coaches", "100001")
    assert code == 1 and "--coaches is between 1 and 100,000" in err
