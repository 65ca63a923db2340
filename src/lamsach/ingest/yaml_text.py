"""Reading a YAML file written by hand (a manifest, a campaign file) so that every problem is told
in the user's language with its file, line and key.

PyYAML's own messages are English ("mapping values are not allowed here"): a syntax error becomes
one of a few error codes, chosen by what PyYAML found, whose wording lives in
`data/messages/errors.yaml` like every other message; the key named is the one on the error's line
or the nearest above it. `key_lines` gives the line of every key and list item by its path
(`rules.date_in_future.severity`, `sources[2].columns`), so a value of the wrong type can be
located too.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from lamsach.domain import ErrorCode, LamsachError, Location

# what PyYAML reports (the start of its `problem`, or of its `context`) -> the error code that
# says it in the user's words; the first match wins, anything else is MANIFEST_YAML_SYNTAX
_SYNTAX_CODES: tuple[tuple[str, ErrorCode], ...] = (
    ("found character '\\t'", ErrorCode.MANIFEST_YAML_TAB),
    ("mapping values are not allowed", ErrorCode.MANIFEST_YAML_COLON),
    ("could not find expected ':'", ErrorCode.MANIFEST_YAML_NO_COLON),
    ("found unexpected end of stream", ErrorCode.MANIFEST_YAML_UNCLOSED),
    ("while scanning a quoted scalar", ErrorCode.MANIFEST_YAML_UNCLOSED),
    ("while parsing a flow", ErrorCode.MANIFEST_YAML_UNCLOSED),
    ("did not find expected key", ErrorCode.MANIFEST_YAML_INDENT),
    ("did not find expected '-' indicator", ErrorCode.MANIFEST_YAML_INDENT),
    ("expected <block end>", ErrorCode.MANIFEST_YAML_INDENT),
)
_KEY_LINE = re.compile(r"""^\s*(?:-\s+)?(?P<key>"[^"]*"|'[^']*'|[^\s#'"\-{\[][^:#]*?)\s*:(?:\s|$)""")


def parse_yaml(text: str, file: str) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree; a syntax error is a `LamsachError` at its line, naming
    the nearest key, worded from the message catalogue."""
    try:
        return yaml.safe_load(text), yaml.compose(text)
    except yaml.YAMLError as exc:
        raise syntax_error(exc, text, file) from None


def syntax_error(exc: yaml.YAMLError, text: str, file: str) -> LamsachError:
    found = " ".join(str(getattr(exc, part, "") or "") for part in ("problem", "context"))
    code = next((c for start, c in _SYNTAX_CODES if start in found), ErrorCode.MANIFEST_YAML_SYNTAX)
    # an unclosed quote or bracket is found at the end of the file: name where it was opened
    marks = ("context_mark", "problem_mark") if code == ErrorCode.MANIFEST_YAML_UNCLOSED else ("problem_mark",
                                                                                            "context_mark")
    mark = getattr(exc, marks[0], None) or getattr(exc, marks[1], None)
    line = mark.line + 1 if mark is not None else None
    return LamsachError(code, Location(file=file, row=line), {
        "column": mark.column + 1 if mark is not None else 1, "key": nearest_key(text, line) or "–"})


def nearest_key(text: str, line: int | None) -> str | None:
    """The key written on `line` (1-based), else the nearest one above it."""
    lines = text.splitlines()
    last = min(line or len(lines), len(lines))
    for number in range(last, 0, -1):
        if found := _KEY_LINE.match(lines[number - 1]):
            return found["key"].strip("\"'")
    return None


def key_lines(node: yaml.Node | None, prefix: str = "") -> dict[str, int]:
    """The 1-based line of every mapping key and list item under `node`, by dotted path."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = f"{prefix}.{key.value}" if prefix else str(key.value)
            lines.setdefault(path, key.start_mark.line + 1)
            lines.update({p: n for p, n in key_lines(value, path).items() if p not in lines})
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value, start=1):
            path = f"{prefix}[{number}]"
            lines.setdefault(path, item.start_mark.line + 1)
            lines.update({p: n for p, n in key_lines(item, path).items() if p not in lines})
    return lines


def shown_value(value: Any) -> str:
    """A wrong value as the user wrote it, short enough for a message."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True).strip()
    text = text.removesuffix("...").strip()
    return text if len(text) <= 60 else text[:57] + "…"
