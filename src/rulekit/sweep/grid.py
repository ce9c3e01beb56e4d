"""The grid of a sweep: `--vary PATH=VALUES` options read into axes, and their product.

`PATH` names one value of the resolved policy as `rulekit show` prints it (`quota.limit`,
`transitions.lapse.after`, `stages.C.target.days`). `VALUES` is a comma list in the entry's own
YAML spelling (`30,40,50`, `45d,60d`) whose items may be ranges `START..STOP/STEP` (`30..50/5`,
`30d..120d/15d`, `10%..40%/10%`): START, START+STEP, ... up to STOP inclusive, in START's unit.
Values that hold commas are given as a JSON list instead (`["a,b", "c"]`): each item is taken
as JSON reads it (a string is a string, as a quoted YAML string would be).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from rulekit.diagnostics import did_you_mean
from rulekit.policy.yamlsrc import Document, Path
from rulekit.source import SourceText
from rulekit.sweep.errors import OptionError

#: the most values one axis, and the most candidates a grid, may have.
MAX_AXIS = 1000
MAX_GRID = 10_000

_NUMBER = re.compile(r"^([-+]?\d+(?:\.\d+)?)([^\d\s.][^\s]*)?$")


@dataclass(frozen=True)
class Axis:
    """One varied entry: its path, its values and where each value is spelled in the option."""

    name: str  # the dotted path as given: `quota.limit`
    path: Path
    values: tuple[Any, ...]  # each value as the policy's YAML reader reads its spelling
    spans: tuple[tuple[int, int], ...]  # offsets of each value's text in `source.text`
    source: SourceText  # the option's text, named `--vary PATH` for diagnostics


def scalar(text: str) -> Any:
    """A plain YAML scalar read as the policy reader reads it (`30` a number, `45d` text)."""
    from rulekit.policy.yamlsrc import _Builder

    return _Builder.scalar(yaml.ScalarNode("tag:yaml.org,2002:str", text, style=None))


def entries(document: Document) -> dict[str, Path]:
    """Every value of a resolved policy that a sweep may vary, by its dotted name."""
    from rulekit.analysis.show import leaves

    return {leaf.dotted: leaf.path for leaf in leaves(document)}


def parse_axis(text: str, known: dict[str, Path]) -> Axis:
    """Read one `--vary PATH=VALUES` option against the policy's entries.

    Raises:
        OptionError: an unknown or non-value PATH, an empty value, a malformed range.
    """
    name, eq, rest = text.partition("=")
    name = name.strip()
    if not eq:
        raise OptionError(
            "--vary", text, len(text) + 1, "expected PATH=VALUES", hint="e.g. quota.limit=30,40,50"
        )
    path = known.get(name)
    if path is None:
        raise _unknown(text, name, known)
    start = len(text) - len(rest)
    if rest.lstrip().startswith("["):
        listed, where = _listed(text, start + len(rest) - len(rest.lstrip()))
        return Axis(name, path, tuple(listed), tuple(where), SourceText(f"--vary {name}", text))
    values: list[Any] = []
    spans: list[tuple[int, int]] = []
    for begin, item in _items(rest, start):
        if not item.strip():
            raise OptionError(
                "--vary", text, begin + 1, "empty value", hint="remove the extra comma"
            )
        lead = len(item) - len(item.lstrip())
        at, body = begin + lead, item.strip()
        if ".." in body:
            for value in _range(text, at, body):
                values.append(scalar(value))
                spans.append((at, at + len(body)))
        else:
            values.append(scalar(body))
            spans.append((at, at + len(body)))
        if len(values) > MAX_AXIS:
            raise OptionError(
                "--vary", text, at + 1, f"more than {MAX_AXIS} values", hint="use a larger step"
            )
    return Axis(name, path, tuple(values), tuple(spans), SourceText(f"--vary {name}", text))


def _listed(text: str, at: int) -> tuple[list[Any], list[tuple[int, int]]]:
    """The values of the JSON list that starts at offset `at` of `text`, and their spans."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    spans: list[tuple[int, int]] = []
    hint = 'a JSON list of values: ["a,b", "c"] or [30, 40]'
    i = _blank(text, at + 1)
    if text[i : i + 1] == "]":
        raise OptionError("--vary", text, at + 1, "empty list", end=i + 2, hint=hint)
    while True:
        try:
            value, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise OptionError(
                "--vary", text, exc.pos + 1, f"not a JSON list: {exc.msg.lower()}", hint=hint
            ) from None
        if isinstance(value, list | dict):
            raise OptionError(
                "--vary", text, i + 1, "an item is not one value", end=end + 1, hint=hint
            )
        values.append(value)
        spans.append((i, end))
        if len(values) > MAX_AXIS:
            raise OptionError("--vary", text, i + 1, f"more than {MAX_AXIS} values")
        i = _blank(text, end)
        if text[i : i + 1] == ",":
            i = _blank(text, i + 1)
        elif text[i : i + 1] == "]":
            after = _blank(text, i + 1)
            if after == len(text):
                return values, spans
            raise OptionError("--vary", text, after + 1, "text after the list", hint=hint)
        else:
            message = "expected `,` or `]`" if i < len(text) else "the list is not closed"
            raise OptionError("--vary", text, i + 1, message, hint=hint)


