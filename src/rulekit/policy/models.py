"""Pydantic models of the policy DSL: the shape of a policy file, with values parsed and checked.

The models check structure and single values (a duration, a percentage, a semver). Cross
references (a transition naming a state) are checked by the graph stage, conditions by the
condition language's checker. Shorthands are normalised before validation so that a
consultant's error points at their text, not at a union's branches.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from rulekit.policy.pool_models import (
    CounterSpec,
    MetricSpec,
    NamedQuotaSpec,
    RouteSpec,
    ScheduleValue,
    StreakSpec,
)
from rulekit.timeutil import Duration

DSL_VERSION = 1
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"
)
POLICY_ID = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff][\w.\-\u4e00-\u9fff]*$")
FIELD_TYPES = ("string", "number", "bool", "date", "datetime", "duration", "list")
ROLES = ("rep", "admin", "owner", "anyone")


def _duration(value: Any) -> Any:
    if isinstance(value, Duration):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("expected a duration such as 30d, 2w, 12mo or 1y")
    if isinstance(value, int | float):
        raise ValueError(f"`{value}` has no unit; write {value}d for days")
    return Duration.parse(value)


def _percent(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a percentage such as 38% or a fraction such as 0.38")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise ValueError(f"`{value}` is not a percentage; write 38% or 0.38") from None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise ValueError("expected a percentage such as 38% or a fraction such as 0.38")
    if not 0 <= number <= 1:
        raise ValueError(f"`{value}` is outside 0%..100%")
    return number


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _set_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        raise ValueError("a `set` value is an expression (text), a number, true/false or null")
    return value


def _field_shorthand(value: Any) -> Any:
    if isinstance(value, str):
        return {"type": value}
    if isinstance(value, dict) and "format" in value and "type" not in value:
        return {"type": "datetime", **value}  # `at: {format: "%d/%m/%Y %H:%M"}`
    return value


def _date_format(value: str) -> str:
    """A strptime format that reads back what it writes (`%d/%m/%Y %H:%M`)."""
    from datetime import datetime

    sample = datetime(2026, 1, 25, 9, 7, 3)
    if "%" not in value:
        raise ValueError(f"`{value}` has no `%` directive; write a format such as %d/%m/%Y %H:%M")
    try:
        back = datetime.strptime(sample.strftime(value), value)
    except ValueError as exc:
        raise ValueError(f"`{value}` is not a date format ({exc})") from None
    if back.date() != sample.date():
        raise ValueError(
            f"`{value}` does not name the year, month and day (%Y, %m, %d); "
            "write a format such as %d/%m/%Y %H:%M"
        )
    return value


def _do_shorthand(value: Any) -> Any:
    return {"action": value} if isinstance(value, str) else value


DurationValue = Annotated[Duration, BeforeValidator(_duration)]
Percent = Annotated[float, BeforeValidator(_percent)]
Names = Annotated[list[str], BeforeValidator(_as_list), Field(min_length=1)]
Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    """Base of every DSL model: unknown keys are errors, values are not silently coerced."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, strict=True, defer_build=True
    )


class FieldSpec(Strict):
    """A typed field that records and events may carry (`region: string` is a shorthand)."""

    type: Literal["string", "number", "bool", "date", "datetime", "duration", "list"]
    column: Text | None = None
    format: Text | None = None
    title: str | None = None
    default: Annotated[Any, BeforeValidator(_set_value)] = None

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str | None) -> str | None:
        return None if value is None else _date_format(value)

    @model_validator(mode="after")
    def _format_of_dates(self) -> FieldSpec:
        if self.format is not None and self.type not in ("date", "datetime"):
            raise ValueError(f"`format` is for date and datetime fields, not {self.type}")
        return self


class EventSpec(Strict):
    """An event type of the history (`promote`, `claim`...).

    `by` says who may send a deciding event (`approve` by an admin); transitions say who may
    send the others.
    """

    title: str | None = None
    promotes: bool = False
    decides: Literal["grant", "deny"] | None = None
    by: Names | None = None
    needs: Annotated[list[str], BeforeValidator(_as_list)] = Field(default_factory=list)

    @field_validator("by")
    @classmethod
    def _known_roles(cls, roles: list[str] | None) -> list[str] | None:
        return None if roles is None else _check_roles(roles)


def _check_roles(roles: list[str]) -> list[str]:
    for role in roles:
        if role not in ROLES:
            raise ValueError(f"`{role}` is not a role; use rep, admin, owner or anyone")
    return roles


class Target(Strict):
    """A stage's capability targets: count per cycle, forecast reach, days, cost."""

    count: int | None = Field(default=None, ge=0)
    reach: Percent | None = None
    days: float | None = Field(default=None, ge=0)
    cost: float | None = None


class StageSpec(Strict):
    """One stage of the objective path; `requires` is its stage lock."""

    name: str | None = None
    title: str | None = None
    capability: str | None = None
    capability_title: str | None = None
    target: Target = Field(default_factory=Target)
    requires: Text | None = None


