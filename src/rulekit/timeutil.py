"""Time: durations (`30d`, `2w`, `12mo`, `1y`), instants in a policy's timezone, whole days.

A day is 24 hours. Months and years are calendar units: adding `1mo` to 31 January gives the
last day of February (the same day of the month, clamped to the month's end).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

_UNIT_SECONDS = {"s": 1, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_UNIT_MONTHS = {"mo": 1, "y": 12}
DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mo|min|y|w|d|h|s)\s*$")
UNITS_HINT = "write a number and a unit: 30d (days), 2w (weeks), 12h, 12mo (months) or 1y"


@dataclass(frozen=True, slots=True, order=True)
class Duration:
    """A length of time: whole calendar months plus a fixed number of seconds."""

    months: int = 0
    seconds: float = 0.0

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse `30d`, `2w`, `12h`, `90min`, `12mo` or `1y`; raise ValueError otherwise."""
        m = DURATION_RE.match(text)
        if not m:
            raise ValueError(f"`{_shown(text)}` is not a duration; {UNITS_HINT}")
        amount, unit = float(m.group(1)), m.group(2)
        if unit in _UNIT_MONTHS:
            if amount != int(amount):
                raise ValueError(f"`{_shown(text)}`: months and years must be whole numbers")
            duration = cls(months=int(amount) * _UNIT_MONTHS[unit])
        else:
            duration = cls(seconds=amount * _UNIT_SECONDS[unit])
        if duration.approx_days > MAX_DURATION_DAYS:
            raise ValueError(
                f"`{_shown(text)}` is longer than the longest duration rulekit takes "
                f"({MAX_DURATION_DAYS:,} days, 100 years)"
            )
        return duration

    @classmethod
    def of_days(cls, days: float) -> Duration:
        """A duration of `days` 24-hour days."""
        return cls(seconds=days * 86400)

    @property
    def is_zero(self) -> bool:
        """True for a duration of no time at all."""
        return self.months == 0 and self.seconds == 0

    @property
    def approx_days(self) -> float:
        """Length in days, counting a month as 30 days (for checks and display only)."""
        return self.months * 30 + self.seconds / 86400

    def add_to(self, instant: datetime) -> datetime:
        """Return `instant` moved forward by this duration.

        Months move the wall-clock date (clamped to the month's end); seconds, hours and days
        are absolute time, so a day is always 24 hours, across daylight-saving changes too.
        """
        if self.months:
            instant = add_months(instant, self.months)
        if not self.seconds:
            return instant
        tz = instant.tzinfo
        if tz is None:
            return instant + timedelta(seconds=self.seconds)
        moved = instant.astimezone(UTC) + timedelta(seconds=self.seconds)
        return moved.astimezone(tz)

    def __add__(self, other: object) -> Duration:
        if not isinstance(other, Duration):
            return NotImplemented
        return Duration(self.months + other.months, self.seconds + other.seconds)

    def __str__(self) -> str:
        parts = []
        if self.months:
            parts.append(f"{self.months // 12}y" if self.months % 12 == 0 else f"{self.months}mo")
        secs = self.seconds
        if secs or not parts:
            for unit, size in (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("min", 60)):
                if secs % size == 0 and secs:
                    n = int(secs // size)
                    parts.append(f"{n * 7}d" if unit == "w" else f"{n}{unit}")
                    break
            else:
                parts.append(f"{secs:g}s")
        return " ".join(parts)


def add_months(instant: datetime, months: int) -> datetime:
    """Move `instant` by whole calendar months, clamping the day to the month's end."""
    import calendar  # imported here: with locale ~2 ms, and most processes add no months

    index = instant.year * 12 + (instant.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)


#: the longest duration a policy or a cell may give (longer ones overflow date arithmetic)
MAX_DURATION_DAYS = 36_525
#: the years of the instants rulekit takes: far enough from Python's 1..9999 that adding the
#: longest duration, or any offset, stays in range
MIN_YEAR, MAX_YEAR = 1000, 8999
#: names the zone database holds that are not places: no engine (polars) takes them
_NOT_ZONES = {"Factory", "localtime", "posixrules"}


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


@lru_cache(maxsize=1)
def _listed_zones() -> frozenset[str]:
    """The zones the tzdata package lists. `available_timezones()` holds every one of them;
    reading this short list spares its walk over the system's zone files (~30 ms)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("tzdata")
        folder = list(spec.submodule_search_locations or ()) if spec else []
        with open(os.path.join(folder[0], "zones"), encoding="ascii") as f:
            return frozenset(line.strip() for line in f if line.strip()) - _NOT_ZONES
    except (ImportError, OSError, ValueError, IndexError):
        return frozenset()


def _unknown(name: str) -> bool:
    """True if the zone database (when there is one) does not hold `name`."""
    names = _zone_names()
    return bool(names) and name not in names


@lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    """Return the tzinfo for an IANA name such as `Asia/Shanghai`; raise ValueError if unknown
    or not a place (`Factory`, `localtime`, `posix/...`: names polars refuses)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if (
        name in _NOT_ZONES
        or name.startswith(("posix/", "right/"))
        or (name != "UTC" and name not in _listed_zones() and _unknown(name))
    ):
        raise ValueError(f"`{_shown(name)}` is not a known timezone (an IANA name: Asia/Shanghai)")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"`{_shown(name)}` is not a known timezone (an IANA name: Asia/Shanghai)"
        ) from exc


