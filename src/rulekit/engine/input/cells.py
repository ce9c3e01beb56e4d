"""Reading one cell of a table as a typed value; a cell that cannot be read raises CellError.

CSV cells are text; XLSX, JSON Lines and Parquet cells may already be numbers or dates.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from rulekit.engine.input import dates
from rulekit.timeutil import Duration, check_range


class CellError(ValueError):
    """A cell's value cannot be read as the type its column needs."""


def text(cell: Any) -> str | None:
    """A text cell; numbers become their digits (an XLSX id 1001 is "1001"); blank is None."""
    if cell is None:
        return None
    if type(cell) is str:
        return cell.strip() or None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, bool):
        return "true" if cell else "false"
    value = str(cell).strip()
    return value or None


def instant(cell: Any, tz: tzinfo, fmt: str | None = None) -> datetime | None:
    """A date or date-time; one without an offset is in `tz`; a bare date is 00:00. Text is
    read in the spellings of `dates` (`fmt`, the column's format in the policy, first)."""
    if cell is None:
        return None
    if isinstance(cell, date):
        try:
            check_range(datetime(cell.year, cell.month, cell.day))
        except ValueError as exc:
            raise CellError(str(exc)) from None
    if isinstance(cell, datetime):
        return cell if cell.tzinfo is not None else cell.replace(tzinfo=tz)
    if isinstance(cell, date):
        return datetime(cell.year, cell.month, cell.day, tzinfo=tz)
    value = text(cell)
    if value is None:
        return None
    try:
        read = dates.read(value, tz, fmt)
        if read is not None:
            check_range(read, value)  # the years 1000-8999, whatever the spelling
        return read
    except ValueError as exc:  # the message quotes the text: keep it short and inert
        raise CellError(quoted_text(str(exc), 300)) from None


def number(cell: Any) -> int | float | None:
    """A finite number; integral values are ints.

    NaN, infinities and numbers beyond a float's range (`1e999`, a 5,000-digit integer) are
    refused: they cannot be compared meaningfully, and JSON has no way to write them."""
    if cell is None or isinstance(cell, bool):
        if isinstance(cell, bool):
            raise CellError(f"`{cell}` is not a number")  # a bool: short
        return None
    if isinstance(cell, int):
        if abs(cell) > _MAX_INT:
            raise CellError(f"{_digits(cell)} is too large a number (at most 1.8e308)")
        return cell
    if isinstance(cell, float | Decimal):
        value = str(cell)
        parsed = float(cell)
    else:
        value = text(cell) or ""
        if not value:
            return None
        try:
            parsed = float(value.replace(",", ""))
        except ValueError:
            raise CellError(f"`{quoted_text(value)}` is not a number") from None
    if not math.isfinite(parsed):
        raise CellError(
            f"`{quoted_text(value)}` is not a finite number (NaN, infinity and numbers beyond "
            "1.8e308 are refused)"
        )
    return int(parsed) if parsed.is_integer() else parsed


_MAX_INT = int(1.7976931348623157e308)


def _digits(n: int) -> str:
    return f"a {len(str(abs(n))) if abs(n) < 10**4000 else 'many'}-digit integer"


def quoted_text(value: str, limit: int = 60) -> str:
    """A cell's text for a message: at most `limit` characters, control characters escaped."""
    from rulekit.safeio import clip, printable

    return printable(clip(value, limit))


_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"0", "false", "no", "n", "否", "f"}


def boolean(cell: Any) -> bool | None:
    """true/false, 1/0, yes/no, 是/否."""
    if cell is None or isinstance(cell, bool):
        return cell
    value = text(cell)
    if value is None:
        return None
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise CellError(f"`{quoted_text(value)}` is not true/false (write 1 or 0)")


def flag(cell: Any) -> int:
    """A stage flag: 1 or 0; blank is 0."""
    value = boolean(cell)
    return 1 if value else 0


def duration(cell: Any) -> Duration | None:
    """A duration such as 30d."""
    value = text(cell)
    if value is None:
        return None
    try:
        return Duration.parse(value)
    except ValueError as exc:
        raise CellError(str(exc)) from None


def listing(cell: Any) -> list[str] | None:
    """A list of text: a JSON list, or text separated by `,` `;` `、` or `，`."""
    if cell is None:
        return None
    if isinstance(cell, list):
        return [str(x) for x in cell]
    value = text(cell)
    if value is None:
        return None
    for sep in (";", "、", "，"):
        value = value.replace(sep, ",")
    return [part.strip() for part in value.split(",") if part.strip()]


def typed(cell: Any, kind: str, tz: tzinfo, fmt: str | None = None) -> Any:
    """A cell read as a policy field type (string, number, bool, date, datetime, duration,
    list); `fmt` is a date column's format."""
    if kind == "number":
        return number(cell)
    if kind == "bool":
        return boolean(cell)
    if kind in ("date", "datetime"):
        return instant(cell, tz, fmt)
    if kind == "duration":
        return duration(cell)
    if kind == "list":
        return listing(cell)
    return text(cell)


#: `YYYY-MM-DD HH:MM[:SS]` (or with `T`): the shape almost every export writes instants in.
_DAY_CLOCK = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?", re.ASCII)
_EPOCH = datetime(2000, 1, 1)


class Instants:
    """`instant()` with a memory: exports repeat the same date texts many times.

    A text of the shape `YYYY-MM-DD HH:MM[:SS]` is read as its day (00:00 in the timezone,
    remembered per day) plus its clock time (remembered per clock text): the same datetime as
    `instant()` gives (an aware datetime plus a timedelta is wall-clock arithmetic, as
    attaching the timezone to the naive reading is), for a fraction of the cost. Anything
    else goes through `instant()`; texts that fail are never remembered.
    """

    __slots__ = ("tz", "fmt", "_seen", "_days", "_clocks")

    def __init__(self, tz: tzinfo, fmt: str | None = None) -> None:
        self.tz, self.fmt = tz, fmt
        self._seen: dict[str, datetime] = {}
        self._days: dict[str, datetime] = {}
        self._clocks: dict[str, timedelta] = {}

    def __call__(self, cell: Any) -> datetime | None:
        if type(cell) is str:
            n = len(cell)
            if n == 16 or n == 19:
                day = self._days.get(cell[:10])
                if day is not None:
                    clock = self._clocks.get(cell[10:])
                    if clock is not None:
                        return day + clock
            hit = self._seen.get(cell)
            if hit is None:
                hit = instant(cell, self.tz, self.fmt)
                if hit is not None:
                    self._remember(cell, hit)
            return hit
        return instant(cell, self.tz, self.fmt)

    def _remember(self, cell: str, value: datetime) -> None:
        """Keep a text read as `value`: by day and clock if it has that shape."""
        if self.fmt is None and _DAY_CLOCK.fullmatch(cell) and value.tzinfo is self.tz:
            if len(self._days) < 100_000 and len(self._clocks) < 100_000:
                self._days.setdefault(cell[:10], value.replace(hour=0, minute=0, second=0))
                clock = datetime.fromisoformat(f"2000-01-01{cell[10:]}") - _EPOCH
                self._clocks.setdefault(cell[10:], clock)
        elif len(self._seen) < 200_000:
            self._seen[cell] = value


_FLAGS = {"1": 1, "0": 0, "": 0, None: 0, 1: 1, 0: 0}


def fast_flag(cell: Any) -> int:
    """`flag()` with the common cells looked up first."""
    try:
        hit = _FLAGS.get(cell)
    except TypeError:
        hit = None
    return hit if hit is not None else flag(cell)
