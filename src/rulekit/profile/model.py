"""What a capability profile is made of: the policy's stages with their targets, and the
figures of one rep, team or the whole run over one cycle.

Everything here comes from the policy: its stages in order, their names and capabilities,
their target counts, reach and days, and its `cycle`. An overlay that changes any of them
changes the profile with no code change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from rulekit.profile.cycles import Cycle
from rulekit.timeutil import Duration

if TYPE_CHECKING:
    from rulekit.compiler import CompiledPolicy

DEFAULT_CYCLE = Duration.of_days(100)  # when a policy has stages but no `cycle`


@dataclass(frozen=True, slots=True)
class StagePlan:
    """One stage of the policy's path with its labels and targets."""

    code: str
    index: int  # 1 for the first stage
    name: str | None  # the stage's Chinese name (建立联系)
    title: str | None  # its English title (Establish contact)
    capability: str | None  # the capability it measures, Chinese (获客能力)
    capability_title: str | None  # the same in English (Acquisition)
    count: int | None  # target promotions per rep per cycle
    reach: float | None  # target share of first-stage customers reaching it
    days: float | None  # target days from the previous promotion

    def label(self, lang: str) -> str:
        """The stage's name in `lang` (`zh` or `en`), falling back to the other, then the code."""
        first, second = (self.name, self.title) if lang == "zh" else (self.title, self.name)
        return first or second or self.code

    def capability_label(self, lang: str) -> str | None:
        """The capability's name in `lang`, falling back to the other language."""
        if lang == "zh":
            return self.capability or self.capability_title
        return self.capability_title or self.capability


def plan_of(policy: CompiledPolicy) -> list[StagePlan]:
    """The policy's stages, in path order."""
    out = []
    for i, (code, spec) in enumerate(policy.model.stages.items(), start=1):
        t = spec.target
        out.append(
            StagePlan(
                code,
                i,
                spec.name,
                spec.title,
                spec.capability,
                spec.capability_title,
                t.count,
                t.reach,
                t.days,
            )
        )
    return out


def cycle_of_policy(policy: CompiledPolicy) -> Duration:
    """The policy's `cycle`, or 100 days when it names none."""
    return policy.model.cycle or DEFAULT_CYCLE


@dataclass(frozen=True, slots=True)
class StageFigure:
    """One stage's figures for one subject and cycle, beside the targets.

    count: promotions into the stage; target: the target count (times the reps of a team);
    attainment: count / target; conversion: count / the previous stage's count, against
    conversion_target = reach / the previous stage's reach; reach: count / the first stage's
    count, against reach_target; median_days: the median days from the previous promotion
    (over the `days_known` promotions whose previous date is known), against days_target.
    """

    stage: str
    count: int
    target: float | None
    attainment: float | None
    conversion: float | None
    conversion_target: float | None
    reach: float | None
    reach_target: float | None
    median_days: float | None
    days_target: float | None
    days_known: int


@dataclass(slots=True)
class Profile:
    """The profile of a rep, a team or the whole run (`kind`) over one cycle."""

    kind: str  # "rep", "team" or "all"
    id: str
    name: str | None
    team: str | None
    reps: int  # reps counted (1 for a rep)
    stages: list[StageFigure]
    weakest: str | None  # the stage furthest below its target, or None

    def figure(self, code: str) -> StageFigure:
        """The figures of the stage `code`."""
        return next(f for f in self.stages if f.stage == code)

    @property
    def total(self) -> int:
        """All promotions of the subject in the cycle."""
        return sum(f.count for f in self.stages)


@dataclass(slots=True)
class CycleProfiles:
    """Every profile of one cycle."""

    cycle: Cycle
    reps: list[Profile]  # by rep id
    teams: list[Profile]  # by team name
    total: Profile  # every rep together
    unattributed: dict[str, int] = field(default_factory=dict)  # stage -> promotions, no owner

    @property
    def promotions(self) -> int:
        """All promotions in the cycle, attributed or not."""
        return self.total.total + sum(self.unattributed.values())


@dataclass(slots=True)
class ProfileReport:
    """The capability profiles of a run: the policy's stages, the cycles, the profiles."""

    policy_id: str
    policy_version: str
    policy_title: str | None
    mode: str  # "replay" (from a history) or "run" (from a snapshot)
    path: str
    as_of: datetime
    tz: tzinfo
    length: Duration
    stages: list[StagePlan]
    cycles: list[CycleProfiles]  # latest first
    names: dict[str, str | None] = field(default_factory=dict)  # rep -> name
    lang: str = "en"

    def iso(self, value: datetime) -> str:
        """An instant as ISO 8601 with offset in the policy's timezone."""
        from rulekit.timeutil import format_instant

        return format_instant(value, self.tz)

    @property
    def current(self) -> CycleProfiles:
        """The cycle ending at as-of."""
        return self.cycles[0]

    def stage(self, code: str) -> StagePlan:
        """The plan of the stage `code`."""
        return next(s for s in self.stages if s.code == code)
