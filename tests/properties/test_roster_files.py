"""The roster loaders (CSV and YAML), on thousands of generated files: a roster, or problems naming where.

`load_roster` never crashes and never raises anything but `InvalidInput`, whose
problems name the file, the row (a CSV line, or "people item 3") and the field;
a well-formed roster loads as written, the same from CSV as from YAML; and every
roster that loads keeps what the cohort relies on (unique people, schools and
partnership ids, each partnership a coach with teachers of the same school).
"""

from __future__ import annotations

import copy
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.problems import InvalidInput, Problem
from domain.roster import CSV_COLUMNS, Role, Roster, SchoolModel, load_roster, name_key, read_roster_file, slug
from tests.properties.inputs import PROPERTY, any_text, awkward_text


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rosters")


def load(folder: Path, name: str, content: str | bytes) -> Roster:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return load_roster(path)


def keeps_the_cohorts_rules(roster: Roster) -> None:
    """What the cohort workflow relies on when it starts a ledger, a training and a partnership for each."""
    emails = [p.email for p in roster.people]
    assert len(emails) == len(set(emails))
    school_ids = [s.id for s in roster.schools]
    assert len(school_ids) == len(set(school_ids)), "two schools with one id would share one release ledger"
    partnership_ids = [p.id for p in roster.partnerships]
    assert len(partnership_ids) == len(set(partnership_ids))
    assert roster.coordinators
    people = {p.email: p for p in roster.people}
    for person in roster.people:
        assert person.name == person.name.strip() and person.name
        assert (person.school is None) == (person.role == Role.coordinator) or person.school in school_ids
    for partnership in roster.partnerships:
        assert people[partnership.coach].role == Role.coach
        assert partnership.school == people[partnership.coach].school
        assert all(people[t].role == Role.teacher and people[t].school == partnership.school for t in partnership.partners)


# -- well-formed rosters -------------------------------------------------------------------


@dataclass
class Row:
    name: str
    email: str
    role: str
    school: str = ""
    district: str = ""
    school_model: str = ""
    coach: str = ""
    partnership: str = ""
    focus: str = ""
    school_goal: str = ""


name_text = awkward_text.filter(lambda t: t.strip() != "")


@st.composite
def rosters(draw: st.DrawFn) -> list[Row]:
    """A roster that keeps every rule: schools with one principal each, coaches, and teachers partnered with them."""
    rows = [Row(draw(name_text), f"coordinator{i}@esd.test", "coordinator", district="ESD") for i in range(draw(st.integers(1, 2)))]
    for s in range(draw(st.integers(1, 3))):
        school, district = f"{draw(name_text)} {s}", draw(awkward_text)  # a number keeps the schools apart
        where = {"school": school, "district": district}
        domain = f"school{s}.test"
        rows.append(
            Row(draw(name_text), f"principal@{domain}", "principal", **where, school_model=draw(st.sampled_from(list(SchoolModel))))
        )
        coaches = [f"coach{c}@{domain}" for c in range(draw(st.integers(1, 3)))]
        rows += [Row(draw(name_text), coach, "coach", **where) for coach in coaches]
        for t in range(draw(st.integers(0, 4))):
            coach = draw(st.sampled_from(coaches))
            team = draw(st.sampled_from(["", "", f"team {coach}"]))  # a team label per coach
            rows.append(
                Row(
                    draw(name_text),
                    f"teacher{t}@{domain}",
                    "teacher",
                    **where,
                    coach=coach,
                    partnership=team,
                    focus=draw(name_text),
                    school_goal=draw(awkward_text),
                )
            )
    return draw(st.permutations(rows))


