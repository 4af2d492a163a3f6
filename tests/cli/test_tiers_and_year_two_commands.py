"""The Tiers Model and the year-2 decision at the terminal: a teacher self-assesses before and after, movement for
a school of one shows "too few to show"; the principal decides year 2 and the decisions list back as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.cli.conftest import Result, Terminal
from tests.cli.test_commands import until
from tests.cli.test_plan_commands import launch_after_the_last_session, refused_cleanly
from tests.roster_fixtures import ANN, BOB, COORDINATOR, PRINCIPAL, TIA


async def test_a_teacher_self_assesses_and_movement_shows_only_counts(terminal: Terminal, dev_cohort: str, tmp_path: Path) -> None:
    cohort = dev_cohort
    await launch_after_the_last_session(terminal, tmp_path, cohort)

    instrument = (await terminal("tiers", "instrument", cohort, "--json")).json()
    assert [d["key"] for d in instrument["dimensions"]] == ["planning", "teaching", "student-use"]
    shown = await terminal("tiers", "instrument", cohort)
    assert shown.code == 0 and "Awareness" in shown.out and "Students' own use of technology" in shown.out

    # Mistakes in the answers are one line each, and nothing is recorded.
    answers = ["--answer", "planning=2", "--answer", "teaching=3"]
    for args, message in [
        ([*answers], "refused: choose a tier for every dimension; missing: student-use"),
        ([*answers, "--answer", "student-use=9"], "refused: a tier is a number from 1 to 5; student-use is not"),
        ([*answers, "--answer", "student-use=Expert"], "'Expert' is not a tier of Technology integration tiers"),
        ([*answers, "--answer", "student-use"], "is not DIMENSION=TIER; write it as planning=2"),
        ([*answers, "--answer", "teaching=1", "--answer", "student-use=1"], "--answer names teaching twice"),
    ]:
        refused_cleanly(await terminal("tiers", "assess", cohort, "--by", TIA, "--round", "pre", *args), message)
    refused_cleanly(
        await terminal("tiers", "assess", cohort, "--by", COORDINATOR, "--round", "pre", *answers, "--answer", "student-use=2"),
        f"{COORDINATOR} is a coordinator: the self-assessment is for coaches and collaborating teachers",
    )
    refused_cleanly(
        await terminal("tiers", "assess", cohort, "--by", PRINCIPAL, "--round", "pre", *answers, "--answer", "student-use=2"),
        f"refused: {PRINCIPAL} is not one of this school's: the self-assessment is for coaches and collaborating teachers",
    )
    nothing = (await terminal("tiers", "status", cohort, "--json")).json()
    assert nothing == [{"school": "hazel", "name": "Hazel", "pre": 0, "post": 0}]

    # Tia answers before (tier 2) and after (tier 3, a tier named by its name).
    pre = await terminal("tiers", "assess", cohort, "--by", TIA, "--round", "pre", *answers, "--answer", "student-use=2")
    assert pre.code == 0 and f"{TIA}: self-assessment before coaching recorded, tier 2 (Exploration)." in pre.out, pre.err
    post = await terminal(
        "tiers", "assess", cohort, "--by", TIA, "--round", "post",
        "--answer", "planning=3", "--answer", "teaching=Integration", "--answer", "student-use=4",
    )  # fmt: skip
    assert post.code == 0 and "tier 3 (Integration)" in post.out, post.err

    async def both_rounds() -> Result | None:
        status = await terminal("tiers", "status", cohort, "--json")
        return status if status.json() == [{"school": "hazel", "name": "Hazel", "pre": 1, "post": 1}] else None

    await until(both_rounds, "Tia's answers counted in both rounds")
    table = await terminal("tiers", "status", cohort)
    assert table.code == 0 and "pre (before coaching)" in table.out

    # One teacher moved up: too few to show, for the cohort, the school and its model; her answers are never printed.
    movement = await terminal("tiers", "movement", cohort, "--json")
    assert movement.code == 0, movement.err
    assert movement.json() == [
        {"group": "cohort", "name": cohort, "shown": False, "said": "too few to show"},
        {"group": "school", "name": "Hazel (hazel)", "shown": False, "said": "too few to show"},
        {"group": "school model", "name": "part-time", "shown": False, "said": "too few to show"},
    ]
    printed = await terminal("tiers", "movement", cohort)
    assert printed.code == 0 and printed.out.count("too few to show") == 3
    assert "Integration" not in printed.out and "planning" not in printed.out


async def test_the_principal_decides_year_two_and_the_decisions_list_as_csv(terminal: Terminal, dev_cohort: str, tmp_path: Path) -> None:
    cohort = dev_cohort
    await launch_after_the_last_session(terminal, tmp_path, cohort)
    why = ["--reason", "Tia's team wants in"]

    refused_cleanly(
        await terminal("year-two", "decide", cohort, "hazel", "--by", ANN, "--partnership", "ann--tia", "--choice", "expand", *why),
        "refused: only the school's principal decides its year 2",
    )
    refused_cleanly(
        await terminal("year-two", "decide", cohort, "hazel", "--by", PRINCIPAL, "--choice", "expand", *why),
        "say which the decision is for: --partnership ID or --coach EMAIL",
    )
    refused_cleanly(
        await terminal(
            "year-two", "decide", cohort, "hazel", "--by", PRINCIPAL, "--partnership", "ann--tia", "--choice", "expand", "--reason", " "
        ),
        "refused: give a reason for the decision",
    )
    refused_cleanly(
        await terminal("year-two", "decide", cohort, "hazel", "--by", PRINCIPAL, "--coach", TIA, "--choice", "continue", *why),
        f"refused: coach:{TIA} is not a partnership or coach of this school",
    )
    wrong = await terminal("year-two", "decide", cohort, "hazel", "--by", PRINCIPAL, "--coach", BOB, "--choice", "later", *why)
    assert wrong.code == 2 and "later" in wrong.err  # Typer's own usage error names the choices

    expand = await terminal(
        "year-two", "decide", cohort, "hazel", "--by", PRINCIPAL, "--partnership", f"{cohort}/ann--tia", "--choice", "expand", *why
    )
    assert expand.code == 0 and "Year 2 for partnership ann--tia at Hazel: Expand (more teachers)." in expand.out, expand.err
    assert "3 still to decide at Hazel." in expand.out  # the other partnership and both coaches
    conclude = await terminal(
        "year-two", "decide", cohort, "hazel", "--by", PRINCIPAL, "--coach", BOB, "--choice", "conclude", "--reason", 'Moving on, "gladly"'
    )
    assert conclude.code == 0 and "Conclude" in conclude.out, conclude.err

    async def both_kept() -> Result | None:
        listed = await terminal("year-two", "list", cohort, "--format", "csv")
        return listed if listed.code == 0 and len(list(csv.DictReader(io.StringIO(listed.out)))) == 2 else None

    rows = list(csv.DictReader(io.StringIO((await until(both_kept, "both decisions in the read model")).out)))
    assert [(r["school"], r["kind"], r["subject"], r["choice"], r["reason"], r["decided_by"]) for r in rows] == [
        ("hazel", "coach", BOB, "conclude", 'Moving on, "gladly"', PRINCIPAL),
        ("hazel", "partnership", "ann--tia", "expand", "Tia's team wants in", PRINCIPAL),
    ]
    shown = await terminal("year-two", "list", cohort, "--school", "Hazel")
    assert shown.code == 0 and "Expand (more teachers)" in shown.out and "partnership ann--tia" in shown.out
    assert [r["choice"] for r in (await terminal("year-two", "list", cohort, "--format", "json")).json()] == ["conclude", "expand"]
    refused_cleanly(await terminal("year-two", "list", cohort, "--school", "maple"), f"'maple' is not a school of cohort {cohort}")