class StateSpec(Strict):
    """A lifecycle state. `public` states are the pool anyone may claim from."""

    name: str | None = None
    title: str | None = None
    public: bool = False
    terminal: bool = False


class TargetChoice(Strict):
    """A target that depends on the customer: `to: {case: "team(owner)", map: {...}, else: L}`
    or `to: {resume: furthest_stage, else: new}`."""

    resume: Literal["furthest_stage"] | None = None
    case: Text | None = None
    map: dict[str, Text] = Field(default_factory=dict)
    else_: Text = Field(alias="else")


class TransitionSpec(Strict):
    """An edge of the state graph: an event (`on`) or a timer (`after`) moves `from` to `to`."""

    from_: Names = Field(alias="from")
    on: Text | None = None
    after: DurationValue | None = None
    to: Text | TargetChoice
    by: Names = Field(default_factory=lambda: ["anyone"])
    approval: Literal["admin"] | None = None
    when: Text | None = None
    set: dict[str, Annotated[Any, BeforeValidator(_set_value)]] = Field(default_factory=dict)
    clear_stages: bool = False
    title: str | None = None

    @field_validator("by")
    @classmethod
    def _known_roles(cls, roles: list[str]) -> list[str]:
        return _check_roles(roles)


class QuotaSpec(Strict):
    """The sales-right quota: how many slots a rep may hold, and what holds one."""

    limit: int = Field(ge=0)
    holds_slot: Text
    by_team: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)


class OverflowSpec(Strict):
    """Where a routed lead goes when the first choice is full."""

    when: Text
    to: Text


class ActionSpec(Strict):
    """What a rule does: apply an event (`release`) or route a lead (`assign`)."""

    action: Text | None = None
    assign: Text | None = None
    overflow: OverflowSpec | None = None
    routes: Annotated[list[RouteSpec], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ActionSpec:
        kinds = [k for k in ("action", "assign", "routes") if getattr(self, k) is not None]
        if len(kinds) > 1:
            raise ValueError(f"a rule does one thing: `{kinds[0]}` or `{kinds[1]}`, not both")
        return self


class RuleSpec(Strict):
    """A named rule: when its condition holds it raises an alert and/or does something."""

    when: Text | None = None
    streak: StreakSpec | None = None
    alert: Literal["info", "warning", "critical"] | None = None
    message: str | None = None
    do: Annotated[ActionSpec, BeforeValidator(_do_shorthand)] | None = None
    schedule: ScheduleValue | None = None
    title: str | None = None

    @model_validator(mode="after")
    def _when_or_streak(self) -> RuleSpec:
        if (self.when is None) == (self.streak is None):
            raise ValueError("a rule has a `when` condition or a `streak`, exactly one of them")
        return self


class RankSpec(Strict):
    """How a rep's customers are ranked for pursuit, and which customers are ranked."""

    among: Text
    order: list[Text] = Field(min_length=1)


class MeasureSpec(Strict):
    """A per-customer number computed for the customers `among` selects."""

    among: Text
    value: Text


class Policy(Strict):
    """A whole policy document (a base policy, or an overlay once merged into its base)."""

    rulekit: int
    id: Text
    version: Text
    title: str | None = None
    description: str | None = None
    timezone: Text = "UTC"
    fields: dict[str, Annotated[FieldSpec, BeforeValidator(_field_shorthand)]] = Field(
        default_factory=dict
    )
    events: dict[str, EventSpec | None] = Field(default_factory=dict)
    stages: dict[str, StageSpec] = Field(default_factory=dict)
    cycle: DurationValue | None = None
    states: dict[str, StateSpec | None] = Field(default_factory=dict)
    transitions: dict[str, TransitionSpec] = Field(default_factory=dict)
    quota: QuotaSpec | None = None
    quotas: dict[str, NamedQuotaSpec] = Field(default_factory=dict)
    counters: dict[str, CounterSpec] = Field(default_factory=dict)
    metrics: dict[str, MetricSpec] = Field(default_factory=dict)
    priority: RankSpec | None = None
    overdue: MeasureSpec | None = None
    forecast: MeasureSpec | None = None
    rules: dict[str, RuleSpec] = Field(default_factory=dict)
    params: dict[str, Annotated[Any, WithJsonSchema({"type": ["number", "string", "boolean"]})]] = (
        Field(default_factory=dict)
    )

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        if not SEMVER.fullmatch(value):
            raise ValueError(f"`{value}` is not a semantic version; write MAJOR.MINOR.PATCH: 1.0.0")
        return value

    @field_validator("id")
    @classmethod
    def _policy_id(cls, value: str) -> str:
        if not POLICY_ID.fullmatch(value) or "@" in value:
            raise ValueError(f"`{value}` is not a policy id; use letters, digits, - and _")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from rulekit.timeutil import zone

        zone(value)
        return value

    @property
    def major(self) -> int:
        """The major version number."""
        return int(self.version.split(".", 1)[0])
