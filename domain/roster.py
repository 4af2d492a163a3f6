"""Who is in a cohort: people, their schools, and the coaching partnerships.

Coordinators keep rosters in spreadsheets, so the main format is one row per person
(see `samples/roster.csv`), as CSV or as the Excel workbook itself; a YAML file with
`schools`, `people` and `partnerships` lists is accepted too. All are checked by the
same rules, and every problem is reported with its file, row and field. Columns the
roster does not use (a form's Timestamp, a phone number) are ignored with a warning.
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from collections import defaultdict
from collections.abc import Container
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from domain.problems import InvalidInput, Problem
from domain.spreadsheet import Row, csv_rows, read_rows, read_text
from domain.yaml_files import parse_yaml

# Dot-separated words with no space, control character or character that mail headers give a meaning
# (comments, groups, quotes, routes): what the roster accepts, a mail server accepts and a To header keeps.
_WORD = r"[^@\s<>,;:\"()\[\]\\.\x00-\x1f\x7f]+"
EMAIL_MAX = 254  # the longest address SMTP carries (RFC 5321)
EMAIL = re.compile(rf"^{_WORD}(\.{_WORD})*@{_WORD}(\.{_WORD})+$")
FOCUS_MAX_CHARS = 500  # a partnership's focus and school goal: a sentence or two, shown on every page of it
CSV_COLUMNS = ["name", "email", "role", "school", "district", "school_model", "coach", "partnership", "focus", "school_goal"]
REQUIRED_COLUMNS = ("name", "email", "role")


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


def is_coordinator(coordinators: list[str], actor: str) -> bool:
    """Whether `actor` coordinates the cohort whose coordinators these are: the one test every rule and door asks."""
    return actor in coordinators


class RosterIndex:
    """A roster's people, schools and partnerships by key: a launch looks up thousands at once."""

    def __init__(self, roster: Roster):
        self.people = {p.email: p for p in roster.people}
        self.schools = {s.id: s for s in roster.schools}
        self.partnerships = {p.id: p for p in roster.partnerships}
        self.coordinators = roster.coordinators


def name_key(text: str) -> str:
    """A name as people mean it, whatever its case, spacing or punctuation: "ST MARY'S" and "St.  Mary's" are one
    name, "St Marys" another. Two rows name one school when its name and district have the same keys."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    spaced = "".join(" " if c.isspace() or c in string.punctuation or unicodedata.category(c).startswith("P") else c for c in folded)
    return " ".join(spaced.split())


def slug(text: str) -> str:
    """A name as an id: "Hazel Dell Elementary" is hazel-dell-elementary.

    Ids go into workflow ids, URLs and notice keys, so they are lower-case ASCII letters, digits
    and hyphens. A name that is more than ASCII words (an accent, another script, a symbol) keeps
    what ASCII it has and gains 8 hex digits of a hash of its `name_key`, so two different names
    never share an id; a name with no ASCII letter or digit, such as one written only in Cyrillic
    or Chinese, is the hash alone. An id's slug is the id itself.
    """
    name = name_key(text)
    readable = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()).strip("-")
    if readable and readable.replace("-", " ") == name:
        return readable
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}" if readable else digest


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


class RosterFile(BaseModel):
    """A roster as read from a file, with what in the file was ignored (told the coordinator, not refused)."""

    roster: Roster
    warnings: list[str] = Field(default_factory=list)  # sentences that name the file and the columns
    file: str = ""
    rows: dict[str, int | str] = Field(default_factory=dict)  # each person's row (or YAML item), by email

    def mail_warnings(self, server: MailServer) -> list[str]:
        """The roster's addresses this mail server cannot take, each with its row and how to fix it.

        Without SMTPUTF8 a server takes only ASCII addresses: mail to any other is refused for good (docs/mail.md)."""
        if server.smtputf8:
            return []
        warnings = []
        for person in self.roster.people:
            if person.email.isascii():
                continue
            local, _, domain = person.email.rpartition("@")
            where = f"{self.file}, {_where(self.rows.get(person.email, '?'))}, field 'email'"
            cannot = f"the mail server {server.name} does not offer SMTPUTF8, so it cannot take {person.email}"
            if local.isascii():
                fix = f"write the address as {local}@{_ascii_domain(domain)} (the same mailbox), or use a server that offers SMTPUTF8"
            else:
                fix = f"ask {person.name} for an address without accents or other non-ASCII letters, or use a server that offers SMTPUTF8"
            warnings.append(f"{where}: {cannot}; {fix}")
        return warnings


class MailServer(BaseModel):
    """What the configured mail server said it can take (asked by the door, with EHLO)."""

    name: str  # its host, as the settings name it
    smtputf8: bool  # it takes addresses in any script (RFC 6531)


def _ascii_domain(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


class _Item(BaseModel):
    """A raw record with where it came from, before it is checked."""

    row: int | str
    values: dict[str, str]


def load_roster(path: str | Path) -> Roster:
    return load_roster_file(path).roster


def load_roster_file(path: str | Path) -> RosterFile:
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InvalidInput([Problem(str(path), None, None, f"cannot read the file: {exc.strerror}")]) from None
    return read_roster_file(content, str(path))


def read_roster(content: bytes, file: str) -> Roster:
    """A roster from a file's bytes (read from disk, or uploaded to the web app)."""
    return read_roster_file(content, file).roster