def parse_instant(text: str, tz: tzinfo) -> datetime:
    """Parse an ISO 8601 date or date-time; one without an offset is in `tz`.

    A bare date means 00:00 of that day; a space may stand for the `T`; `Z` is UTC.
    """
    s = text.strip()
    try:
        value = datetime.fromisoformat(s)  # Python 3.11 reads all of the above
    except ValueError:
        raise ValueError(
            f"`{_shown(text)}` is not a date; write 2026-03-01 or 2026-03-01T09:30 (ISO 8601)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    check_range(value, text)
    return value


def check_range(value: datetime, text: str | None = None) -> None:
    """Raise ValueError for an instant outside the years MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        shown = _shown(text) if text is not None else value.isoformat()
        raise ValueError(
            f"`{shown}` is out of the range of dates rulekit takes (the years {MIN_YEAR} to "
            f"{MAX_YEAR})"
        )


def whole_days(start: datetime, end: datetime) -> int:
    """Complete 24-hour periods from `start` to `end` (negative if `end` is earlier)."""
    return int((end - start) // timedelta(days=1))


def format_instant(instant: datetime, tz: tzinfo) -> str:
    """ISO 8601 with offset in `tz`, to the second: 2026-03-01T09:30:00+08:00."""
    return instant.astimezone(tz).isoformat(timespec="seconds")


# From this year on every zone's offset is a whole number of minutes (the last offset with
# seconds, Monrovia's -00:44:30, ended in January 1972); before it, local mean times have seconds.
MINUTE_OFFSETS_FROM = 1973


def format_instants(values: Sequence[datetime | None], tz: tzinfo) -> list[str | None]:
    """`format_instant` of each value (None stays None), the same text, three times faster:
    orjson writes a whole list of instants moved to `tz` at once. It writes offsets in whole
    minutes, so instants before MINUTE_OFFSETS_FROM, and any instant when `tz` is neither a
    ZoneInfo nor a fixed offset of whole minutes, go through `format_instant`."""
    import orjson

    if not _minute_zone(tz):
        return [format_instant(v, tz) if v is not None else None for v in values]
    start = MINUTE_OFFSETS_FROM
    local = [
        v if v is None else v.astimezone(tz) if v.year >= start else format_instant(v, tz)
        for v in values
    ]
    texts: list[str | None] = orjson.loads(orjson.dumps(local, option=orjson.OPT_OMIT_MICROSECONDS))
    return texts


def _minute_zone(tz: tzinfo) -> bool:
    """True for a zone orjson writes the offsets of as `isoformat` does (from 1973 on)."""
    from datetime import timezone
    from zoneinfo import ZoneInfo

    if isinstance(tz, ZoneInfo):
        return True
    offset = tz.utcoffset(None) if isinstance(tz, timezone) else None
    return offset is not None and offset % timedelta(minutes=1) == timedelta(0)


def _shown(text: str) -> str:
    """A text quoted in a message: clipped, control characters escaped."""
    from rulekit.safeio import clip, printable

    return printable(clip(text, 60))
