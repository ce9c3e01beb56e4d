"""`format_instants` writes exactly what `format_instant` writes, value by value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from rulekit.timeutil import format_instant, format_instants

ZONES = [
    ZoneInfo("Asia/Shanghai"),
    ZoneInfo("America/New_York"),  # DST: the repeated hour in autumn (fold)
    ZoneInfo("Africa/Monrovia"),  # -00:44:30 until 1972
    ZoneInfo("America/St_Johns"),  # -03:30
    ZoneInfo("Pacific/Chatham"),  # +12:45
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("UTC"),
    UTC,
    timezone(timedelta(hours=-5, minutes=-30)),
    timezone(timedelta(hours=8, seconds=7)),  # a fixed offset with seconds
]

instants = st.datetimes(
    min_value=datetime(1000, 1, 2), max_value=datetime(8999, 12, 30), timezones=st.just(UTC)
)
values = st.lists(st.none() | instants, max_size=30)


@given(values, st.sampled_from(ZONES))
def test_the_same_text_as_format_instant(found: list[datetime | None], tz: timezone) -> None:
    assert format_instants(found, tz) == [format_instant(v, tz) if v else None for v in found]


def test_offsets_with_seconds_microseconds_and_folds() -> None:
    found: list[datetime | None] = [
        datetime(1900, 1, 1, tzinfo=UTC),  # Shanghai's local mean time: +08:05:43
        datetime(1971, 6, 1, tzinfo=UTC),  # Monrovia: -00:44:30
        datetime(2026, 3, 1, 1, 2, 3, 999_999, tzinfo=UTC),  # cut, not rounded
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # New York: 01:30-04:00
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC),  # New York: 01:30-05:00 (the second time)
        datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=8))),
        None,
    ]
    for tz in ZONES:
        assert format_instants(found, tz) == [format_instant(v, tz) if v else None for v in found]
    assert format_instants(found[:1], ZoneInfo("Asia/Shanghai")) == ["1900-01-01T08:05:43+08:05:43"]


def test_naive_instants_as_format_instant_reads_them() -> None:
    found: list[datetime | None] = [datetime(2026, 3, 1, 9, 30), None]
    tz = ZoneInfo("Asia/Shanghai")
    assert format_instants(found, tz) == [format_instant(found[0], tz), None]  # type: ignore[arg-type]