def read_roster_file(content: bytes, file: str) -> RosterFile:
    """A roster and its warnings from a file's bytes: YAML by its name, else a spreadsheet (CSV, or an Excel workbook)."""
    if file.lower().endswith((".yaml", ".yml")):
        people, schools, partnerships = _yaml_items(read_text(content, file, "save it as UTF-8 text"), file)
        roster = _build(file, people, schools=schools, partnerships=partnerships)
        return RosterFile(roster=roster, file=file, rows=_rows(people))
    return _roster_from_rows(read_rows(content, file), file)


def parse_roster_csv(text: str, file: str) -> Roster:
    """A roster from CSV text, whatever delimiter it was saved with."""
    return _roster_from_rows(csv_rows(text, file), file).roster


def _column_key(header: str) -> str:
    """A header as the roster matches it: "School Model", "school_model" and "SCHOOL-MODEL" are one column."""
    return re.sub(r"[\s_-]+", "", unicodedata.normalize("NFKC", header)).casefold()


_COLUMNS = {_column_key(c): c for c in CSV_COLUMNS}


def _roster_from_rows(rows: list[Row], file: str) -> RosterFile:
    if not rows:  # nothing at all, or only blank lines: one problem that says what a roster file holds
        header_row = f"a header row ({', '.join(CSV_COLUMNS[:4])}, ...)"
        raise InvalidInput([Problem(file, None, None, f"the file is empty: it needs {header_row} and one row per person")])
    header, *person_rows = rows
    columns = _columns(header, file)
    if not person_rows:
        raise InvalidInput([Problem(file, None, None, "the file has a header row but no one in it: it needs one row per person below it")])
    width = len(header.cells)
    people: list[_Item] = []
    extra_cells: list[Problem] = []
    for row in person_rows:
        if any(cell.strip() for cell in row.cells[width:]):  # a comma in a name that was not quoted, most often
            extra_cells.append(Problem(file, row.number, None, "more cells than columns in the header"))
            continue
        values = {column: row.cells[index].strip() if index < len(row.cells) else "" for index, column in columns.items()}
        if any(values.values()):
            people.append(_Item(row=row.number, values=values))
    try:
        roster = _build(file, people, schools=None, partnerships=None)
    except InvalidInput as invalid:
        raise InvalidInput(sorted(extra_cells + invalid.problems, key=lambda p: p.row if isinstance(p.row, int) else 0)) from None
    if extra_cells:
        raise InvalidInput(extra_cells)
    return RosterFile(roster=roster, warnings=_ignored_columns(file, header, columns, person_rows), file=file, rows=_rows(people))


def _rows(people: list[_Item]) -> dict[str, int | str]:
    """Where each address is in the file (its first row, where one is written twice)."""
    rows: dict[str, int | str] = {}
    for item in people:
        rows.setdefault(item.values.get("email", "").lower(), item.row)
    return rows


def _columns(header: Row, file: str) -> dict[int, str]:
    """The roster's column in each cell of the header row that names one (by index)."""
    columns: dict[int, str] = {}
    written: dict[str, str] = {}  # column -> its header as written
    problems: list[Problem] = []
    for index, cell in enumerate(header.cells):
        column = _COLUMNS.get(_column_key(cell))
        if column in written:
            problems.append(
                Problem(file, header.number, column, f"two columns are {column}: {written[column]!r} and {cell.strip()!r}; keep one")
            )
        elif column is not None:
            columns[index], written[column] = column, cell.strip()
    problems += [Problem(file, header.number, c, "missing column (the header row needs it)") for c in REQUIRED_COLUMNS if c not in written]
    if problems:
        raise InvalidInput(problems)
    return columns


def _ignored_columns(file: str, header: Row, columns: dict[int, str], person_rows: list[Row]) -> list[str]:
    """Warnings for the columns the roster does not use: named ones, and unnamed ones that hold something."""
    unused = [(index, cell.strip()) for index, cell in enumerate(header.cells) if index not in columns]
    named = [f"'{name}'" for _, name in unused if name]
    unnamed = [
        _column_letter(index)
        for index, name in unused
        if not name and any(index < len(row.cells) and row.cells[index].strip() for row in person_rows)
    ]
    warnings = []
    if named:
        are = "are not roster columns and were" if len(named) > 1 else "is not a roster column and was"
        warnings.append(f"{file}: {_and(named)} {are} ignored (roster columns are {', '.join(CSV_COLUMNS)})")
    if unnamed:
        have = (
            "columns {} have no name in the header row and were" if len(unnamed) > 1 else "column {} has no name in the header row and was"
        )
        warnings.append(f"{file}: {have.format(_and(unnamed))} ignored")
    return warnings


