"""A coordinator's and a coach's first week, typed at the terminal."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from domain.program import load_program
from tests.cli.conftest import Result, Terminal
from tests.conftest import program_starting, school_day_after
from tests.roster_fixtures import ANN, BOB, COORDINATOR, PRINCIPAL, SMALL, TIA


async def until(check, what: str, seconds: float = 15) -> Result:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        result = await check()
        if result is not None:
            return result  # type: ignore[no-any-return]
        assert asyncio.get_running_loop().time() < deadline, f"never happened: {what}"
        await asyncio.sleep(0.3)


def write_inputs(tmp_path: Path) -> tuple[str, str, str]:
    program = program_starting((datetime.now(UTC) - timedelta(days=200)).date(), stall_days={"initiate": 2 / 86400}, follow_ups_at=None)
    program_file = tmp_path / "program.yaml"
    program_file.write_text(yaml.safe_dump(program.model_dump(mode="json")))
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text(SMALL)
    broken = tmp_path / "broken.csv"
    broken.write_text(
        SMALL.replace("Bob Coach,bob@hazel.test,coach", "Bob Coach,ann@hazel.test,coach").replace(",part-time,", ",half-time,")
    )
    return str(program_file), str(roster_file), str(broken)


async def test_a_first_week_at_the_terminal(terminal: Terminal, tmp_path: Path) -> None:
    program, roster, broken = write_inputs(tmp_path)
    cohort = f"week-{uuid.uuid4().hex[:6]}"

    # a roster with mistakes: every problem named with file, row and field; nothing launched
    refused = await terminal("cohort", "launch", "--program", program, "--roster", broken, "--cohort", cohort)
    assert refused.code == 1
    assert f"{broken}, row 5, field 'email': ann@hazel.test is already used on row 4" in refused.err
    assert f"{broken}, row 3, field 'school_model': unknown school model 'half-time'" in refused.err
    assert "Traceback" not in refused.err
    assert cohort not in (await terminal("cohort", "list")).out

    launched = await terminal("cohort", "launch", "--program", program, "--roster", roster, "--cohort", cohort)
    assert launched.code == 0, launched.err
    assert f"Launched cohort {cohort}: 2 coaches, 2 partnerships, 1 schools." in launched.out
    again = await terminal("cohort", "launch", "--program", program, "--roster", roster, "--cohort", cohort)
    assert again.code == 1 and "already exists; nothing new was started" in again.err
    assert {"cohort": cohort, "status": "running"} in (await terminal("cohort", "list", "--json")).json()

    # attendance: one unknown name and nothing is recorded
    wrong = await terminal("attendance", "record", cohort, "--session", "5", "--present", ANN, "--absent", "nobody@hazel.test")
    assert wrong.code == 1 and "nobody@hazel.test" in wrong.err
    assert (await terminal("cohort", "status", cohort, "--json")).json()["attendance"]["5"] == {}
    recorded = await terminal("attendance", "record", cohort, "--session", "5", "--present", ANN, "--absent", BOB)
    assert recorded.code == 0, recorded.err
    status = (await terminal("cohort", "status", cohort, "--json")).json()
    assert status["attendance"]["5"] == {"attended": 1, "absent": 1}

    # a coach moves a partnership; a partner may not; a skipped stage is refused with the allowed moves
    pid = f"{cohort}/ann--tia"

    async def unlocked() -> Result | None:
        shown = await terminal("partnership", "show", pid, "--json")
        return shown if shown.code == 0 and shown.json()["coaching_unlocked"] else None

    await until(unlocked, "coaching unlocked for Ann's partnership")
    by_partner = await terminal("partnership", "advance", pid, "--as", TIA, "--to", "initiate")
    assert by_partner.code == 1 and "only the partnership's coach (ann@hazel.test) may move it" in by_partner.err
    skipping = await terminal("partnership", "advance", pid, "--as", ANN, "--to", "observe")
    assert skipping.code == 1 and "cannot move to observe" in skipping.err and "allowed now: initiate" in skipping.err
    moved = await terminal("partnership", "advance", pid, "--as", ANN, "--to", "initiate", "--note", "Brainstormed the unit")
    assert moved.code == 0 and "waiting -> initiate" in moved.out and "Next for ann@hazel.test: co-plan" in moved.out
    goal = await terminal("partnership", "goal", pid, "--as", TIA, "--lesson", "Big 6 research unit", "--goal", "Students cite two sources")
    assert goal.code == 0 and "cycle 1 sets out to improve 'Big 6 research unit': Students cite two sources" in goal.out, goal.err
    early = await terminal("partnership", "outcome", pid, "--as", ANN, "--outcome", "met")
    assert early.code == 1 and "a cycle's outcome is recorded at reflect; the partnership is in initiate" in early.err
    shown = (await terminal("partnership", "show", pid, "--json")).json()
    assert [(g["lesson"], g["outcome"]) for g in shown["goals"]] == [("Big 6 research unit", None)]
    assert [(m["source"], m["target"], m["by"], m["note"]) for m in shown["moves"]] == [
        ("pending", "initiate", ANN, "Brainstormed the unit")
    ]

    # initiate stalls after two seconds in this program: the read model finds it
    async def stalled() -> Result | None:
        found = await terminal("partnership", "list", "--cohort", cohort, "--stalled", "--json")
        return found if [f"{p['cohort']}/{p['id']}" for p in found.json()["rows"]] == [pid] else None

    await until(stalled, "the stalled partnership in the read model")
    follow_ups = (await terminal("outbox", "--kind", "stall_follow_up", "--json")).json()
    assert {e["recipient"] for e in follow_ups} == {ANN, TIA}

    # Bob is not unlocked (absent at session 5): he may not start a partnership himself
    started = await terminal("partnership", "start", cohort, "--coach", BOB, "--partner", TIA, "--focus", "Podcasts", "--as", BOB)
    assert started.code == 1 and "coaching is not unlocked yet" in started.err
    started = await terminal("partnership", "start", cohort, "--coach", BOB, "--partner", TIA, "--focus", "Podcasts")
    assert started.code == 0 and f"{cohort}/bob--tia" in started.out

    # release time: asked, too much refused, decided by the principal only
    day = school_day_after(load_program(program), (datetime.now(UTC) + timedelta(days=14)).date()).isoformat()
    saturday = next(d for d in (datetime.now(UTC).date() + timedelta(days=n) for n in range(7, 14)) if d.weekday() == 5)
    weekend = await terminal("release", "request", "--as", TIA, "--days", "1", "--on", saturday.isoformat(), "--purpose", "Co-plan")
    assert weekend.code == 1 and f"{saturday} is not a school day (a Saturday)" in weekend.err
    asked = await terminal("release", "request", "--as", TIA, "--days", "1", "--on", day, "--purpose", "Co-plan", "--partnership", pid)
    assert asked.code == 0 and "1 day left after this" in asked.out, asked.err
    too_much = await terminal("release", "request", "--as", TIA, "--days", "1.5", "--on", day, "--purpose", "More")
    assert too_much.code == 1 and "has 1 day of release time left" in too_much.err
    pending = (await terminal("release", "list", "--pending", "--json")).json()
    request_id = next(r["id"] for ledger in pending for r in ledger["requests"] if ledger["cohort"] == cohort)
    by_coach = await terminal("release", "decide", request_id, "--as", ANN, "--approve")
    assert by_coach.code == 1 and "only the principal" in by_coach.err
    approved = await terminal("release", "decide", request_id, "--as", PRINCIPAL, "--approve", "--reason", "Good plan")
    assert approved.code == 0 and "booked" in approved.out
    ledger = next(ledger for ledger in (await terminal("release", "list", "--json")).json() if ledger["cohort"] == cohort)
    assert ledger["remaining"][TIA] == 1.0 and ledger["requests"][0]["status"] == "booked"

    diagram = await terminal("diagram", "cycle", "--partnership", pid)
    assert "stateDiagram-v2" in diagram.out and "initiate:::active" in diagram.out
    assert COORDINATOR in {e["recipient"] for e in (await terminal("outbox", "--json")).json()}


async def test_mistakes_are_one_clear_line(terminal: Terminal) -> None:
    for args, message in [
        (["partnership", "advance", "no-slash", "--as", ANN, "--to", "initiate"], "is not a partnership id"),
        (["partnership", "advance", "c/p", "--as", ANN, "--to", "dance"], "unknown stage 'dance'"),
        (["partnership", "advance", "c/p", "--as", ANN], "say exactly one of --to STAGE, --new-cycle or --close"),
        (["release", "request", "--as", ANN, "--days", "1", "--on", "tomorrow", "--purpose", "x"], "is not a date"),
        (["cohort", "status", "no-such-cohort"], "there is no cohort no-such-cohort"),
    ]:
        result = await terminal(*args)
        assert result.code == 1, (args, result)
        assert message in result.err, (args, result.err)
        assert "Traceback" not in result.err


async def test_a_coordinator_changes_a_running_cohort_at_the_terminal(terminal: Terminal, tmp_path: Path) -> None:
    program, roster, _ = write_inputs(tmp_path)
    cohort = f"change-{uuid.uuid4().hex[:6]}"
    assert (await terminal("cohort", "launch", "--program", program, "--roster", roster, "--cohort", cohort)).code == 0

    added = await terminal(
        "cohort", "add", cohort, "--name", "Zoe New", "--email", "zoe@hazel.test", "--role", "coach", "--school", "hazel"
    )
    assert added.code == 0 and "Added Zoe New (zoe@hazel.test)" in added.out, added.err
    again = await terminal(
        "cohort", "add", cohort, "--name", "Zoe New", "--email", "zoe@hazel.test", "--role", "coach", "--school", "hazel"
    )
    assert again.code == 1 and "zoe@hazel.test is already in the cohort" in again.err
    withdrawn = await terminal("cohort", "withdraw", cohort, BOB, "--reason", "moved to another district")
    assert withdrawn.code == 0 and f"Withdrew {BOB} from {cohort}. Partnerships ended: bob--ted." in withdrawn.out, withdrawn.err
    assert (await terminal("cohort", "withdraw", cohort, BOB)).err.count("has already withdrawn") == 1

    begun = await terminal("session", "move", cohort, "5", "--location", "Gym", "--reason", "more room")
    assert begun.code == 1 and "only a session that has not begun can be moved" in begun.err
    not_a_time = await terminal("session", "move", cohort, "7", "--from", "3pm", "--reason", "later")
    assert not_a_time.code == 1 and "--from '3pm' is not a time of day; write it as HH:MM" in not_a_time.err
    moved = await terminal(
        "session", "move", cohort, "7", "--from", "15:30", "--to", "17:00", "--location", "Library", "--reason", "a snow day"
    )
    assert moved.code == 0, moved.err
    assert "15:30 to 17:00, Library. Every coach is sent the updated invite." in moved.out

    async def told() -> Result | None:
        sent = await terminal("outbox", "--kind", "session_changed", "--json")
        return sent if {e["recipient"] for e in sent.json() if cohort in e["key"]} == {ANN, "zoe@hazel.test"} else None

    await until(told, "the moved session's invite to every coach still training")

    # the year so far, in each format; a folder or an unknown cohort is one clear line
    for form in ("html", "pdf", "csv", "xlsx"):
        written = await terminal("report", cohort, "--format", form, "--output", str(tmp_path / f"report.{form}"))
        assert written.code == 0 and f"Wrote the year so far of {cohort}" in written.out, written.err
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert "training,cohort,coaches,3" in (tmp_path / "report.csv").read_text()  # Ann, Zoe, and Bob, who withdrew
    folder = await terminal("report", cohort, "--output", str(tmp_path))
    assert folder.code == 1 and "is a folder; give a file name" in folder.err
    unknown = await terminal("report", "no-such-cohort", "--output", str(tmp_path / "x.html"))
    assert unknown.code == 1 and "there is no cohort no-such-cohort" in unknown.err
