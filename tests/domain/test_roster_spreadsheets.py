"""Rosters as coordinators really keep them: CSV from Excel anywhere in the world, the workbook itself, headers
as people type them, extra columns, empty files; and schools named in any script, each with its own id."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from domain.problems import InvalidInput
from domain.roster import CSV_COLUMNS, Roster, load_roster_file, name_key, read_roster, read_roster_file, slug
from domain.spreadsheet import delimiter
from tests.roster_fixtures import ANN, SMALL, TIA, small_roster

ROWS = list(csv.reader(io.StringIO(SMALL)))
COLUMNS = ", ".join(CSV_COLUMNS)
MODEL = "unknown school model 'charter'; models are part-time, grade-level-team, library-ict"
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # what a cohort id may be (domain.cohort.COHORT_ID); school ids go into workflow ids too


def as_csv(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue()


def as_workbook(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems(content: bytes, file: str = "roster.csv") -> list[tuple[int | str | None, str | None, str]]:
    with pytest.raises(InvalidInput) as excinfo:
        read_roster_file(content, file)
    assert {p.file for p in excinfo.value.problems} == {file}
    return [(p.row, p.field, p.message) for p in excinfo.value.problems]


# -- CSV as Excel saves it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [
        (";", "utf-8"),  # Excel where the comma is the decimal mark: most of Europe
        (";", "utf-8-sig"),  # the same saved as "CSV UTF-8": with a byte order mark
        ("\t", "utf-16"),  # Excel's "Unicode Text": UTF-16 with its byte order mark, tab-separated
        ("\t", "utf-8"),
        ("|", "utf-8"),
        (",", "utf-8-sig"),
    ],
)
def test_a_roster_loads_whatever_delimiter_and_encoding_excel_saved_it_with(delimiter: str, encoding: str) -> None:
    rows = [row[:] for row in ROWS]
    rows[5][8] = "Research projects; writing, and reading"  # the other delimiters inside a cell, quoted
    loaded = read_roster_file(as_csv(rows, delimiter).encode(encoding), "roster.csv")
    assert loaded.warnings == []
    assert loaded.roster.partnerships[0].focus == "Research projects; writing, and reading"
    assert loaded.roster.model_dump(exclude={"partnerships"}) == small_roster().model_dump(exclude={"partnerships"})


def test_the_sniffer_chooses_between_delimiters_the_header_row_has() -> None:
    # a header cell with a comma in it (quoted) in a semicolon file: the rows agree on the semicolon
    text = as_csv([["Badge name, if other", *CSV_COLUMNS], *(["", *row] for row in ROWS[1:])], ";")
    loaded = read_roster_file(text.encode(), "roster.csv")
    assert loaded.roster == small_roster()
    assert loaded.warnings == [f"roster.csv: 'Badge name, if other' is not a roster column and was ignored (roster columns are {COLUMNS})"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name;email;role\nA;a@b.test;coach\n", ";"),
        ("name|email|role\n", "|"),
        ("\n\nname\temail\trole\n", "\t"),
        ("name\nAnn\n", ","),  # one column: nothing to tell, so comma
        ("", ","),
        ('name,email,role,"notes; misc"\nA,a@b.test,coach,x\n', ","),  # a delimiter inside a quoted header
        # more commas than semicolons in the header, but every row agrees on the semicolon
        ("Name;Email;Role;Focus (reading, writing, math, science)\nA;a@b.test;coach;x\nB;b@b.test;teacher;y, z\n", ";"),
        ("name;email;role,x\n", ";"),  # a header alone: the delimiter it has most
    ],
)
def test_the_delimiter_is_the_one_the_header_and_rows_agree_on(text: str, expected: str) -> None:
    assert delimiter(text) == expected


def test_a_semicolon_roster_with_problems_names_their_rows_and_fields() -> None:
    rows = [row[:] for row in ROWS]
    rows[2][5] = "charter"
    assert problems(as_csv(rows, ";").encode()) == [(3, "school_model", MODEL)]


@pytest.mark.parametrize(
    "content",
    [
        "Nombre,José,coach\n".encode("latin-1"),  # Excel's plain "CSV": the computer's own code page
        "name,email,role\nZoë,zoe@hazel.test,coach\n".encode("cp1252"),
        "name,email,role\n“Ann”,ann@hazel.test,coach\n".encode("cp1252"),
    ],
)
def test_a_file_that_is_not_utf8_says_how_to_save_it(content: bytes) -> None:
    assert problems(content) == [
        (
            None,
            None,
            "the file is not UTF-8 text; save it as CSV UTF-8 from Excel (File > Save As > CSV UTF-8 (Comma delimited)) and load that file",
        )
    ]


def test_a_yaml_roster_that_is_not_utf8_says_so() -> None:
    assert problems("people: [{name: José}]\n".encode("latin-1"), "roster.yaml") == [
        (None, None, "the file is not UTF-8 text; save it as UTF-8 text")
    ]


# -- headers as people type them, and columns the roster does not use ------------------------------


@pytest.mark.parametrize("written", ["school_model", "School Model", "SCHOOL-MODEL", " school model ", "SchoolModel", "School_Model"])
def test_headers_match_whatever_their_case_spaces_hyphens_and_underscores(written: str) -> None:
    header = ["Name", "E-mail", "ROLE", "School", "District", written, "Coach", "Partnership", "Focus", "School Goal"]
    assert read_roster(as_csv([header, *ROWS[1:]]).encode(), "roster.csv") == small_roster()


def test_extra_columns_are_ignored_with_one_warning_that_names_them() -> None:
    rows = [["Timestamp", *ROWS[0][:3], "phone", *ROWS[0][3:], "notes"]]
    rows += [[f"2026-09-0{n} 10:00", *row[:3], "555-0100", *row[3:], "met in June"] for n, row in enumerate(ROWS[1:], start=1)]
    loaded = read_roster_file(as_csv(rows).encode(), "roster.csv")
    assert loaded.roster == small_roster()
    assert loaded.warnings == [
        f"roster.csv: 'Timestamp', 'phone' and 'notes' are not roster columns and were ignored (roster columns are {COLUMNS})"
    ]


def test_a_column_with_no_header_that_holds_something_is_named_by_its_letter() -> None:
    rows = [[*ROWS[0], "", ""], *([*row, "", ""] for row in ROWS[1:])]
    rows[2][11] = "call first"  # column L
    loaded = read_roster_file(as_csv(rows).encode(), "roster.csv")
    assert loaded.roster == small_roster()
    assert loaded.warnings == ["roster.csv: column L has no name in the header row and was ignored"]  # K is empty: no word of it


def test_two_columns_that_are_one_are_refused() -> None:
    header = ["name", "Email", "role", "E-mail"]
    assert problems(as_csv([header, ["Cora", "cora@esd.test", "coordinator", "cora@esd.test"]]).encode()) == [
        (1, "email", "two columns are email: 'Email' and 'E-mail'; keep one")
    ]


def test_school_models_may_be_written_as_people_write_them() -> None:
    text = SMALL.replace(",part-time,", ",Part Time,")
    assert read_roster(text.encode(), "roster.csv") == small_roster()


def test_blank_rows_above_the_header_are_skipped_and_rows_keep_their_numbers() -> None:
    rows = [row[:] for row in ROWS]
    rows[2][5] = "charter"  # line 5 of the file, below two blank lines
    assert problems(("\n,,,\n" + as_csv(rows)).encode()) == [(5, "school_model", MODEL)]


# -- empty files ----------------------------------------------------------------------------------

EMPTY = "the file is empty: it needs a header row (name, email, role, school, ...) and one row per person"


@pytest.mark.parametrize("content", [b"", b"   \n\n \r\n", b"\xef\xbb\xbf", b",,,,\n,,,,\n", codecs.BOM_UTF16_LE, codecs.BOM_UTF8 * 2])
def test_an_empty_file_is_one_problem_that_says_what_a_roster_holds(content: bytes) -> None:
    assert problems(content) == [(None, None, EMPTY)]


def test_an_empty_workbook_is_one_problem_too() -> None:
    assert problems(as_workbook([]), "roster.xlsx") == [(None, None, EMPTY)]


def test_a_header_row_and_no_one_is_one_problem() -> None:
    assert problems((SMALL.splitlines()[0] + "\n\n").encode()) == [
        (None, None, "the file has a header row but no one in it: it needs one row per person below it")
    ]


# -- the Excel workbook itself ---------------------------------------------------------------------


def test_a_workbook_loads_from_its_first_sheet_with_cells_as_people_see_them() -> None:
    rows: list[list[object]] = [
        ["Timestamp", "Name", "Email", "Role", "School", "District", "School Model", "Coach", "Partnership", "Focus"]
    ]
    rows += [[datetime(2026, 9, 1, 10, 30), *row[:9]] for row in ROWS[1:]]
    rows[5][8] = 2.0  # Tia's partnership label typed as a number: Excel keeps it as the float 2.0
    rows[5][9] = date(2026, 10, 1)  # and a focus Excel took for a date
    loaded = read_roster_file(as_workbook(rows), "roster.xlsx")
    tia = next(p for p in loaded.roster.partnerships if TIA in p.partners)
    assert (tia.id, tia.focus) == ("2", "2026-10-01")
    assert [p.email for p in loaded.roster.people] == [p.email for p in small_roster().people]
    assert loaded.roster.schools == small_roster().schools
    assert loaded.warnings == [f"roster.xlsx: 'Timestamp' is not a roster column and was ignored (roster columns are {COLUMNS})"]


def test_a_workbook_is_known_by_its_bytes_whatever_its_name() -> None:
    assert read_roster(as_workbook(ROWS), "roster.csv") == small_roster()


def test_a_workbook_row_number_is_excels() -> None:
    rows: list[list[object]] = [[*row] for row in ROWS]
    rows[2][5] = "charter"  # row 3 in Excel
    rows.insert(1, [])  # a blank row: Pat is now on row 4
    assert problems(as_workbook(rows), "roster.xlsx") == [(4, "school_model", MODEL)]


@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip", b"name,email,role\n"])
def test_a_file_named_a_workbook_that_is_not_one(content: bytes) -> None:
    [(row, field, message)] = problems(content, "roster.xlsx")
    assert (row, field) == (None, None)
    assert message.startswith("cannot be read as a spreadsheet workbook (")
    assert message.endswith("save it as CSV UTF-8 from Excel (File > Save As > CSV UTF-8 (Comma delimited)) and load that file")


def test_a_workbook_loads_from_disk_with_its_warnings(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(as_workbook([[*ROWS[0], "Phone"], *([*row, "555"] for row in ROWS[1:])]))
    loaded = load_roster_file(path)
    assert loaded.roster == small_roster()
    assert loaded.warnings == [f"{path}: 'Phone' is not a roster column and was ignored (roster columns are {COLUMNS})"]


# -- schools named in any script --------------------------------------------------------------------

HEADER = ",".join(CSV_COLUMNS)


def two_schools(first: str, second: str) -> str:
    return "\n".join(
        [
            HEADER,
            "Cora,cora@esd.test,coordinator,,,,,,,",
            f"Pat,pat@one.test,principal,{first},D,part-time,,,,",
            f"Ann,ann@one.test,coach,{first},D,,,,,",
            f"Pam,pam@two.test,principal,{second},D,part-time,,,,",
            f"Tom,tom@two.test,coach,{second},D,,,,,",
            f"Tia,tia@two.test,teacher,{second},D,,tom@two.test,,Reading,",
        ]
    )


PAIRS = [
    ("Школа №1", "Школа №2"),  # Cyrillic
    ("Гимназия", "Лицей"),  # Cyrillic, nothing Latin left at all
    ("北京第一中学", "上海第二中学"),  # Chinese
    ("مدرسة النور", "مدرسة الأمل"),  # Arabic
    ("Σχολείο Αθηνών", "Σχολείο Πειραιά"),  # Greek
    ("École Saint-Jean", "Ecole Saint-Jean"),  # an accent is a different name
    ("Ελληνικό Σχολείο 1", "Ελληνικό Σχολείο 2"),
]


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_two_schools_named_in_any_script_get_two_ids(first: str, second: str) -> None:
    roster = read_roster(two_schools(first, second).encode(), "roster.csv")
    one, two = roster.schools
    assert (one.name, two.name) == (first, second)
    assert one.id != two.id
    assert all(ID.match(s.id) for s in roster.schools)
    # each school's release requests go to its own principal
    assert roster.school(str(roster.person("tia@two.test").school)).principal == "pam@two.test"
    assert roster.school(str(roster.person(ANN.replace("hazel", "one")).school)).principal == "pat@one.test"


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_a_partnership_across_two_schools_named_in_any_script_is_refused(first: str, second: str) -> None:
    text = two_schools(first, second).replace("tom@two.test,,Reading", "ann@one.test,,Reading")
    roster_ids = {name: slug(name) for name in (first, second)}
    assert problems(text.encode()) == [
        (7, "school", f"tia@two.test is at {roster_ids[second]}, but coach ann@one.test is at {roster_ids[first]}")
    ]


def test_one_school_written_twice_with_other_case_and_spacing_is_one_school() -> None:
    text = two_schools("Школа №1", "Школа №2").replace("Ann,ann@one.test,coach,Школа №1", "Ann,ann@one.test,coach,  ШКОЛА   №1 ")
    roster = read_roster(text.encode(), "roster.csv")
    assert roster.person("ann@one.test").school == roster.person("pat@one.test").school == slug("Школа №1")


def test_a_second_principal_of_one_school_written_otherwise_is_refused() -> None:
    text = two_schools("St. Mary's", "Lincoln") + "\nPia,pia@one.test,principal,ST MARY’S,D,part-time,,,,"
    assert problems(text.encode()) == [(8, "school", "ST MARY’S already has a principal (pat@one.test)")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hazel Dell Elementary", "hazel-dell-elementary"),  # plain names keep the ids they always had
        ("Fort Vancouver High", "fort-vancouver-high"),
        ("St. Mary's", "st-mary-s"),
        ("mary.okafor", "mary-okafor"),
        ("Teacher Librarian Peer Coaching 2026-2027", "teacher-librarian-peer-coaching-2026-2027"),
        ("École Saint-Jean", f"ecole-saint-jean-{slug('école saint jean').rsplit('-', 1)[-1]}"),
    ],
)
def test_slugs_of_plain_names_are_as_before(name: str, expected: str) -> None:
    assert slug(name) == expected


@pytest.mark.parametrize("name", ["北京第一中学", "Гимназия", "مدرسة النور", "Σχολείο", "", "!!!", "👩🏽‍🏫", "École", "Школа №1"])
def test_a_name_that_is_more_than_ascii_words_gets_a_hash_and_is_still_an_id(name: str) -> None:
    found = slug(name)
    assert ID.match(found)
    assert re.search(r"(^|-)[0-9a-f]{8}$", found)
    assert slug(found) == found  # an id given where a name is expected finds the same school
    assert slug(name.upper()) == found == slug(f"  {name}  ")


def test_names_are_compared_as_people_mean_them() -> None:
    assert name_key("ST MARY’S") == name_key("St.  Mary's") == "st mary s"
    assert name_key("St Marys") != name_key("St Mary's")
    assert name_key("ＨＡＺＥＬ") == "hazel"  # full-width letters, as some keyboards type them


def test_a_school_name_that_another_school_and_its_district_make_gets_its_own_id() -> None:
    text = "\n".join(
        [
            HEADER,
            "Cora,cora@esd.test,coordinator,,,,,,,",
            "Pat,pat@a.test,principal,Lincoln,Camas,part-time,,,,",
            "Pam,pam@b.test,principal,Lincoln,Yakima,part-time,,,,",
            "Pia,pia@c.test,principal,Lincoln Camas,Yakima,part-time,,,,",
        ]
    )
    roster: Roster = read_roster(text.encode(), "roster.csv")
    assert [s.id for s in roster.schools] == ["lincoln-camas", "lincoln-yakima", "lincoln-camas-2"]
