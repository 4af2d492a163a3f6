"""Reading the spreadsheets coordinators keep: CSV as Excel saves it anywhere in the world, or the Excel workbook itself.

What comes out is the non-blank rows, as text cells, each numbered as the spreadsheet
shows it, so a problem can name its row. What the columns mean is for `roster.py`.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from python_calamine import CalamineError, CalamineWorkbook

from domain.problems import InvalidInput, Problem

RESAVE_AS_CSV = "save it as CSV UTF-8 from Excel (File > Save As > CSV UTF-8 (Comma delimited)) and load that file"
# Excel writes commas, or semicolons where the comma is the decimal mark (much of Europe); tabs as
# "Unicode Text"; other programs' exports use pipes.
_DELIMITERS = ",;\t|"
# XLSX and ODS files are ZIP archives; an XLS file (Excel 97-2003) is an OLE2 compound file.
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
_WORKBOOK_NAMES = (".xlsx", ".xlsm", ".xls", ".ods")
_BYTE_ORDER_MARKS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_SNIFFED = 8192  # characters the delimiter is guessed from: dozens of rows, and the Sniffer's regexes stay quick


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it: the line of a CSV file (where a cell with line breaks ends), a workbook's row
    cells: list[str]


def read_rows(content: bytes, file: str) -> list[Row]:
    """The non-blank rows of a spreadsheet file: a workbook's first sheet, or CSV text."""
    if content.startswith(_WORKBOOK_MAGIC) or file.lower().endswith(_WORKBOOK_NAMES):
        return _workbook_rows(content, file)
    return csv_rows(read_text(content, file, RESAVE_AS_CSV), file)


def read_text(content: bytes, file: str, how_to_fix: str) -> str:
    """UTF-8 with or without a byte order mark, or UTF-16 with one (Excel's "Unicode Text").

    Any other encoding is refused rather than guessed: bytes that are not UTF-8 could be
    one of many code pages, and a wrong guess would put wrong names on invitations.
    """
    encoding = next((name for mark, name in _BYTE_ORDER_MARKS if content.startswith(mark)), "utf-8")
    try:
        return content.decode(encoding).lstrip("\ufeff")  # a second mark, from a tool that added its own, would spoil the header
    except UnicodeDecodeError:
        raise InvalidInput([Problem(file, None, None, f"the file is not UTF-8 text; {how_to_fix}")]) from None


def csv_rows(text: str, file: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter(text))
    rows: list[Row] = []
    read_up_to = 0
    try:
        for cells in reader:
            read_up_to = reader.line_num  # blank lines count, as a text editor numbers them
            if any(cell.strip() for cell in cells):
                rows.append(Row(read_up_to, cells))
    except csv.Error as exc:  # a cell past the csv module's size limit, for one: named by the line its record starts on
        raise InvalidInput([Problem(file, read_up_to + 1, None, f"cannot be read as CSV ({exc})")]) from None
    return rows


def delimiter(text: str) -> str:
    """The delimiter the file was saved with: one of `_DELIMITERS`, comma when there is no telling.

    The header row is the surest witness (column names seldom hold a delimiter), so only the
    delimiters it has are candidates. Between several, csv.Sniffer decides by the one every row
    agrees on; when it cannot (or there is no row but the header), the one the header has most.
    """
    lines = [line for line in text[:_SNIFFED].splitlines() if line.strip()]
    header = lines[0] if lines else ""
    candidates = [d for d in _DELIMITERS if d in header]
    if len(candidates) <= 1:
        return candidates[0] if candidates else ","
    if len(lines) > 1:
        try:
            return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(candidates)).delimiter
        except csv.Error:
            pass
    return max(candidates, key=header.count)


def _workbook_rows(content: bytes, file: str) -> list[Row]:
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(content)) as workbook:
            sheet = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)  # from A1, so row numbers are Excel's
    except CalamineError as exc:  # not a workbook after all, damaged, or locked with a password
        raise InvalidInput([Problem(file, None, None, f"cannot be read as a spreadsheet workbook ({exc}); {RESAVE_AS_CSV}")]) from None
    rows = [Row(number, [_cell_text(value) for value in values]) for number, values in enumerate(sheet, start=1)]
    return [row for row in rows if any(cell.strip() for cell in row.cells)]


def _cell_text(value: object) -> str:
    """A cell as the text a person sees in it: Excel keeps every number as a float (2.0 is "2"), and dates as dates."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
