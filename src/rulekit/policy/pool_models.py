"""Models of a CRM's pool settings: counters, named quotas, schedules, routes, metrics, streaks.

Each is opt-in: a policy that declares none of them behaves as before. Cross references (a
counter counting an unknown event, a streak naming an unknown metric) are checked by
`rulekit.graph.pool_checks`; conditions by the condition language's checker.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from rulekit.policy import values
from rulekit.policy.values import Schedule
from rulekit.timeutil import Duration


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, strict=True, defer_build=True
    )


ScheduleValue = Annotated[Schedule, BeforeValidator(values.schedule)]
Window = Annotated[Literal["day", "week"] | Duration, BeforeValidator(values.window)]
Limits = dict[str, Annotated[int, Field(ge=0)]]


class CounterSpec(_Strict):
    """Applied events counted per key over a window, read in conditions as `NAME(key)`."""

    count: Annotated[list[str], BeforeValidator(values.as_list), Field(min_length=1)]
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

    _some_limit = model_validator(mode="after")(values.some_limit)


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

    _one_kind = model_validator(mode="after")(values.one_metric)
    kind = property(values.metric_kind, doc="`share`, `count` or `average`.")
    expression = property(values.metric_expression, doc="The condition or value it is made of.")


class StreakSpec(_Strict):
    """A metric that stays below (or above) a threshold on `days` consecutive daily checks."""

    metric: Annotated[str, Field(min_length=1)]
    below: float | None = None
    above: float | None = None
    days: int = Field(ge=1)

    _percent = model_validator(mode="before")(values.streak_percent)
    _one_bound = model_validator(mode="after")(values.one_bound)
