"""A school's coaching plan at the terminal: written by a coach, refused to a coach's endorsement, endorsed by the
principal, shown and listed with the partnerships on each goal; a bad plan file names its file, field and fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from tests.cli.conftest import Result, Terminal
from tests.cli.test_commands import until
from tests.conftest import program_starting
from tests.roster_fixtures import ANN, PRINCIPAL, SMALL


async def launch_after_the_last_session(terminal: Terminal, tmp_path: Path, cohort: str) -> None:
    """The small roster (Hazel: Ann with Tia, whose school goal is "Writing", and Bob with Ted) in a year whose
    sessions are all over: both self-assessment rounds and the year-2 decisions are open from the launch."""
    program = program_starting((datetime.now(UTC) - timedelta(days=400)).date(), follow_ups_at=None)
    program_file, roster_file = tmp_path / "program.yaml", tmp_path / "roster.csv"
    program_file.write_text(yaml.safe_dump(program.model_dump(mode="json")))
    roster_file.write_text(SMALL)
    launched = await terminal("cohort", "launch", "--program", str(program_file), "--roster", str(roster_file), "--cohort", cohort)
    assert launched.code == 0, launched.err


def refused_cleanly(result: Result, reason: str) -> None:
    assert result.code == 1, result
    assert reason in result.err, result.err
    assert "Traceback" not in result.err


async def test_a_plan_is_written_endorsed_shown_and_listed(terminal: Terminal, dev_cohort: str, tmp_path: Path) -> None:
    cohort = dev_cohort
    await launch_after_the_last_session(terminal, tmp_path, cohort)

    # Ann writes it and asks the principal to endorse it; her endorsement is refused and changes nothing.
    written = await terminal(
        "plan", "write", cohort, "hazel", "--by", ANN,
        "--goal", "Writing", "--goal", "Math talk",
        "--assignments", "Ann with Tia, Bob with Ted", "--roles", "Co-plan weekly", "--communication", "Staff meeting",
        "--submit",
    )  # fmt: skip
    assert written.code == 0, written.err
    assert f"Hazel's coaching plan is now version 1, waiting for the principal's endorsement; {PRINCIPAL} is asked" in written.out
    refused_cleanly(
        await terminal("plan", "endorse", cohort, "hazel", "--by", ANN), "refused: only the school's principal endorses its coaching plan"
    )
    endorsed = await terminal("plan", "endorse", cohort, "Hazel", "--by", PRINCIPAL)
    assert endorsed.code == 0 and f"version 1, is endorsed by {PRINCIPAL}" in endorsed.out, endorsed.err
    refused_cleanly(await terminal("plan", "endorse", cohort, "hazel", "--by", PRINCIPAL), "it needs endorsing again only once it changes")

    # The read model shows it with the partnerships on each goal: Ann and Tia's names "Writing".
    async def endorsed_plan() -> Result | None:
        shown = await terminal("plan", "show", cohort, "hazel", "--json")
        return shown if shown.code == 0 and (shown.json()["plan"] or {}).get("status") == "endorsed" else None

    shown = (await until(endorsed_plan, "the endorsed plan in the read model")).json()
    assert shown["plan"]["endorsed_by"] == PRINCIPAL
    assert shown["coverage"] == [
        {"goal": "g1", "text": "Writing", "partnerships": 1},
        {"goal": "g2", "text": "Math talk", "partnerships": 0},
    ]
    page = await terminal("plan", "show", cohort, "hazel")
    assert page.code == 0 and "Who the coaches work with:" in page.out and "Ann with Tia, Bob with Ted" in page.out
    listed = await terminal("plan", "list", cohort)
    assert listed.code == 0 and "g1 Writing (1 partnership)" in listed.out and "g2 Math talk (0 partnerships)" in listed.out
    assert "1 of 1 schools have an endorsed plan." in listed.out
    [school] = (await terminal("plan", "list", cohort, "--json")).json()
    assert (school["school"], school["plan"]["status"]) == ("hazel", "endorsed")

    # A plan file with mistakes: each named with its file and field and how to put it right; nothing is written.
    broken = tmp_path / "broken-plan.yaml"
    broken.write_text("goals:\n  - Writing\nassignments: Ann with Tia\ncommunication: [1, 2]\nbudget: 300\n")
    bad = await terminal("plan", "write", cohort, "hazel", "--by", ANN, "--file", str(broken))
    assert bad.code == 1 and "3 problem(s); nothing was changed" in bad.err, bad.err
    assert f"{broken}, field 'roles': missing; say the coaches' roles and responsibilities" in bad.err
    assert f"{broken}, field 'communication': write how the staff will hear of it as text" in bad.err
    assert f"{broken}, field 'budget': not a part of a plan" in bad.err and "Traceback" not in bad.err

    # The principal changes it from a file: it is a draft again, and needs endorsing again.
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(
        "goals: [Writing, Math talk, Science notebooks]\nassignments: Ann with Tia\nroles: Co-plan\ncommunication: Newsletter\n"
    )
    changed = await terminal("plan", "write", cohort, "hazel", "--by", PRINCIPAL, "--file", str(plan_file))
    assert (
        changed.code == 0 and "version 2, a draft, not yet asked of the principal" in changed.out and "g3 Science notebooks" in changed.out
    ), changed.err

    async def redrafted() -> Result | None:
        shown = await terminal("plan", "show", cohort, "hazel", "--json")
        return shown if shown.json()["plan"]["version"] == 2 else None

    plan = (await until(redrafted, "the changed plan in the read model")).json()["plan"]
    assert (plan["status"], plan["endorsed_by"], plan["communication"]) == ("draft", None, "Newsletter")

    # A part not given keeps its words: submitting again needs only --submit.
    again = await terminal("plan", "write", cohort, "hazel", "--by", ANN, "--submit")
    assert again.code == 0 and "version 3, waiting for the principal" in again.out and "g3 Science notebooks" in again.out, again.err


async def test_plan_mistakes_are_one_clear_line(terminal: Terminal, dev_cohort: str, tmp_path: Path) -> None:
    cohort = dev_cohort
    await launch_after_the_last_session(terminal, tmp_path, cohort)
    for args, message in [
        (["plan", "show", "no-such-cohort", "hazel"], "there is no cohort no-such-cohort"),
        (["plan", "show", cohort, "maple"], f"'maple' is not a school of cohort {cohort}; its schools are hazel"),
        (["plan", "write", cohort, "hazel", "--by", ANN, "--goal", "Writing"], "--assignments is missing: the school has no plan yet"),
        (["plan", "write", cohort, "hazel", "--by", ANN, "--file", "plan.yaml", "--goal", "x"], "not both"),
        (["plan", "write", cohort, "hazel", "--by", ANN, "--file", str(tmp_path / "none.yaml")], "cannot read the file"),
        (
            [
                "plan",
                "write",
                cohort,
                "hazel",
                "--by",
                "tia@hazel.test",
                "--goal",
                "W",
                "--assignments",
                "a",
                "--roles",
                "r",
                "--communication",
                "c",
            ],
            "refused: a school's coaching plan is written by its coaches and its principal",
        ),
        (["plan", "endorse", cohort, "hazel", "--by", PRINCIPAL], "the school has no coaching plan yet"),
    ]:
        refused_cleanly(await terminal(*args), message)
    assert (await terminal("plan", "show", cohort, "hazel", "--json")).json()["plan"] is None
