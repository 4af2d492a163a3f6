"""`peercoach site ...`: the office decides a site before the deadline (not over its maximum) and launches a running
site's cohort from its accepted applications; each refusal prints one line, exits 1 and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from temporalio.testing import WorkflowEnvironment

from domain.applications import ApplicationStatus
from domain.roster import Role
from store import members
from tests.cli.conftest import Result, Terminal
from tests.cli.test_commands import until
from tests.cli.test_offering_commands import opened, refused_cleanly, said, shown
from tests.conftest import program_starting


async def test_the_office_decides_sites_and_launches_one(
    dev_env: WorkflowEnvironment, terminal: Terminal, dev_cohort: str, tmp_path: Path
) -> None:
    async with opened(dev_env, terminal, tmp_path) as s:
        o = s.offering.id
        # Vancouver (at most 3) has four endorsed applicants; Spokane two; Olympia one.
        for n, school in enumerate(["Hazel Dell", "Sifton", "Orchards", "Fircrest"], 1):
            await s.endorsed(n, "esd-112", "southwest", f"{school} Elementary")
        await s.endorsed(5, "esd-101", "northeast", "Lincoln Heights Elementary")
        await s.endorsed(6, "esd-101", "northeast", "Mead Elementary")
        await s.endorsed(7, "esd-113", "capital", "Lacey Elementary")

        # Refused: over Vancouver's maximum, a site there is not, someone not of the office, no such offering.
        before = await s.revision()
        decide = ["site", "decide", o]
        refused_cleanly(
            await s.terminal(*decide, "esd-112", "--runs", "--reason", "Enough early"),
            "refused: ESD 112, Vancouver has 4 endorsed applicants, more than its maximum of 3",
        )
        refused_cleanly(
            await s.terminal(*decide, "esd-999", "--runs", "--reason", "Enough early"),
            "refused: there is no site 'esd-999'; the sites are esd-101, esd-112, esd-113",
        )
        refused_cleanly(
            await s.terminal(*decide, "esd-101", "--runs", "--reason", "Enough early", "--as", "a5@schools.test"),
            "refused: a5@schools.test is not of the program office",
        )
        undecided = await s.terminal(*decide, "esd-101", "--reason", "Enough early")
        refused_cleanly(undecided, "say whether the site runs: --runs or --does-not-run")
        refused_cleanly(await s.terminal("site", "decide", "nope", "esd-101", "--runs", "--reason", "x"), "there is no offering 'nope'")
        record = await s.enrollment.record(o)
        assert (record.revision, record.decisions) == (before, {})

        # Spokane runs now and takes its two; Olympia does not run.
        runs = said(await s.terminal(*decide, "esd-101", "--runs", "--reason", "Enough early"))
        assert "ESD 101, Spokane runs this year; 2 applicant(s) placed now." in runs and f"{o}-0005 Applicant 5: accepted" in runs
        not_run = said(await s.terminal(*decide, "esd-113", "--does-not-run", "--reason", "Too far to travel"))
        assert "ESD 113, Olympia does not run this year; its applicants are offered another site at the deadline." in not_run
        record = await s.enrollment.record(o)
        assert {site: (d.runs, d.reason, d.decided_by) for site, d in record.decisions.items()} == {
            "esd-101": (True, "Enough early", "office@wlma.test"),
            "esd-113": (False, "Too far to travel", "office@wlma.test"),
        }
        assert [a.id for a in record.at_site("esd-101", ApplicationStatus.accepted)] == [f"{o}-0005", f"{o}-0006"]
        again = await s.terminal(*decide, "esd-101", "--does-not-run", "--reason", "Changed our mind")
        refused_cleanly(again, "refused: ESD 101, Spokane was decided on")

        # Launching: not a site that does not run, not by someone outside the office, not with a program with mistakes.
        program_file = tmp_path / "program.yaml"
        program_file.write_text(yaml.safe_dump(program_starting((datetime.now(UTC) + timedelta(days=60)).date()).model_dump(mode="json")))
        launch = ["site", "launch", o, "esd-101", "--cohort", dev_cohort, "--program", str(program_file)]
        before = await s.revision()
        olympia = await s.terminal("site", "launch", o, "esd-113", "--cohort", dev_cohort, "--program", str(program_file))
        refused_cleanly(olympia, "refused: ESD 113, Olympia is not decided to run; a cohort is launched from a running site")
        refused_cleanly(await s.terminal(*launch, "--as", "a5@schools.test"), "is not of the program office")
        broken = tmp_path / "broken.yaml"
        broken.write_text("name: Test\nsessions: []\n")
        bad = await s.terminal("site", "launch", o, "esd-101", "--cohort", dev_cohort, "--program", str(broken))
        assert bad.code == 1 and "problem(s); nothing was changed" in bad.err and "Traceback" not in bad.err, bad.err
        assert await s.revision() == before and members.program_of(s.database, dev_cohort) is None

        # Spokane's cohort: its two accepted applicants are its coaches, the program office coordinates it.
        launched = said(await s.terminal(*launch))
        assert f"Launched cohort {dev_cohort} from the accepted applications to ESD 101, Spokane" in launched
        assert (await s.enrollment.record(o)).launched == {"esd-101": dev_cohort}

        async def started() -> Result | None:
            status = await s.terminal("cohort", "status", dev_cohort)
            return status if status.code == 0 and members.people(s.database, dev_cohort, Role.coach, limit=10).rows else None

        await until(started, "the launched cohort's coaches")
        coaches = members.people(s.database, dev_cohort, Role.coach, limit=10).rows
        assert {p.email for p in coaches} == {"a5@schools.test", "a6@schools.test"}
        view = await shown(s, lambda v: v["sites"][2]["launched"] == dev_cohort)
        assert [(x["site"], x["decision"], x["accepted"]) for x in view["sites"]] == [
            ("esd-112", "not decided", 0),
            ("esd-113", "does not run", 0),
            ("esd-101", "runs", 2),
        ]
        refused_cleanly(await s.terminal(*launch), f"refused: ESD 101, Spokane's cohort was launched already, as {dev_cohort}")
