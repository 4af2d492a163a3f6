"""Who is in a cohort: people, their schools, and the coaching partnerships.

Coordinators keep rosters in spreadsheets, so the main format is one CSV row per
person (see `samples/roster.csv`); a YAML file with `schools`, `people` and
`partnerships` lists is accepted too. Both are checked by the same rules, and
every problem is reported with its file, row and field.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Container
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from domain.problems import InvalidInput, Problem
from domain.yaml_files import parse_yaml

# Dot-separated words with no space, control character or character that mail headers give a meaning
# (comments, groups, quotes, routes): what the roster accepts, a mail server accepts and a To header keeps.
_WORD = r"[^@\s<>,;:\"()\[\]\\.\x00-\x1f\x7f]+"
EMAIL = re.compile(rf"^{_WORD}(\.{_WORD})*@{_WORD}(\.{_WORD})+$")
CSV_COLUMNS = ["name", "email", "role", "school", "district", "school_model", "coach", "partnership", "focus", "school_goal"]


class Role(StrEnum):
    coordinator = "coordinator"
    coach = "coach"
    teacher = "teacher"
    principal = "principal"


# The people the coaching involves (coaches and collaborating teachers): they hold release
# days, may join a running cohort and may withdraw from it.
PARTICIPANTS = (Role.coach, Role.teacher)


class SchoolModel(StrEnum):
    """The three ways schools staff coaching (seeds 001 and 004)."""

    part_time = "part-time"
    team = "grade-level-team"
    library_ict = "library-ict"


class Person(BaseModel):
    name: str
    email: str
    role: Role
    school: str | None = None  # school id; coordinators may have none


class School(BaseModel):
    id: str
    name: str
    district: str
    model: SchoolModel
    principal: str  # email


class Partnership(BaseModel):
    id: str
    coach: str
    partners: list[str] = Field(min_length=1)
    focus: str
    school_goal: str | None = None
    school: str


class Roster(BaseModel):
    people: list[Person]
    schools: list[School]
    partnerships: list[Partnership]

    def person(self, email: str) -> Person:
        email = email.strip().lower()
        for p in self.people:
            if p.email == email:
                return p
        raise KeyError(f"{email} is not in the roster")

    def school(self, school_id: str) -> School:
        for s in self.schools:
            if s.id == school_id:
                return s
        raise KeyError(f"there is no school {school_id!r} in the roster")

    def with_role(self, role: Role) -> list[Person]:
        return [p for p in self.people if p.role == role]

    def index(self) -> RosterIndex:
        return RosterIndex(self)

    @property
    def coordinators(self) -> list[str]:
        return [p.email for p in self.with_role(Role.coordinator)]


class RosterIndex:
    """A roster's people, schools and partnerships by key: a launch looks up thousands at once."""

    def __init__(self, roster: Roster):
        self.people = {p.email: p for p in roster.people}
        self.schools = {s.id: s for s in roster.schools}
        self.partnerships = {p.id: p for p in roster.partnerships}
        self.coordinators = roster.coordinators


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def partnership_id(coach: str, partners: list[str]) -> str:
    return slug(coach.split("@")[0]) + "--" + slug(partners[0].split("@")[0])


def unused_id(base: str, taken: Container[str]) -> str:
    """`base`, or `base-2`, `base-3` ...: a made-up id must not merge two partnerships
    (jsmith coaching tlee happens at more than one school)."""
    found, n = base, 2
    while found in taken:
        found, n = f"{base}-{n}", n + 1
    return found


# -- loading ------------------------------------------------------------------


class _Item(BaseModel):
    """A raw record with where it came from, before it is checked."""

    row: int | str
    values: dict[str, str]


def load_roster(path: str | Path) -> Roster:
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InvalidInput([Problem(str(path), None, None, f"cannot read the file: {exc.strerror}")]) from None
    return read_roster(content, str(path))


