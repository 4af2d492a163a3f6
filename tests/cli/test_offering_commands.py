"""`peercoach offering ...`: the program office reads back its offering file (or every problem with its field), opens
the spring, watches it (sites against their minimum, endorsements missing, fees, scholarships, the countdown) and
extends its deadline; a refusal prints one line, exits 1 and changes nothing.

The spring here opens today and closes in 30 days, on the dev server in real time: applications, confirmations
and endorsements go straight to the workflow (the applicant's and principal's doors are the web's)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from temporalio.testing import WorkflowEnvironment

from domain.applications import Application, ApplicationStatus
from domain.offering import Offering
from domain.processes.enrollment_requests import EndorsementAnswer
from peercoach.client import CoachingClient
from peercoach.enrollment_client import EnrollmentClient
from store.database import Database
from tests.cli.conftest import Result, Terminal
from tests.cli.test_commands import until
from tests.cli.test_plan_commands import launch_after_the_last_session
from tests.databases import sqlite_database
from tests.offering_fixtures import OFFICE, form, spring
from tests.roster_fixtures import ANN, ANN_TIA, BOB, PRINCIPAL, TIA
from workflows import ids

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "offering.yaml"


@dataclass
class Spring:
    terminal: Terminal  # `peercoach` with the program office configured (PEERCOACH_COORDINATORS)
    enrollment: EnrollmentClient
    database: Database
    offering: Offering

    async def endorsed(self, n: int, site: str, region: str, school: str, **changes: object) -> Application:
        """An application, its email confirmed and its principal's endorsement given."""
        a = await self.enrollment.apply(self.offering.id, form(n, site, region, school, **changes))
        await self.enrollment.confirm_email(a.id, a.email)
        answer = EndorsementAnswer(application=a.id, actor=a.form.principal_email, endorse=True)
        return await self.enrollment.answer_endorsement(answer)

    async def revision(self) -> int:
        return (await self.enrollment.record(self.offering.id)).revision


def refused_cleanly(result: Result, said: str) -> None:
    """One line naming the problem, exit 1, no traceback."""
    assert result.code == 1, result
    assert said in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err, result.err


def said(result: Result) -> str:
    assert result.code == 0, result
    return " ".join(result.out.split())  # the terminal wraps long lines


@asynccontextmanager
async def opened(dev_env: WorkflowEnvironment, terminal: Terminal, tmp_path: Path, *flags: str) -> AsyncIterator[Spring]:
    """An offering of its own on the shared dev server, opened by `peercoach offering open` (with `flags`) and ended
    after the test."""
    offering = spring(datetime.now(UTC), opens_in=timedelta(0)).model_copy(update={"id": f"tl-{uuid.uuid4().hex[:8]}"})
    file = tmp_path / "offering.yaml"
    file.write_text(yaml.safe_dump(offering.model_dump(mode="json")))
    office = Terminal({**terminal.env, "PEERCOACH_COORDINATORS": f"{OFFICE}, second@wlma.test"})
    opening = await office("offering", "open", str(file), *flags)
    assert opening.code == 0, opening.err
    coaching = CoachingClient(dev_env.client, terminal.env["PEERCOACH_TASK_QUEUE"], sqlite_database(tmp_path))
    try:
        yield Spring(office, EnrollmentClient(coaching), coaching.database, offering)
    finally:
        await dev_env.client.get_workflow_handle(ids.enrollment_id(offering.id)).terminate(reason="the test is over")


async def shown(s: Spring, check: Any) -> dict[str, Any]:
    """`peercoach offering show --json` once the database has caught up with what `check` waits for."""

    async def caught_up() -> Result | None:
        result = await s.terminal("offering", "show", s.offering.id, "--json")
        return result if result.code == 0 and check(result.json()) else None

    return (await until(caught_up, "the office's view to catch up")).json()  # type: ignore[no-any-return]


