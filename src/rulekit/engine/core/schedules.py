"""When scheduled rules run: the next run of a `Schedule` after an instant, in a policy's zone.

`daily at HH:MM` and `weekly on DAY at HH:MM` run at that wall-clock time in the policy's
timezone; `every 48h at HH:MM` first runs at the first HH:MM after the history begins, then
every 48 hours of absolute time. Without `at`, the time is 00:00 (today's daily sweep).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from rulekit.policy.values import Schedule


def _at(day: datetime, schedule: Schedule, tz: tzinfo) -> datetime:
    return datetime.combine(day.date(), schedule.at, tzinfo=tz)


def next_run(
    schedule: Schedule, after: datetime, tz: tzinfo, previous: datetime | None = None
) -> datetime:
    """The first run of `schedule` strictly after `after` (`previous`: the last run)."""
    if schedule.kind == "every" and previous is not None:
        assert schedule.every is not None
        return (previous.astimezone(UTC) + schedule.every).astimezone(tz)
    local = after.astimezone(tz)
    candidate = _at(local, schedule, tz)
    if schedule.kind == "weekly":
        candidate = _at(
            local + timedelta(days=(schedule.weekday - local.weekday()) % 7), schedule, tz
        )
        if candidate <= after:
            candidate = _at(
                local + timedelta(days=7 + (schedule.weekday - local.weekday()) % 7), schedule, tz
            )
        return candidate
    if candidate <= after:
        candidate = _at(local + timedelta(days=1), schedule, tz)
    return candidate
