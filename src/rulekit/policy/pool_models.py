"""Models of a CRM's pool settings: counters, named quotas, schedules, routes, metrics, streaks.

Each is opt-in: a policy that declares none of them behaves as before. Cross references (a
counter counting an unknown event, a streak naming an unknown metric) are checked by
`rulekit.graph.pool_checks`; conditions by the condition language's checker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from rulekit.timeutil import Duration

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NAME = re.compile(r"^[^\W\d]\w*$")
_SCHEDULE = re.compile(
    r"^(?:(?P<daily>daily)|weekly on (?P<day>[a-z]+)|every (?P<every>\S+))"
    r"(?: at (?P<hh>\d{1,2}):(?P<mm>\d{2}))?$"
)
SCHEDULE_HINT = "write `daily at 02:00`, `every 48h` or `weekly on monday at 09:00`"


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, strict=True, defer_build=True
    )


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a swept rule runs: `daily`, `weekly` on a weekday, or `every` a duration, at a
    local time of day. `every` runs start at the first such time after the history begins."""

    kind: str  # "daily", "weekly" or "every"
    at: time = time(0, 0)
    weekday: int = 0  # 0 = Monday (weekly only)
    every: timedelta | None = None

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """Parse `daily at 02:00`, `every 48h`, `weekly on monday at 09:00`."""
        found = _SCHEDULE.fullmatch(" ".join(text.lower().split()))
        if found is None:
            raise ValueError(f"`{text}` is not a schedule; {SCHEDULE_HINT}")
        hh, mm = int(found["hh"] or 0), int(found["mm"] or 0)
        if hh > 23 or mm > 59:
            raise ValueError(f"`{found['hh']}:{found['mm']}` is not a time of day (00:00..23:59)")
        at = time(hh, mm)
        if found["daily"]:
            return cls("daily", at)
        if found["day"]:
            day = found["day"]
            matches = [i for i, name in enumerate(WEEKDAYS) if name.startswith(day[:3])]
            if len(day) < 3 or not matches or not WEEKDAYS[matches[0]].startswith(day):
                raise ValueError(f"`{day}` is not a weekday; write monday, tuesday, ... sunday")
            return cls("weekly", at, matches[0])
        every = Duration.parse(found["every"])
        if every.months or every.seconds < 3600:
            raise ValueError("`every` needs a fixed duration of at least 1h (12h, 48h, 2d, 1w)")
        return cls("every", at, every=timedelta(seconds=every.seconds))


DAILY = Schedule("daily")


def _schedule(value: Any) -> Any:
    if isinstance(value, Schedule):
        return value
    if not isinstance(value, str):
        raise ValueError(f"a schedule is text; {SCHEDULE_HINT}")
    return Schedule.parse(value)


def _window(value: Any) -> Any:
    if value in ("day", "week"):
        return value
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise ValueError("`within` is `day`, `week` or a duration such as 24h or 7d")
    window = Duration.parse(value)
    if window.months or window.seconds <= 0:
        raise ValueError("`within` needs a fixed duration (24h, 7d), `day` or `week`")
    return window


def _names(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


ScheduleValue = Annotated[Schedule, BeforeValidator(_schedule)]
Window = Annotated[Literal["day", "week"] | Duration, BeforeValidator(_window)]
Limits = dict[str, Annotated[int, Field(ge=0)]]


class CounterSpec(_Strict):
    """Applied events counted per key over a window, read in conditions as `NAME(key)`."""

    count: Annotated[list[str], BeforeValidator(_names), Field(min_length=1)]
    by: Literal["actor", "owner", "customer", "type", "all"] = "actor"
    within: Window = "day"
    title: str | None = None


class NamedQuotaSpec(_Strict):
    """One of several quotas: what takes a slot, and the limits (the strictest that matches a
    rep wins: `limit`, its team's in `by_team`, its own in `by_rep`)."""

    limit: int | None = Field(default=None, ge=0)
    holds_slot: Annotated[str, Field(min_length=1)]
    by_team: Limits = Field(default_factory=dict)
    by_rep: Limits = Field(default_factory=dict)
    pending: bool = True
    title: str | None = None

    @model_validator(mode="after")
    def _some_limit(self) -> NamedQuotaSpec:
        if self.limit is None and not self.by_team and not self.by_rep:
            raise ValueError("a quota needs `limit`, `by_team` or `by_rep`")
        return self


class RouteSpec(_Strict):
    """One route of an ordered routing list: the first whose `when` holds and that finds a
    rep wins."""

    assign: Annotated[str, Field(min_length=1)]
    when: Annotated[str, Field(min_length=1)] | None = None
    strategy: Literal["least_loaded", "round_robin"] = "least_loaded"
    weight: Annotated[str, Field(min_length=1)] | None = None
    skip: Annotated[str, Field(min_length=1)] | None = None


class MetricSpec(_Strict):
    """A number over a population of customers, per rep, per team or for the company:
    the `share` of `among` for which a condition holds, a `count`, or an `average`."""

    share: Annotated[str, Field(min_length=1)] | None = None
    count: Annotated[str, Field(min_length=1)] | None = None
    average: Annotated[str, Field(min_length=1)] | None = None
    among: Annotated[str, Field(min_length=1)] | None = None
    per: Literal["rep", "team", "company"] = "company"
    title: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> MetricSpec:
        if sum(x is not None for x in (self.share, self.count, self.average)) != 1:
            raise ValueError("a metric is exactly one of `share`, `count` or `average`")
        return self

    @property
    def kind(self) -> str:
        """`share`, `count` or `average`."""
        return "share" if self.share else "count" if self.count else "average"

    @property
    def expression(self) -> str:
        """The condition or value the metric is made of."""
        return self.share or self.count or self.average or ""


class StreakSpec(_Strict):
    """A metric that stays below (or above) a threshold on `days` consecutive daily checks."""

    metric: Annotated[str, Field(min_length=1)]
    below: float | None = None
    above: float | None = None
    days: int = Field(ge=1)

    @model_validator(mode="before")
    @classmethod
    def _percent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for key in ("below", "above"):
                value = data.get(key)
                if isinstance(value, str) and value.strip().endswith("%"):
                    try:
                        data[key] = float(value.strip()[:-1]) / 100
                    except ValueError:
                        raise ValueError(f"`{value}` is not a percentage; write 65%") from None
                elif isinstance(value, int) and not isinstance(value, bool):
                    data[key] = float(value)
        return data

    @model_validator(mode="after")
    def _one_bound(self) -> StreakSpec:
        if (self.below is None) == (self.above is None):
            raise ValueError("a streak needs exactly one of `below` or `above`")
        return self
