"""Pydantic models of the policy DSL: the shape of a policy file, with values parsed and checked.

The models check structure and single values (a duration, a percentage, a semver). Cross
references (a transition naming a state) are checked by the graph stage, conditions by the
condition language's checker. Shorthands are normalised before validation so that a
consultant's error points at their text, not at a union's branches.
"""

from __future__ import annotations

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

from rulekit.policy import values
from rulekit.policy.pool_models import (
    CounterSpec,
    MetricSpec,
    NamedQuotaSpec,
    RouteSpec,
    ScheduleValue,
    StreakSpec,
)
from rulekit.policy.values import DSL_VERSION as DSL_VERSION
from rulekit.policy.values import FIELD_TYPES as FIELD_TYPES
from rulekit.policy.values import ROLES as ROLES
from rulekit.policy.values import SEMVER as SEMVER
from rulekit.timeutil import Duration

DurationValue = Annotated[Duration, BeforeValidator(values.duration)]
Percent = Annotated[float, BeforeValidator(values.percent)]
Names = Annotated[list[str], BeforeValidator(values.as_list), Field(min_length=1)]
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
    default: Annotated[Any, BeforeValidator(values.set_value)] = None

    _known_format = field_validator("format")(values.date_format)
    _format_of_dates = model_validator(mode="after")(values.format_of_dates)


class EventSpec(Strict):
    """An event type of the history (`promote`, `claim`...).

    `by` says who may send a deciding event (`approve` by an admin); transitions say who may
    send the others.
    """

    title: str | None = None
    promotes: bool = False
    decides: Literal["grant", "deny"] | None = None
    by: Names | None = None
    needs: Annotated[list[str], BeforeValidator(values.as_list)] = Field(default_factory=list)

    _known_roles = field_validator("by")(values.check_roles)


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
    set: dict[str, Annotated[Any, BeforeValidator(values.set_value)]] = Field(default_factory=dict)
    clear_stages: bool = False
    title: str | None = None

    _known_roles = field_validator("by")(values.check_roles)


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

    _one_kind = model_validator(mode="after")(values.one_action)


class RuleSpec(Strict):
    """A named rule: when its condition holds it raises an alert and/or does something."""

    when: Text | None = None
    streak: StreakSpec | None = None
    alert: Literal["info", "warning", "critical"] | None = None
    message: str | None = None
    do: Annotated[ActionSpec, BeforeValidator(values.do_shorthand)] | None = None
    schedule: ScheduleValue | None = None
    title: str | None = None

    _when_or_streak = model_validator(mode="after")(values.when_or_streak)


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
    fields: dict[str, Annotated[FieldSpec, BeforeValidator(values.field_shorthand)]] = Field(
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

    _semver = field_validator("version")(values.semver)
    _policy_id = field_validator("id")(values.policy_id)
    _timezone = field_validator("timezone")(values.timezone)
    major = property(values.major, doc="The major version number.")
