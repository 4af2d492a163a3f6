"""Reading the YAML files coordinators keep, so that every problem is reported, never raised.

Dates stay text when YAML is read: pydantic checks them, and a date such as
2026-02-30 is reported on its own field instead of failing inside the YAML reader.
"""

from __future__ import annotations

from typing import Any

import yaml

from domain.problems import InvalidInput, Problem


class _DatesAsText(yaml.SafeLoader):  # not libyaml's CSafeLoader: it crashes the process on 100,000 nested brackets
    pass


def _as_text(loader: _DatesAsText, node: yaml.Node) -> str:
    return str(node.value)  # a timestamp is always a plain scalar


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", _as_text)


def parse_yaml(text: str, file: str) -> Any:
    try:
        return yaml.load(text, Loader=_DatesAsText)  # a SafeLoader: plain data only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise InvalidInput([Problem(file, row, None, f"not valid YAML ({getattr(exc, 'problem', None) or exc})")]) from None
    except RecursionError:  # thousands of nested brackets
        raise InvalidInput([Problem(file, None, None, "not valid YAML (nested too deeply)")]) from None