def as_csv(rows: list[Row], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(CSV_COLUMNS)
    writer.writerows([getattr(row, c) for c in CSV_COLUMNS] for row in rows)
    return out.getvalue()


def as_yaml(rows: list[Row]) -> str:
    schools = [
        {"name": r.school, "district": r.district, "model": str(r.school_model), "principal": r.email}
        for r in rows
        if r.role == "principal"
    ]
    people = [{"name": r.name, "email": r.email, "role": r.role, "school": r.school, "district": r.district} for r in rows]
    groups: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r.role == "teacher":
            label = r.partnership or r.email
            group = groups.setdefault(label, {"coach": r.coach, "partners": [], "focus": r.focus, "school_goal": r.school_goal})
            group["partners"].append(r.email)
            if r.partnership:
                group["id"] = r.partnership
    return yaml.dump(
        {"schools": schools, "people": people, "partnerships": list(groups.values())}, Dumper=yaml.CSafeDumper, allow_unicode=True
    )


@settings(PROPERTY, max_examples=150)
@given(rows=rosters())
def test_a_well_formed_roster_loads_the_same_from_csv_and_yaml(folder: Path, rows: list[Row]) -> None:
    from_csv = load(folder, "roster.csv", as_csv(rows))
    from_yaml = load(folder, "roster.yaml", as_yaml(rows))

    keeps_the_cohorts_rules(from_csv)
    assert sorted((p.email, p.name, p.role.value) for p in from_csv.people) == sorted((r.email, r.name.strip(), r.role) for r in rows)
    teams = {r.partnership or r.email for r in rows if r.role == "teacher"}
    assert len(from_csv.partnerships) == len(teams)
    assert len(from_csv.schools) == sum(1 for r in rows if r.role == "principal")
    # names YAML itself reads differently (it folds some line breaks) aside, both formats give one roster
    if all(yaml.load(yaml.dump(r.name), Loader=yaml.CSafeLoader) == r.name for r in rows):
        assert from_yaml.model_dump() == from_csv.model_dump()


@settings(PROPERTY, max_examples=100)
@given(rows=rosters(), delimiter=st.sampled_from(",;\t|"), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_a_roster_loads_the_same_whatever_delimiter_and_encoding_it_was_saved_with(rows: list[Row], delimiter: str, encoding: str) -> None:
    as_saved = read_roster_file(as_csv(rows, delimiter).encode(encoding), "roster.csv")
    assert as_saved.roster == read_roster_file(as_csv(rows).encode(), "roster.csv").roster
    assert as_saved.warnings == []


# Letters of scripts that have no ASCII in them at all, so a slug could only tell such names apart by their hash.
other_scripts = st.text(
    st.one_of(
        st.characters(min_codepoint=0x0400, max_codepoint=0x04FF),  # Cyrillic
        st.characters(min_codepoint=0x0370, max_codepoint=0x03FF),  # Greek
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),  # Arabic
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),  # CJK
        st.sampled_from(" -'."),
    ),
    min_size=1,
    max_size=12,
)
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@settings(PROPERTY, max_examples=300)
@given(first=st.one_of(other_scripts, awkward_text), second=st.one_of(other_scripts, awkward_text))
def test_two_different_names_never_share_an_id(first: str, second: str) -> None:
    assert ID.match(slug(first)), slug(first)
    assert slug(slug(first)) == slug(first)
    assert (slug(first) == slug(second)) == (name_key(first) == name_key(second))


@settings(PROPERTY, max_examples=100)
@given(names=st.lists(other_scripts.filter(lambda t: t.strip(" -'.")), min_size=2, max_size=4, unique_by=name_key))
def test_schools_named_in_other_scripts_keep_their_own_ids_and_principals(folder: Path, names: list[str]) -> None:
    rows = [Row("Cora", "cora@esd.test", "coordinator")]
    for s, name in enumerate(names):
        rows += [
            Row("Pat", f"pat@school{s}.test", "principal", name, "D", "part-time"),
            Row("Ann", f"ann@school{s}.test", "coach", name, "D"),
            Row("Tia", f"tia@school{s}.test", "teacher", name, "D", coach=f"ann@school{s}.test", focus="Reading"),
        ]
    roster = load(folder, "roster.csv", as_csv(rows))
    keeps_the_cohorts_rules(roster)
    assert len(roster.schools) == len(names)
    for s in range(len(names)):
        assert roster.school(str(roster.person(f"tia@school{s}.test").school)).principal == f"pat@school{s}.test"


# -- a spoiled CSV: problems on rows and columns -------------------------------------------

CSV_TEMPLATE = [
    Row("Cora Ordinator", "cora@esd.test", "coordinator", district="ESD"),
    Row("Pat Principal", "pat@hazel.test", "principal", "Hazel", "Vancouver", "part-time"),
    Row("Ann Coach", "ann@hazel.test", "coach", "Hazel", "Vancouver"),
    Row("Tia Teacher", "tia@hazel.test", "teacher", "Hazel", "Vancouver", coach="ann@hazel.test", focus="Research"),
    Row("Ted Teacher", "ted@hazel.test", "teacher", "Hazel", "Vancouver", coach="ann@hazel.test", partnership="grade 2", focus="Reading"),
    Row("Uma Teacher", "uma@hazel.test", "teacher", "Hazel", "Vancouver", coach="ann@hazel.test", partnership="grade 2", focus="Reading"),
]
not_an_email = any_text.filter(lambda t: "@" not in t or " " in t.strip() or "<" in t)
not_a_role = any_text.filter(lambda t: t.strip().lower() not in set(Role))
not_a_model = any_text.filter(lambda t: t.strip() and re.sub(r"[\s_]+", "-", t.strip().lower()) not in set(SchoolModel))


def csv_problems(folder: Path, content: str | bytes) -> list[Problem] | None:
    try:
        roster = load(folder, "roster.csv", content)
    except InvalidInput as invalid:
        lines = (content.decode("utf-8", "replace") if isinstance(content, bytes) else content).splitlines() or [""]
        assert invalid.problems
        for problem in invalid.problems:
            assert problem.file == str(folder / "roster.csv")
            assert problem.row is None or (isinstance(problem.row, int) and 1 <= problem.row <= len(lines) + 1), problem
            assert problem.field is None or problem.field in CSV_COLUMNS or problem.row == 1, problem
            assert problem.message.strip()
        return invalid.problems
    keeps_the_cohorts_rules(roster)
    return None


