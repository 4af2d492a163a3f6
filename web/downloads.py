"""Any table of the pages as a download: CSV (streamed) or an Excel workbook (openpyxl, write-only).

A table is its headings (people's words) and its rows, fetched a page of
DOWNLOAD_ROWS at a time through the visitor, who decides what may be seen: a
download of 30,000 rows never holds them all at once (the workbook is written to
a temporary file as it goes, and sent once it is complete). The first page is
read before anything is sent, so a visitor who may not see the table gets the
page's own 403 rather than a broken download. Only what the read model holds is
written: stages, dates, counts and names, never what partners write.
"""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import Response, StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from starlette.background import BackgroundTask

from store.read_model import Page

DOWNLOAD_ROWS = 1_000  # rows read from the database at a time

Cell = str | int | float | date | datetime | None
Fetch = Callable[[int, int], Awaitable[Page[Any]]]  # (offset, limit) -> a page of the table's rows
Shape = Callable[[list[Any]], Awaitable[list[list[Cell]]]]  # a page's rows -> the cells of each
# A spreadsheet reads a cell that starts with one of these as a formula: text that came from people stays text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Sheet(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


MEDIA = {Sheet.csv: "text/csv; charset=utf-8", Sheet.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def local(at: datetime | None, timezone: str) -> datetime | None:
    """A moment as the program's clock shows it, without a zone: a spreadsheet's dates have none."""
    return None if at is None else at.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


async def download(form: Sheet, name: str, headings: list[str], fetch: Fetch, shape: Shape) -> Response:
    """The table as a file called `name` (without its extension)."""
    first = await fetch(0, DOWNLOAD_ROWS)  # the visitor's access is checked here, before a byte is sent

    async def pages() -> AsyncIterator[list[list[Cell]]]:
        found = first
        while True:
            yield await shape(found.rows)
            if len(found.rows) < DOWNLOAD_ROWS or found.offset + len(found.rows) >= found.total:
                return
            found = await fetch(found.offset + DOWNLOAD_ROWS, DOWNLOAD_ROWS)

    disposition = {"Content-Disposition": f'attachment; filename="{name}.{form.value}"'}
    if form == Sheet.csv:
        return StreamingResponse(_csv(headings, pages()), media_type=MEDIA[form], headers=disposition)
    file = await _workbook(name, headings, pages())
    return StreamingResponse(_chunks(file), media_type=MEDIA[form], headers=disposition, background=BackgroundTask(file.close))


async def _csv(headings: list[str], pages: AsyncIterator[list[list[Cell]]]) -> AsyncIterator[str]:
    yield "\ufeff" + _line(headings)  # the byte-order mark: a spreadsheet opens the file as UTF-8, names and all
    async for rows in pages:
        yield "".join(_line([_csv_cell(cell) for cell in row]) for row in rows)


def _line(cells: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ", timespec="minutes")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return str(cell)


async def _workbook(name: str, headings: list[str], pages: AsyncIterator[list[list[Cell]]]) -> Any:
    book = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = book.create_sheet(title=name[:31])  # a sheet's title is at most 31 characters
    sheet.append(headings)
    async for rows in pages:  # writing a page of rows and zipping the book take a while: off the event loop
        await asyncio.to_thread(_append, sheet, rows)
    file = tempfile.SpooledTemporaryFile(max_size=DOWNLOAD_ROWS * 1_000)  # noqa: SIM115 (closed once it is sent)
    await asyncio.to_thread(book.save, file)
    file.seek(0)
    return file


def _append(sheet: WriteOnlyWorksheet, rows: list[list[Cell]]) -> None:
    for row in rows:
        sheet.append([_xlsx_cell(sheet, cell) for cell in row])


def _xlsx_cell(sheet: WriteOnlyWorksheet, cell: Cell) -> Any:
    if isinstance(cell, str):
        written = WriteOnlyCell(sheet, value=cell)
        written.data_type = "s"  # never a formula, whatever it starts with
        return written
    return cell


async def _chunks(file: Any) -> AsyncIterator[bytes]:
    while chunk := file.read(64 * 1024):
        yield chunk
