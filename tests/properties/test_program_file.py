"""The program file loader, on thousands of generated files: a program, or problems naming where.

`load_program` never crashes and never raises anything but `InvalidInput`, whose
every problem names the file (and, for a spoiled entry, its row and field); any
well-formed program loads as written, and what loads can be run: its whole
training timeline and its follow-up hours can be computed.
"""

from __future__ import annotations

import copy
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.cycle import Stage
from domain.problems import InvalidInput
from domain.program import MAX_DAYS, MIN_STALL_DAYS, SESSIONS_PER_YEAR, Program, load_program, training_timeline
from tests.properties.inputs import PROPERTY, any_text, awkward_text

ZONES = ["UTC", "America/Los_Angeles", "America/St_Johns", "Europe/Berlin", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("programs")


def load(folder: Path, content: str | bytes) -> Program:
    path = folder / "program.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return load_program(path)


def dump(raw: Any) -> str:
    return yaml.dump(raw, Dumper=yaml.CSafeDumper, allow_unicode=True)  # libyaml: the tests write thousands of files


def can_run(program: Program) -> None:
    """What the training and ledger workflows compute from a program, first thing."""
    events = training_timeline(program)
    assert len(events) == len(program.sessions) * (len(program.reminder_days_before) + 1)
    for event in (events[0], events[-1]):
        program.next_follow_up_time(event.at)
        program.end_of_day(event.at.date())
        program.local_date(event.at)
    for days in program.stall_days.values():
        assert timedelta(days=days) > timedelta(0)


# -- well-formed programs load as written --------------------------------------------------


@st.composite
def programs(draw: st.DrawFn) -> dict[str, Any]:
    """A program file's contents that keep every rule: eight sessions in order, settings in range."""
    year = draw(st.integers(min_value=2000, max_value=2090))
    starts = date(year, 1, 1) + timedelta(days=draw(st.integers(0, 300)))
    sessions = []
    for number in range(1, SESSIONS_PER_YEAR + 1):
        days = draw(st.integers(1, 4))
        sessions.append(
            {
                "number": number,
                "title": draw(awkward_text.filter(bool)),
                "starts_on": starts,
                "days": days,
                "format": draw(st.sampled_from(["in-person", "online"])),
                "location": draw(awkward_text),
                "starts_at": "08:30",
                "ends_at": "15:30",
            }
        )
        starts += timedelta(days=days - 1 + draw(st.integers(1, 60)))
    half_days = st.integers(0, 40).map(lambda n: n / 2)
    follow_up = draw(st.one_of(st.none(), st.times().map(lambda t: t.replace(microsecond=0))))
    return {
        "name": draw(awkward_text.filter(bool)),
        "school_year": f"{year}-{year + 1}",
        "timezone": draw(st.sampled_from(ZONES)),
        "sessions": draw(st.permutations(sessions)),  # the file may list them in any order
        "coaching_unlocks_after": draw(st.integers(1, 8)),
        "reminder_days_before": draw(st.lists(st.integers(1, 365), max_size=4)),
        "attendance_grace_days": draw(st.integers(0, 365)),
        "stall_days": draw(st.dictionaries(st.sampled_from([s.value for s in Stage][:6]), st.floats(MIN_STALL_DAYS, MAX_DAYS))),
        "release_days": draw(st.dictionaries(st.sampled_from(["coach", "teacher"]), half_days)),
        "release_reminder_days": draw(st.integers(1, 365)),
        "release_expires_days": draw(st.integers(1, 365)),
        "follow_ups_at": None if follow_up is None else follow_up.isoformat(),
    }


@settings(PROPERTY, max_examples=100)
@given(raw=programs())
def test_a_well_formed_program_loads_as_written(folder: Path, raw: dict[str, Any]) -> None:
    text = dump(raw)
    written = yaml.load(text, Loader=yaml.CSafeLoader)  # what any YAML reader sees in the file (YAML folds a few line breaks)

    program = load(folder, text)

    assert program.name == written["name"]
    assert program.timezone == raw["timezone"]
    assert {(s.number, s.starts_on, s.days, s.title) for s in program.sessions} == {
        (s["number"], s["starts_on"], s["days"], s["title"]) for s in written["sessions"]
    }
    assert program.reminder_days_before == sorted(set(raw["reminder_days_before"]), reverse=True)
    assert program.follow_ups_at == (None if raw["follow_ups_at"] is None else time.fromisoformat(raw["follow_ups_at"]))
    can_run(program)


# -- a spoiled program: problems that say where ------------------------------------------

nasty_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    any_text,
    st.sampled_from(["2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "24:61", "America", "../../etc/passwd", "", " "]),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
TOP_KEYS = [
    "name",
    "school_year",
    "timezone",
    "sessions",
    "coaching_unlocks_after",
    "reminder_days_before",
    "attendance_grace_days",
    "stall_days",
    "stall_chain",
    "release_days",
    "release_reminder_days",
    "release_expires_days",
    "follow_ups_at",
    "an_unknown_setting",
]
SESSION_KEYS = ["number", "title", "starts_on", "days", "format", "location", "starts_at", "ends_at"]
# the settings whose values are themselves maps or lists: spoil an entry inside them too
INNER = {
    "stall_days": st.sampled_from(["pending", "observe", "model", "nowhere"]),
    "release_days": st.sampled_from(["coach", "teacher", "principal", "janitor"]),
}

SAMPLE = yaml.safe_load((Path(__file__).resolve().parents[2] / "samples" / "program.yaml").read_text(encoding="utf-8"))


def problems_of(folder: Path, raw: Any) -> list[Any] | None:
    """The problems of loading `raw` as a file, or None if it loaded (and then could run)."""
    try:
        program = load(folder, dump(raw))
    except InvalidInput as invalid:
        assert invalid.problems, "an InvalidInput with no problem in it"
        for problem in invalid.problems:
            assert problem.file == str(folder / "program.yaml")
            assert problem.message.strip()
        return invalid.problems
    can_run(program)
    return None


@settings(PROPERTY, max_examples=300)
@given(key=st.sampled_from(TOP_KEYS), value=nasty_value, inner=st.data())
def test_a_spoiled_setting_is_named(folder: Path, key: str, value: Any, inner: st.DataObject) -> None:
    raw = copy.deepcopy(SAMPLE)
    if key in INNER and inner.draw(st.booleans()):
        raw[key] = {**raw[key], inner.draw(INNER[key]): value}
    else:
        raw[key] = value

    problems = problems_of(folder, raw)

    if problems is not None and key != "an_unknown_setting":
        # a school year that moved leaves the sessions outside it: reported on their dates
        expected = {key, "starts_on", "sessions"} if key in ("school_year", "sessions") else {key}
        named = [p for p in problems if (p.field or "").split(".")[0] in expected]
        assert named or (key == "sessions" and all(str(p.row).startswith("sessions item") for p in problems)), problems


@settings(PROPERTY, max_examples=250)
@given(index=st.integers(0, 7), key=st.sampled_from([*SESSION_KEYS, "an_unknown_field"]), value=nasty_value)
def test_a_spoiled_session_is_named_by_its_item_and_field(folder: Path, index: int, key: str, value: Any) -> None:
    raw = copy.deepcopy(SAMPLE)
    raw["sessions"][index][key] = value

    problems = problems_of(folder, raw)

    if problems is not None:
        number = SAMPLE["sessions"][index]["number"]
        named = [p for p in problems if p.row == f"sessions item {index + 1}" and p.field == key]
        # a changed number, date or length is judged against the calendar: the session, or its neighbour, is named
        on_the_calendar = [p for p in problems if p.field == "sessions" or (str(p.row).startswith("session ") and p.field == "starts_on")]
        assert named or (key in ("number", "starts_on", "days") and on_the_calendar), (number, problems)


@settings(PROPERTY, max_examples=400)
@given(content=st.one_of(st.binary(max_size=400), any_text, st.recursive(st.none() | st.integers() | st.text(), st.lists, max_leaves=20)))
def test_any_bytes_at_all_load_or_name_the_file(folder: Path, content: Any) -> None:
    if not isinstance(content, (bytes, str)):
        content = dump(content)
    try:
        program = load(folder, content)
    except InvalidInput as invalid:
        assert invalid.problems
        assert {p.file for p in invalid.problems} == {str(folder / "program.yaml")}
    else:
        can_run(program)


@pytest.mark.parametrize(
    ("text", "row", "field"),
    [
        ("a: " + "[" * 100_000 + "]" * 100_000, None, None),  # past Python's recursion limit (and libyaml's stack)
        ("sessions: [{number: 1, starts_on: 2026-02-30}]", "sessions item 1", "starts_on"),
    ],
)
def test_awkward_yaml_is_a_problem_not_a_crash(folder: Path, text: str, row: str | None, field: str | None) -> None:
    with pytest.raises(InvalidInput) as invalid:
        load(folder, text)
    assert any(p.row == row and p.field == field for p in invalid.value.problems), invalid.value.problems


def test_the_sample_program_runs(folder: Path) -> None:
    can_run(load(folder, dump(SAMPLE)))