async def test_an_offering_file_is_read_back_or_its_problems_named(terminal: Terminal, tmp_path: Path) -> None:
    checked = await terminal("offering", "check", str(SAMPLE))
    assert checked.code == 0, checked.err
    said = " ".join(checked.out.split())  # the terminal wraps long lines
    assert "applications from Monday February 15, 2027 to the end of Thursday March 18, 2027" in said
    assert "799 USD per participant" in said and "esd-189" in said and "Anacortes" in said
    assert "wlma" in said and "one per" in said and "Second-year coaches attend sessions 6, 7, 8." in said

    bad = tmp_path / "offering.yaml"
    text = SAMPLE.read_text().replace("currency: USD", "currency: dollars")
    bad.write_text(text.replace("minimum: 12, maximum: 30, nearby: [esd-123]}", "minimum: 40, maximum: 30, nearby: [esd-123]}", 1))
    refused = await terminal("offering", "check", str(bad))
    assert refused.code == 1 and "Traceback" not in refused.err
    assert f"{bad}, field 'fee.currency': 'dollars' is not a currency code; write its three capital letters" in refused.err
    assert f"{bad}, field 'sites[1]': the maximum (30) is below the minimum (40)" in refused.err

    missing = await terminal("offering", "check", str(tmp_path / "nowhere.yaml"))
    assert missing.code == 1 and "cannot read the offering file" in missing.err and "No such file" in missing.err


async def test_without_a_program_office_nothing_opens(dev_env: WorkflowEnvironment, terminal: Terminal, tmp_path: Path) -> None:
    offering = spring(datetime.now(UTC), opens_in=timedelta(0)).model_copy(update={"id": f"tl-{uuid.uuid4().hex[:8]}"})
    file = tmp_path / "offering.yaml"
    file.write_text(yaml.safe_dump(offering.model_dump(mode="json")))
    nobody = Terminal({k: v for k, v in terminal.env.items() if k != "PEERCOACH_COORDINATORS"})
    refused_cleanly(await nobody("offering", "open", str(file)), "no program office is configured: set PEERCOACH_COORDINATORS")
    assert [w async for w in dev_env.client.list_workflows(f"WorkflowId = '{ids.enrollment_id(offering.id)}'")] == []


async def test_the_office_opens_watches_and_extends_its_spring(dev_env: WorkflowEnvironment, terminal: Terminal, tmp_path: Path) -> None:
    async with opened(dev_env, terminal, tmp_path) as s:
        o = s.offering
        today, deadline = o.opens, o.deadline
        assert (deadline - today).days == 30
        again = await s.terminal("offering", "open", str(tmp_path / "offering.yaml"))
        refused_cleanly(again, f"refused: offering {o.id} is open already; nothing new was started")

        # Spokane: one endorsed; Vancouver: one who has not confirmed their email yet.
        await s.endorsed(1, "esd-101", "northeast", "Lincoln Heights Elementary", scholarship="wlma", member=True)
        await s.enrollment.apply(o.id, form(2, "esd-112", "southwest", "Hazel Dell Elementary"))
        view = await shown(s, lambda v: v["waiting_for_email"] == 1 and v["sites"][2]["endorsed"] == 1)
        assert (view["window"], view["days_left"], view["fees_due"]) == ("open", 30, "799")
        spokane = view["sites"][2]
        assert (spokane["site"], spokane["minimum"], spokane["chose"], spokane["decision"], spokane["launched"]) == (
            "esd-101", 2, 1, "not decided", None
        )  # fmt: skip
        assert view["funds"] == [{"fund": "wlma", "offered_by": "WLMA", "rule": "one per region", "count": 14, "awarded": 0, "asked": 1}]
        page = said(await s.terminal("offering", "show", o.id))
        assert f"applications are open; the deadline is the end of {deadline:%A %B %-d, %Y} (UTC): 30 days to the deadline" in page
        assert "esd-101 │ ESD 101, Spokane │ 2 │ none │ 1 │ 1 │ 0 │ 0 │ not decided" in page
        assert "Endorsements missing: 1 applicant(s) to confirm their email, 0 principal(s) to answer. Fees due: 799 USD." in page
        assert "wlma │ WLMA │ one per region │ 14 │ 1 │ 0 │ 14" in page

        # Refused: no such offering; a deadline not after the current one; someone not of the office. Nothing changes.
        refused_cleanly(await s.terminal("offering", "show", "nope"), f"there is no offering 'nope'; the offerings are {o.id}")
        before = await s.revision()
        earlier = (deadline - timedelta(days=3)).isoformat()
        refused_cleanly(
            await s.terminal("offering", "extend", o.id, "--to", earlier, "--reason", "Spring break"),
            f"refused: an extended deadline is after the current one ({deadline:%B %-d, %Y})",
        )
        later = (deadline + timedelta(days=7)).isoformat()
        refused_cleanly(
            await s.terminal("offering", "extend", o.id, "--to", later, "--reason", "Spring break", "--as", "a1@schools.test"),
            "refused: a1@schools.test is not of the program office (office@wlma.test, second@wlma.test",
        )
        refused_cleanly(
            await s.terminal("offering", "extend", "nope", "--to", later, "--reason", "Spring break"), "there is no offering 'nope'"
        )
        record = await s.enrollment.record(o.id)
        assert (record.revision, record.deadline, record.extensions) == (before, deadline, [])

        # Extended by the second person of the office: the record keeps who and why, and the countdown moves.
        extended = await s.terminal("offering", "extend", o.id, "--to", later, "--reason", "Spring break", "--as", "Second@wlma.test")
        assert f"now close at the end of {deadline + timedelta(days=7):%A %B %-d, %Y} (UTC)" in said(extended)
        [extension] = (await s.enrollment.record(o.id)).extensions
        assert (extension.deadline.isoformat(), extension.by, extension.reason) == (later, "second@wlma.test", "Spring break")
        assert (await shown(s, lambda v: v["days_left"] == 37))["deadline"] == later


