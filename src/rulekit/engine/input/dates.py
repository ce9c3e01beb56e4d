"""Date and date-time texts as Chinese Excel, WPS and CRM exports write them.

Read without being told, because each has one reading:

- ISO 8601: `2026-01-05`, `2026-01-05 09:00`, `2026-01-05T09:00:00+08:00` (and `Z`);
- year first with `-`, `/` or `.` and unpadded numbers: `2026/1/5`, `2026/1/5 9:00`,
  `2026-1-5 9:00:00`, `2026.1.5`;
- Chinese: `2026年1月5日`, `2026年1月5日 9:00`, `2026年1月5日 9时05分`;
- an Excel serial number (a CSV saved from a sheet whose date cells were not formatted):
  `46027` is 2026-01-05, `46027.375` is 09:00 that day (whole days from 1899-12-30; five
  digits, 1954 to 2173).

A day or month first (`1/5/2026`) has two readings: it is an error that names both, unless
the policy names the column's format (`fields: {at: {format: "%d/%m/%Y %H:%M"}}`, Python's
`strptime` directives). With a format, a text is read by the format first, then as above.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

_YEAR_FIRST = re.compile(
    r"(\d{4})\s*(?:([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)"
    r"(?:(?:\s+|T|\s*日?\s*)(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.(\d{1,6}))?)?"
    r"\s*[秒分]?)?",
)
_DAY_OR_MONTH_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]+(.*))?")
_SERIAL = re.compile(r"([1-9]\d{4})(?:\.(\d+))?")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_MONTHS = (
    "January February March April May June July August September October November December"
).split()

ISO_HINT = "write 2026-03-01 or 2026-03-01 09:30 (or 2026/3/1 9:30)"


class DateTextError(ValueError):
    """A text that is not a date in any spelling read here."""


def format_hint(column: str, example: str) -> str:
    """How to name a column's date format in the policy."""
    mapping = f'fields: {{{column}: {{format: "{example}"}}}}'
    return f"name the column's format in the policy: `{mapping}`"


def read(text: str, tz: tzinfo, fmt: str | None = None) -> datetime:
    """The instant a date text names; one without an offset is in `tz`; raise
    DateTextError (its message names the readings of an ambiguous text)."""
    s = text.strip()
    if fmt is not None:
        try:
            return datetime.strptime(s, fmt).replace(tzinfo=tz)
        except ValueError:
            pass
    try:
        value = datetime.fromisoformat(s)
    except ValueError:
        value = _spelled(s, fmt)
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _spelled(s: str, fmt: str | None) -> datetime:
    """A naive datetime from a non-ISO spelling."""
    m = _YEAR_FIRST.fullmatch(s)
    if m:
        year, _, month, day, cn_month, cn_day, hour, minute, second, frac = m.groups()
        try:
            return datetime(
                int(year),
                int(month or cn_month),
                int(day or cn_day),
                int(hour or 0),
                int(minute or 0),
                int(second or 0),
                int((frac or "0").ljust(6, "0")),
            )
        except ValueError as exc:
            raise DateTextError(f"`{s}` is not a date ({exc})") from None
    m = _SERIAL.fullmatch(s)
    if m:
        days = int(m.group(1))
        fraction = float(f"0.{m.group(2)}") if m.group(2) else 0.0
        seconds = round(fraction * 86400)
        return _EXCEL_EPOCH + timedelta(days=days, seconds=seconds)
    m = _DAY_OR_MONTH_FIRST.fullmatch(s)
    if m:
        raise DateTextError(ambiguous(s, m, fmt))
    tried = f" nor in the format {fmt!r}" if fmt else ""
    raise DateTextError(f"`{s}` is not a date{tried}; {ISO_HINT}")


def readings(s: str) -> list[tuple[str, str]]:
    """The readings of a day-or-month-first text: (the date in words, its format)."""
    m = _DAY_OR_MONTH_FIRST.fullmatch(s.strip())
    if m is None:
        return []
    first, second, year = int(m.group(1)), int(m.group(2)), m.group(3)
    sep = s.strip()[len(m.group(1))]
    clock = ""
    if m.group(4):
        clock = " %H:%M:%S" if m.group(4).count(":") == 2 else " %H:%M"
    out = []
    if 1 <= second <= 12 and 1 <= first <= 31:
        out.append((f"{first} {_MONTHS[second - 1]} {year}", f"%d{sep}%m{sep}%Y{clock}"))
    if 1 <= first <= 12 and 1 <= second <= 31:
        out.append((f"{_MONTHS[first - 1]} {second} {year}", f"%m{sep}%d{sep}%Y{clock}"))
    return out


def _choices(s: str) -> str:
    return " or as ".join(f"{words} ({fmt})" for words, fmt in readings(s))


def ambiguous(s: str, m: re.Match[str], fmt: str | None) -> str:
    """The message for a day-or-month-first text: its readings and their formats."""
    if fmt:
        return f"`{s}` does not match the column's format {fmt!r}"
    if not readings(s):
        return f"`{s}` is not a date; {ISO_HINT}"
    return f"`{s}` puts the day or the month first: it reads as {_choices(s)}"


def ambiguous_column(example: str) -> str:
    """The message for a column of day-or-month-first dates."""
    return (
        f"dates such as `{example}` put the day or the month first; `{example}` reads as "
        f"{_choices(example)}: say which"
    )


def suggested_format(example: str) -> str:
    """A format for the hint: the first reading's (day first), or `%d/%m/%Y`."""
    found = readings(example)
    return found[0][1] if found else "%d/%m/%Y"


def needs_format(texts: list[str]) -> str | None:
    """A column's first day-or-month-first text, if any (the column needs a format)."""
    for text in texts:
        if _DAY_OR_MONTH_FIRST.fullmatch(text.strip()):
            return text.strip()
    return None