def _column_letter(index: int) -> str:
    """A column as a spreadsheet names it: A ... Z, AA, AB ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def parse_roster_yaml(text: str, file: str) -> Roster:
    people, schools, partnerships = _yaml_items(text, file)
    return _build(file, people, schools=schools, partnerships=partnerships)


def _yaml_items(text: str, file: str) -> tuple[list[_Item], list[_Item], list[_Item]]:
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

    return items("people"), items("schools"), items("partnerships")


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
    school_of: dict[str, tuple[str, str]] = {}  # email -> (school name, district) as written
    for item in people_items:
        v = item.values
        name, email, role = v.get("name", ""), v.get("email", "").lower(), v.get("role", "").lower()
        ok = True
        if not name:
            problem(item.row, "name", "a name is required")
            ok = False
        if not EMAIL.match(email) or len(email) > EMAIL_MAX:
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

    # schools: from YAML entries, or from the principals' rows of a CSV; one school however its name is cased or spaced
    declared: dict[tuple[str, str], dict[str, Any]] = {}
    if schools is not None:
        for item in schools:
            v = item.values
            name, district = v.get("name", ""), v.get("district", "")
            key = _school_key(name, district)
            if not name:
                problem(item.row, "name", "a school needs a name")
                continue
            if key in declared:
                problem(item.row, "name", f"school {name} is listed twice")
                continue
            declared[key] = {
                "row": item.row,
                "name": name,
                "district": district,
                "model": v.get("model", ""),
                "principal": v.get("principal", "").lower(),
            }
    else:
        for item in people_items:
            v = item.values
            email = v.get("email", "").lower()
            if email not in people or people[email].role != Role.principal or person_row[email] != item.row:
                if v.get("school_model") and _model(v["school_model"]) not in SchoolModel._value2member_map_:
                    problem(item.row, "school_model", _model_message(v["school_model"]))
                continue
            name, district = school_of[email]
            key = _school_key(name, district)
            if key in declared:
                problem(item.row, "school", f"{name} already has a principal ({declared[key]['principal']})")
                continue
            declared[key] = {"row": item.row, "name": name, "district": district, "model": v.get("school_model", ""), "principal": email}

    districts = defaultdict(set)
    for named, district_key in declared:
        districts[named].add(district_key)
    built: dict[tuple[str, str], School] = {}
    school_ids: set[str] = set()
    for key, d in declared.items():
        model = _model(d["model"])
        if model not in SchoolModel._value2member_map_:
            problem(d["row"], "school_model" if schools is None else "model", _model_message(d["model"]))
            continue
        principal = d["principal"]
        if principal not in people or people[principal].role != Role.principal:
            problem(d["row"], "principal", f"{principal or 'the principal'} is not a principal in the people list")
            continue
        name, district = d["name"], d["district"]
        # A school in one district is known by its name; one whose name is in two districts by both. Two schools never
        # share an id (Lincoln of Camas, and a school named Lincoln Camas elsewhere), or they would share a release ledger.
        sid = slug(name) if len(districts[key[0]]) == 1 else slug(f"{name} {district}")
        sid = unused_id(sid, school_ids)
        school_ids.add(sid)
        built[key] = School(id=sid, name=name, district=district, model=SchoolModel(model), principal=principal)

    for email, (name, district) in school_of.items():
        key = _school_key(name, district)
        if key in built:
            people[email] = people[email].model_copy(update={"school": built[key].id})
        elif key not in declared:  # a declared but broken school was reported on its own row
            problem(person_row[email], "school", f"{name} has no principal in the roster")

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
    elif len(focus) > FOCUS_MAX_CHARS:
        found.append((None, "focus", f"a focus is at most {FOCUS_MAX_CHARS} characters; this one has {len(focus)}"))
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


def _school_key(name: str, district: str) -> tuple[str, str]:
    return name_key(name), name_key(district)


def _model(value: str) -> str:
    """A school model as written in a spreadsheet ("Part Time", "Library-ICT") as the program names it."""
    return re.sub(r"[\s_]+", "-", value.strip().lower())


def _model_message(value: str) -> str:
    if not value:
        return f"a school model is required: {', '.join(SchoolModel)}"
    return f"unknown school model {value!r}; models are {', '.join(SchoolModel)}"


def _where(row: int | str) -> str:
    return f"row {row}" if isinstance(row, int) else str(row)