@settings(PROPERTY, max_examples=300)
@given(index=st.integers(0, len(CSV_TEMPLATE) - 1), field=st.sampled_from(["email", "role", "school_model"]), data=st.data())
def test_a_bad_cell_is_reported_on_its_row_and_column(folder: Path, index: int, field: str, data: st.DataObject) -> None:
    rows = copy.deepcopy(CSV_TEMPLATE)
    if field == "school_model":
        index = 1  # the principal's row says what model the school follows
    bad = data.draw(
        {"email": not_an_email, "role": not_a_role, "school_model": not_a_model}[field].filter(lambda t: "\n" not in t and "\r" not in t)
    )
    setattr(rows[index], field, bad)

    problems = csv_problems(folder, as_csv(rows))

    assert problems is not None
    assert any(p.row == index + 2 and p.field == field for p in problems), problems


@settings(PROPERTY, max_examples=400)
@given(index=st.integers(0, len(CSV_TEMPLATE) - 1), field=st.sampled_from(CSV_COLUMNS), value=any_text, data=st.data())
def test_any_cell_changed_to_anything_loads_or_names_rows_and_columns(
    folder: Path, index: int, field: str, value: str, data: st.DataObject
) -> None:
    rows = copy.deepcopy(CSV_TEMPLATE)
    setattr(rows[index], field, value)
    text = as_csv(rows)
    if data.draw(st.booleans()):  # and sometimes a line of the file itself spoiled: cut short, cells added, a blank line
        lines = text.splitlines(keepends=True)
        at = data.draw(st.integers(0, len(lines) - 1))
        lines[at] = data.draw(
            st.sampled_from([lines[at][: len(lines[at]) // 2] + "\n", lines[at].rstrip("\r\n") + ",extra\r\n", "\r\n", '"\r\n'])
        )
        text = "".join(lines)

    csv_problems(folder, text)


@settings(PROPERTY, max_examples=300)
@given(content=st.one_of(st.binary(max_size=300), any_text, st.lists(st.lists(any_text, max_size=12), max_size=6)))
def test_any_file_at_all_loads_or_names_the_file(folder: Path, content: Any) -> None:
    if isinstance(content, list):
        out = io.StringIO()
        csv.writer(out).writerows([",".join(CSV_COLUMNS).split(","), *content])
        content = out.getvalue()
    csv_problems(folder, content)


def test_a_cell_past_the_csv_readers_limit_is_a_problem(folder: Path) -> None:
    rows = copy.deepcopy(CSV_TEMPLATE)
    rows[3].focus = "x" * 200_000

    assert [(p.row, p.message.split(" (")[0]) for p in csv_problems(folder, as_csv(rows)) or []] == [(5, "cannot be read as CSV")]


# -- a spoiled YAML roster --------------------------------------------------------------------

YAML_TEMPLATE = yaml.safe_load(as_yaml(CSV_TEMPLATE))
yaml_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    any_text,
    st.lists(any_text, max_size=3),
    st.dictionaries(st.text(max_size=4), any_text, max_size=2),
)


def yaml_problems(folder: Path, raw: Any) -> list[Problem] | None:
    try:
        roster = load(folder, "roster.yaml", yaml.dump(raw, Dumper=yaml.CSafeDumper, allow_unicode=True))
    except InvalidInput as invalid:
        assert invalid.problems
        for problem in invalid.problems:
            assert problem.file == str(folder / "roster.yaml")
            assert problem.row is None or isinstance(problem.row, int) or str(problem.row).split(" item ")[0] in YAML_TEMPLATE
            assert problem.message.strip()
        return invalid.problems
    keeps_the_cohorts_rules(roster)
    return None


@settings(PROPERTY, max_examples=200)
@given(
    section=st.sampled_from(["schools", "people", "partnerships"]),
    data=st.data(),
    value=yaml_value,
)
def test_a_yaml_entry_changed_to_anything_loads_or_names_its_item(folder: Path, section: str, data: st.DataObject, value: Any) -> None:
    raw = copy.deepcopy(YAML_TEMPLATE)
    index = data.draw(st.integers(0, len(raw[section]) - 1))
    key = data.draw(st.sampled_from([*raw[section][index], "extra"]))
    raw[section][index][key] = value

    problems = yaml_problems(folder, raw)

    if problems is not None and key in ("email", "role", "model", "principal", "partners", "coach", "name"):
        assert any(p.row is not None and p.field is not None for p in problems), problems


@settings(PROPERTY, max_examples=100)
@given(section=st.sampled_from(["schools", "people", "partnerships", "other"]), value=yaml_value)
def test_a_yaml_section_of_the_wrong_shape_is_named(folder: Path, section: str, value: Any) -> None:
    raw = copy.deepcopy(YAML_TEMPLATE)
    raw[section] = value

    problems = yaml_problems(folder, raw)

    if problems is not None and section != "other":
        assert any(
            p.field == section or str(p.row).startswith(section) or p.field in ("principal", "coach", "partners", "school", "role")
            for p in problems
        ), problems
