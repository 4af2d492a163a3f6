"""How the command line prints: Rich tables for people, one JSON document with --json."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

# Piped output (a file, a test, a README) is not cut to 80 columns.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]

console = Console() if sys.stdout.isatty() else Console(width=200)
errors = Console(stderr=True, soft_wrap=True)


def print_json(value: Any) -> None:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    elif isinstance(value, list):
        value = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def table(title: str | None, columns: list[str], rows: list[list[Any]]) -> Table:
    t = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        t.add_column(column)
    for row in rows:
        t.add_row(*("" if cell is None else str(cell) for cell in row))
    return t


def when(value: Any) -> str:
    """Dates as a coordinator reads them: 2027-09-21 15:04 (UTC)."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "hour") else str(value)