def _blank(text: str, i: int) -> int:
    """The offset of the first character at or after `i` that is not white space."""
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _items(rest: str, start: int) -> Iterator[tuple[int, str]]:
    at = start
    for item in rest.split(","):
        yield at, item
        at += len(item) + 1


def _unknown(text: str, name: str, known: dict[str, Path]) -> OptionError:
    inside = sorted(k for k in known if k.startswith(name + ".") or k.startswith(name + "["))
    if inside:
        shown = ", ".join(inside[:6]) + (", …" if len(inside) > 6 else "")
        message, hint = f"`{name}` is a section, not one value", f"vary one of its entries: {shown}"
    else:
        message = f"the policy has no entry `{name}`"
        hint = did_you_mean(name, known) or "`rulekit show POLICY` lists every entry"
    return OptionError("--vary", text, 1, message, end=len(name) + 1, hint=hint)


def _number(text: str, item: str, at: int) -> tuple[Decimal, str]:
    found = _NUMBER.match(item)
    if found is None:
        raise OptionError(
            "--vary",
            text,
            at + 1,
            f"`{item}` is not a number with an optional unit",
            end=at + 1 + len(item),
            hint="a range is START..STOP/STEP: 30..50/5 or 30d..120d/15d",
        )
    try:
        return Decimal(found.group(1)), found.group(2) or ""
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        raise OptionError("--vary", text, at + 1, f"`{item}` is not a number") from None


def _range(text: str, at: int, body: str) -> list[str]:
    """The spelled values of `START..STOP/STEP` found at offset `at` of `text`."""
    head, slash, step_text = body.partition("/")
    first, _, last = head.partition("..")
    if not slash or not first or not last or not step_text:
        raise OptionError(
            "--vary",
            text,
            at + 1,
            f"`{body}` is not a range",
            end=at + 1 + len(body),
            hint="a range is START..STOP/STEP: 30..50/5 or 30d..120d/15d",
        )
    a, unit = _number(text, first, at)
    b, unit_b = _number(text, last, at + len(first) + 2)
    step, unit_s = _number(text, step_text, at + len(head) + 1)
    if unit_b != unit or unit_s != unit:
        raise OptionError(
            "--vary",
            text,
            at + 1,
            f"`{body}` mixes units ({unit or 'none'}, {unit_b or 'none'}, {unit_s or 'none'})",
            end=at + 1 + len(body),
            hint=f"give START, STOP and STEP in one unit: {first}..{b}{unit}/{step}{unit}",
        )
    if step <= 0 or b < a:
        raise OptionError(
            "--vary",
            text,
            at + 1,
            f"`{body}` is empty: STEP must be positive and STOP at least START",
            end=at + 1 + len(body),
            hint="e.g. 30..50/5",
        )
    count = int((b - a) / step) + 1
    if count > MAX_AXIS:
        raise OptionError(
            "--vary", text, at + 1, f"`{body}` has {count} values", hint="use a larger step"
        )
    return [_spell(a + i * step, unit) for i in range(count)]


def _spell(value: Decimal, unit: str) -> str:
    text = format(value.normalize(), "f") if value != value.to_integral() else str(int(value))
    return text + unit


def grid(axes: Sequence[Axis]) -> list[tuple[int, ...]]:
    """Every combination of the axes' value indexes, the first axis varying slowest.

    Raises:
        OptionError: the grid would have more than MAX_GRID candidates.
    """
    size = 1
    for axis in axes:
        size *= len(axis.values)
    if size > MAX_GRID:
        axis = axes[-1]
        raise OptionError(
            "--vary",
            axis.source.text,
            1,
            f"the grid has {size:,} candidates, more than {MAX_GRID:,}",
            hint="vary fewer entries or use coarser steps",
        )
    return list(itertools.product(*(range(len(axis.values)) for axis in axes)))


def duplicate(axes: Sequence[Axis]) -> OptionError | None:
    """An error for a path varied twice, if one is."""
    seen: set[str] = set()
    for axis in axes:
        if axis.name in seen:
            return OptionError(
                "--vary",
                axis.source.text,
                1,
                f"`{axis.name}` is varied twice",
                end=len(axis.name) + 1,
                hint="give all its values in one --vary",
            )
        seen.add(axis.name)
    return None