async def test_last_years_coaches_going_on_come_in_endorsed(
    dev_env: WorkflowEnvironment, terminal: Terminal, dev_cohort: str, tmp_path: Path
) -> None:
    """Ann's principal chose to continue her and her partnership with Tia; Bob's concluded."""
    await launch_after_the_last_session(terminal, tmp_path, dev_cohort)
    why = ["--by", PRINCIPAL, "--reason", "Good year"]
    for decided in (["--coach", ANN, "--choice", "continue"], ["--partnership", ANN_TIA, "--choice", "continue"]):
        assert (await terminal("year-two", "decide", dev_cohort, "hazel", *decided, *why)).code == 0
    assert (await terminal("year-two", "decide", dev_cohort, "hazel", "--coach", BOB, "--choice", "conclude", *why)).code == 0

    async def kept() -> Result | None:
        listed = await terminal("year-two", "list", dev_cohort, "--format", "json")
        return listed if listed.code == 0 and len(listed.json()) == 3 else None

    await until(kept, "the year-2 decisions in the read model")

    # Mistakes name themselves, and open nothing.
    file = tmp_path / "offering.yaml"
    office = Terminal({**terminal.env, "PEERCOACH_COORDINATORS": OFFICE})
    o = spring(datetime.now(UTC), opens_in=timedelta(0)).model_copy(update={"id": f"tl-{uuid.uuid4().hex[:8]}"})
    file.write_text(yaml.safe_dump(o.model_dump(mode="json")))
    alone = await office("offering", "open", str(file), "--returning-from", dev_cohort)
    refused_cleanly(alone, "give --returning-from COHORT and --site SITE together")
    no_cohort = await office("offering", "open", str(file), "--returning-from", "nope", "--site", "esd-112")
    refused_cleanly(no_cohort, "refused: there is no cohort 'nope'")
    unknown_site = await office("offering", "open", str(file), "--returning-from", dev_cohort, "--site", "esd-999")
    refused_cleanly(unknown_site, f"refused: there is no site 'esd-999' in {o.id}; the sites are esd-112, esd-113, esd-101")
    assert [w async for w in dev_env.client.list_workflows(f"WorkflowId = '{ids.enrollment_id(o.id)}'")] == []

    async with opened(dev_env, terminal, tmp_path, "--returning-from", dev_cohort, "--site", "esd-112") as s:
        record = await s.enrollment.record(s.offering.id)
        [ann] = record.applications
        assert (ann.email, ann.status, ann.returning, [t.email for t in ann.carried]) == (ANN, ApplicationStatus.endorsed, True, [TIA])
        assert [c.email for c in record.concluded] == [BOB]
        view = await shown(s, lambda v: v["sites"][0]["endorsed"] == 1)
        assert (view["sites"][0]["site"], view["waiting_for_email"], view["waiting_for_principal"]) == ("esd-112", 0, 0)

        listed = await s.terminal("applications", "list", s.offering.id, "--format", "csv")
        [row] = list(csv.DictReader(io.StringIO(listed.out.removeprefix("\ufeff"))))
        assert (row["Email"], row["Status"], row["Returning coach"], row["Site chosen"]) == (ANN, "endorsed", "yes", "esd-112")
