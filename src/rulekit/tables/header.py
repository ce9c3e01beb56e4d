"""The header row: column names, and fitting data rows to its width.

Column names are stripped of surrounding whitespace (ideographic spaces included) and BOMs.
Blank header cells at the end of the header are ignored (Excel exports often carry a few);
a data cell under one is reported like any cell beyond the header. A blank name before a
named column, or two columns with the same name, make the table unreadable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from rulekit.safeio import listed, quoted
from rulekit.tables.model import TableError, TableProblem

_STRIP = " \t\r\n\v\f\u3000\u00a0\ufeff"
DELIMITERS = (",", "\t", ";", "|")  # in order of preference on a tie


def sniff_delimiter(text: str) -> str:
    """The delimiter of a delimited text: of `,` tab `;` `|`, the one found most often
    (outside quotes) on its first non-blank line; a comma if none is."""
    import re

    first = next((line for line in text.splitlines() if line.strip()), "")
    bare = re.sub(r'"[^"]*"', "", first)
    counts = [(bare.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] else ","


def delimiter_name(delimiter: str) -> str:
    """`tab`, or the character in backquotes."""
    return "tab" if delimiter == "\t" else f"`{delimiter}`"


def clean_name(value: Any) -> str:
    """The column name a header cell holds (its text, stripped)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip().strip(_STRIP)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def number_label(index: int) -> str:
    """`column 3` for the 0-based index 2."""
    return f"column {index + 1}"


def letter_label(index: int) -> str:
    """`column C` for the 0-based index 2, as a spreadsheet shows it."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return f"column {letters}"


def header_names(
    cells: Sequence[Any], path: str, label: Callable[[int], str] = number_label
) -> list[str]:
    """The column names of a header row, or a TableError if they are blank or repeated."""
    names = [clean_name(c) for c in cells]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise TableError(path, "the table has no header row", "the first row must name the columns")
    blank = [label(i) for i, name in enumerate(names) if not name]
    if blank:
        raise TableError(
            path,
            f"{listed(blank)} of the header {'has' if len(blank) == 1 else 'have'} no name",
            "give every column a name in the header row",
        )
    seen: dict[str, int] = {}
    repeated: list[str] = []
    for i, name in enumerate(names):
        if name in seen:
            repeated.append(f"{quoted(name, 40)} ({label(seen[name])} and {label(i)})")
        else:
            seen[name] = i
    if repeated:
        raise TableError(
            path,
            f"duplicate column name{'s' if len(repeated) > 1 else ''}: {listed(repeated)}",
            "column names must be unique (surrounding spaces do not count)",
        )
    return names


def extra_cells_problem(
    row: int, cells: Sequence[Any], width: int, label: Callable[[int], str] = number_label
) -> TableProblem | None:
    """A problem for the non-empty cells of `cells` beyond `width`, or None if all are empty."""
    extra = [
        f"{label(width + i)} = {quoted(value)}"
        for i, value in enumerate(cells[width:])
        if value is not None and value != ""
    ]
    if not extra:
        return None
    return TableProblem(
        row,
        None,
        f"{len(extra)} cell{'s' if len(extra) > 1 else ''} beyond the {width} columns of "
        f"the header (not read): {listed(extra, sep='; ')}",
    )