def read_roster(content: bytes, file: str) -> Roster:
    """A roster from a file's bytes (read from disk, or uploaded to the web app); YAML by its name, else CSV."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput([Problem(file, None, None, "the file is not UTF-8 text")]) from None
    if file.lower().endswith((".yaml", ".yml")):
        return parse_roster_yaml(text, file)
    return parse_roster_csv(text, file)


def parse_roster_csv(text: str, file: str) -> Roster:
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _parse_csv(reader, file)
    except csv.Error as exc:  # a cell past the csv module's size limit, for one; it is in the record after the last one read
        raise InvalidInput([Problem(file, reader.line_num + 1, None, f"cannot be read as CSV ({exc})")]) from None


def _parse_csv(reader: csv.DictReader[str], file: str) -> Roster:
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    header_problems = [
        Problem(file, 1, c, "missing column (the header row needs it)") for c in ("name", "email", "role") if c not in header
    ]
    header_problems += [
        Problem(file, 1, h, f"unknown column; columns are {', '.join(CSV_COLUMNS)}") for h in header if h and h not in CSV_COLUMNS
    ]
    if header_problems:
        raise InvalidInput(header_problems)
    people: list[_Item] = []
    extra_cells: list[Problem] = []
    for raw in reader:
        n = reader.line_num  # the line in the file, as a spreadsheet numbers it (blank lines count)
        if None in raw:
            extra_cells.append(Problem(file, n, None, "more cells than columns in the header"))
            continue
        values = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if any(values.values()):
            people.append(_Item(row=n, values=values))
    try:
        roster = _build(file, people, schools=None, partnerships=None)
    except InvalidInput as invalid:
        raise InvalidInput(sorted(extra_cells + invalid.problems, key=lambda p: p.row if isinstance(p.row, int) else 0)) from None
    if extra_cells:
        raise InvalidInput(extra_cells)
    return roster


def parse_roster_yaml(text: str, file: str) -> Roster:
    raw = parse_yaml(text, file)
    if not isinstance(raw, dict) or not isinstance(raw.get("people"), list):
        raise InvalidInput([Problem(file, None, "people", "expected a mapping with a 'people' list")])

    def items(key: str) -> list[_Item]:
        entries = raw.get(key) or []
        if not isinstance(entries, list):
            raise InvalidInput([Problem(file, None, key, f"expected a list of {key}")])
        out = []
        for i, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                raise InvalidInput([Problem(file, f"{key} item {i}", None, "expected a mapping")])
            values = {str(k): _text(v) for k, v in entry.items()}
            out.append(_Item(row=f"{key} item {i}", values=values))
        return out

    return _build(file, items("people"), schools=items("schools"), partnerships=items("partnerships"))


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(str(v).strip() for v in value)
    return "" if value is None else str(value).strip()


def _build(file: str, people_items: list[_Item], schools: list[_Item] | None, partnerships: list[_Item] | None) -> Roster:
    problems: list[Problem] = []

    def problem(row: int | str, field: str | None, message: str) -> None:
        problems.append(Problem(file, row, field, message))

    # people
    people: dict[str, Person] = {}
    person_row: dict[str, int | str] = {}
    school_of: dict[str, tuple[str, str]] = {}  # email -> (school name, district)
    for item in people_items:
        v = item.values
        name, email, role = v.get("name", ""), v.get("email", "").lower(), v.get("role", "").lower()
        ok = True
        if not name:
            problem(item.row, "name", "a name is required")
            ok = False
        if not EMAIL.match(email):
            problem(item.row, "email", f"{email!r} is not an email address" if email else "an email is required")
            ok = False
        elif email in people:
            problem(item.row, "email", f"{email} is already used on {_where(person_row[email])}")
            ok = False
        if role not in Role.__members__:
            problem(item.row, "role", f"unknown role {role!r}; roles are {', '.join(Role)}")
            ok = False
        school_name = v.get("school", "")
        if role in ("coach", "teacher", "principal") and not school_name:
            problem(item.row, "school", f"a {role} needs a school")
            ok = False
        if not ok:
            continue
        people[email] = Person(name=name, email=email, role=Role(role))
        person_row[email] = item.row
        if school_name:
            school_of[email] = (school_name, v.get("district", ""))

    # schools: from YAML entries, or from the principals' rows of a CSV
    declared: dict[tuple[str, str], dict[str, Any]] = {}
    if schools is not None:
        for item in schools:
            v = item.values
            key = (v.get("name", ""), v.get("district", ""))
            if not key[0]:
                problem(item.row, "name", "a school needs a name")
                continue
            if key in declared:
                problem(item.row, "name", f"school {key[0]} is listed twice")
                continue
            declared[key] = {"row": item.row, "model": v.get("model", ""), "principal": v.get("principal", "").lower()}
    else:
        for item in people_items:
            v = item.values
            email = v.get("email", "").lower()
            if email not in people or people[email].role != Role.principal or person_row[email] != item.row:
                if v.get("school_model") and v.get("school_model") not in SchoolModel._value2member_map_:
                    problem(item.row, "school_model", _model_message(v["school_model"]))
                continue
            key = school_of[email]
            if key in declared:
                problem(item.row, "school", f"{key[0]} already has a principal ({declared[key]['principal']})")
                continue
            declared[key] = {"row": item.row, "model": v.get("school_model", ""), "principal": email}

    names = defaultdict(set)
    for name, district in declared:
        names[name].add(district)
    built: dict[tuple[str, str], School] = {}
    for (name, district), d in declared.items():
        if d["model"] not in SchoolModel._value2member_map_:
            problem(d["row"], "school_model" if schools is None else "model", _model_message(d["model"]))
            continue
        principal = d["principal"]
        if principal not in people or people[principal].role != Role.principal:
            problem(d["row"], "principal", f"{principal or 'the principal'} is not a principal in the people list")
            continue
        sid = slug(name) if len(names[name]) == 1 else slug(f"{name} {district}")
        built[(name, district)] = School(id=sid, name=name, district=district, model=SchoolModel(d["model"]), principal=principal)

    for email, key in school_of.items():
        if key in built:
            people[email] = people[email].model_copy(update={"school": built[key].id})
        elif key not in declared:  # a declared but broken school was reported on its own row
            problem(person_row[email], "school", f"{key[0]} has no principal in the roster")

    # partnerships
    groups: dict[str, dict[str, Any]] = {}
    if partnerships is None:
        for item in people_items:
            v = item.values
            coach = v.get("coach", "").lower()
            email = v.get("email", "").lower()
            if not coach:
                continue
            if email in people and people[email].role != Role.teacher:
                problem(item.row, "coach", "only a teacher row names a coach")
                continue
            label = slug(v["partnership"]) if v.get("partnership") else unused_id(partnership_id(coach, [email]), groups)
            group = groups.setdefault(
                label,
                {"row": item.row, "coach": coach, "partners": [], "focus": v.get("focus", ""), "school_goal": v.get("school_goal", "")},
            )
            if group["coach"] != coach:
                problem(item.row, "coach", f"partnership {label} already has coach {group['coach']}")
                continue
            group["partners"].append((item.row, email))
    else:
        for item in partnerships:
            v = item.values
            partners = [p.strip().lower() for p in v.get("partners", "").split(";") if p.strip()]
            if not partners:
                problem(item.row, "partners", "a partnership needs at least one collaborating teacher")
                continue
            coach = v.get("coach", "").lower()
            label = slug(v["id"]) if v.get("id") else unused_id(partnership_id(coach, partners), groups)
            if label in groups:
                problem(item.row, "id", f"partnership {label} is listed twice")
                continue
            groups[label] = {
                "row": item.row,
                "coach": coach,
                "partners": [(item.row, p) for p in partners],
                "focus": v.get("focus", ""),
                "school_goal": v.get("school_goal", ""),
            }

    built_partnerships: list[Partnership] = []
    for pid, g in groups.items():
        found = partnership_problems(people, g["coach"], [email for _, email in g["partners"]], g["focus"])
        for index, field, message in found:
            row = g["row"] if index is None else g["partners"][index][0]
            problem(row, field if partnerships is not None or field != "partners" else "email", message)
        if not found:
            coach_person = people[g["coach"]]
            built_partnerships.append(
                Partnership(
                    id=pid,
                    coach=coach_person.email,
                    partners=[e for _, e in g["partners"]],
                    focus=g["focus"],
                    school_goal=g["school_goal"] or None,
                    school=str(coach_person.school),
                )
            )

    if not any(p.role == Role.coordinator for p in people.values()) and not problems:
        problem(1 if schools is None else "people", "role", "the roster needs at least one coordinator")
    if problems:
        raise InvalidInput(problems)
    return Roster(people=list(people.values()), schools=list(built.values()), partnerships=built_partnerships)


def partnership_problems(people: dict[str, Person], coach_email: str, partners: list[str], focus: str) -> list[tuple[int | None, str, str]]:
    """What is wrong with a partnership: (index of the partner or None, field, message) each."""
    coach = people.get(coach_email)
    if coach is None or coach.role != Role.coach:
        return [(None, "coach", f"{coach_email or 'the coach'} is not a coach in the roster")]
    found: list[tuple[int | None, str, str]] = []
    if not focus.strip():
        found.append((None, "focus", "a partnership needs a focus (what the lessons will improve)"))
    if not partners:
        found.append((None, "partners", "a partnership needs at least one collaborating teacher"))
    for index, email in enumerate(partners):
        partner = people.get(email)
        if partner is None:
            found.append((index, "partners", f"{email} is not in the roster"))
        elif partner.role != Role.teacher:
            found.append((index, "partners", f"{email} is a {partner.role.value}, not a collaborating teacher"))
        elif partner.school is not None and partner.school != coach.school:  # no school: reported on its own row
            found.append((index, "school", f"{email} is at {partner.school}, but coach {coach.email} is at {coach.school}"))
    return found


def _model_message(value: str) -> str:
    if not value:
        return f"a school model is required: {', '.join(SchoolModel)}"
    return f"unknown school model {value!r}; models are {', '.join(SchoolModel)}"


def _where(row: int | str) -> str:
    return f"row {row}" if isinstance(row, int) else str(row)
