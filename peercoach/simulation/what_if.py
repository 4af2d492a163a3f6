"""What-if settings: a program's settings changed for one simulated year (`--set stall_days.observe=10`).

A setting is a dotted path into the program's settings, as its file names them
(`stall_days.observe`, `release_days.teacher`, `sessions.5.starts_on`: list items
counted from 1), and a value read as YAML reads the file. The changed program is
checked as a program file is, so a value the file could not hold is refused with
the same words, naming the setting.
"""

from __future__ import annotations

from typing import Any

from domain.problems import InvalidInput, Problem
from domain.program import Program, parse_program
from domain.yaml_files import parse_yaml
from peercoach.invocation import UserError


class Setting:
    def __init__(self, text: str):
        path, equals, value = text.partition("=")
        self.text = text
        self.path = [part.strip() for part in path.split(".")]
        if not equals or not all(self.path):
            raise UserError(f"{text!r} is not a setting: say PATH=VALUE, such as stall_days.observe=10")
        try:
            self.value = parse_yaml(value, text)
        except InvalidInput as invalid:
            raise UserError(f"{text}: {invalid.problems[0].message}") from None

    @property
    def name(self) -> str:
        return ".".join(self.path)


def parse_settings(texts: list[str]) -> list[Setting]:
    return [Setting(text) for text in texts]


def with_settings(program: Program, settings: list[Setting]) -> Program:
    """The program with these settings changed, checked as a program file is; UserError naming the setting if not."""
    if not settings:
        return program
    raw = program.model_dump(mode="json")
    for setting in settings:
        _put(raw, setting)
    try:
        changed = parse_program(raw, "settings")
    except InvalidInput as invalid:
        raise UserError("\n".join(_worded(problem, settings) for problem in invalid.problems)) from None
    checked = changed.model_dump(mode="json")
    for setting in settings:
        _look_up(checked, setting)  # a setting pydantic ignored (a name no model has) is no setting
    return changed


def _put(raw: dict[str, Any], setting: Setting) -> None:
    if setting.path[0] not in Program.model_fields:
        raise UserError(f"{setting.text}: there is no setting {setting.path[0]!r}; settings are {', '.join(Program.model_fields)}")
    node: Any = raw
    for depth, part in enumerate(setting.path[:-1]):
        node = _child(node, part, setting, depth)
    last = setting.path[-1]
    if isinstance(node, list):
        node[_index(node, last, setting, len(setting.path) - 1)] = setting.value
    elif isinstance(node, dict):
        node[last] = setting.value
    else:
        raise _no_such(setting, len(setting.path) - 1)


def _look_up(checked: dict[str, Any], setting: Setting) -> None:
    node: Any = checked
    for depth, part in enumerate(setting.path):
        node = _child(node, part, setting, depth)


def _child(node: Any, part: str, setting: Setting, depth: int) -> Any:
    if isinstance(node, list):
        return node[_index(node, part, setting, depth)]
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, dict):
        known = ", ".join(str(key) for key in node)
        raise UserError(f"{setting.text}: {'.'.join(setting.path[: depth + 1])} is not a setting; {_name(setting, depth)} has {known}")
    raise _no_such(setting, depth)


def _index(items: list[Any], part: str, setting: Setting, depth: int) -> int:
    if not part.isdigit() or not 1 <= int(part) <= len(items):
        raise UserError(f"{setting.text}: {_name(setting, depth)} has items 1 to {len(items)}, not {part!r}")
    return int(part) - 1


def _no_such(setting: Setting, depth: int) -> UserError:
    return UserError(f"{setting.text}: {_name(setting, depth)} is a single value, with no {setting.path[depth]!r} in it")


def _name(setting: Setting, depth: int) -> str:
    return ".".join(setting.path[:depth]) or "the program"


def _worded(problem: Problem, settings: list[Setting]) -> str:
    """The problem as the program file's check words it, under the setting that caused it."""
    field = problem.field or ""
    top = "sessions" if problem.row is not None and str(problem.row).startswith("session") else field.split(".")[0]
    named = [s.text for s in settings if s.path[0] == top] or [s.text for s in settings]
    where = ", ".join(part for part in (str(problem.row) if problem.row is not None else "", field) if part)
    return f"{', '.join(named)}: {where + ': ' if where else ''}{problem.message}"
