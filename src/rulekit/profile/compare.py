"""How a candidate policy changes the capability profiles: `dry-run`'s profile section.

Each side is profiled under its own policy (its stages, targets and cycle) for the cycle
ending at as-of. The section lists, per stage (the candidate's path order, then stages only
the baseline has), the promotions of all reps together under both policies with their target
counts, and how many reps have each stage as their weakest capability on each side.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from rulekit.profile.document import rounded
from rulekit.profile.model import ProfileReport


@dataclass(frozen=True, slots=True)
class StageChange:
    """One stage's promotions (all reps, the cycle ending at as-of) under both policies."""

    stage: str
    capability: str | None
    capability_title: str | None
    baseline: int | None  # None: the stage is not in that policy
    candidate: int | None
    baseline_target: float | None
    candidate_target: float | None
    baseline_weakest: int  # reps whose weakest capability is this stage
    candidate_weakest: int


@dataclass(slots=True)
class ProfileChange:
    """The profiles of both sides and their per-stage comparison."""

    baseline: ProfileReport
    candidate: ProfileReport

    def stages(self) -> list[StageChange]:
        """Per stage, candidate order first."""
        a, b = self.baseline.current, self.candidate.current
        codes = [s.code for s in self.candidate.stages]
        codes += [s.code for s in self.baseline.stages if s.code not in codes]
        weak_a = Counter(p.weakest for p in a.reps if p.weakest)
        weak_b = Counter(p.weakest for p in b.reps if p.weakest)
        out = []
        for code in codes:
            fa = next((f for f in a.total.stages if f.stage == code), None)
            fb = next((f for f in b.total.stages if f.stage == code), None)
            plans = [s for s in (*self.candidate.stages, *self.baseline.stages) if s.code == code]
            plan = plans[0]
            out.append(
                StageChange(
                    code,
                    plan.capability,
                    plan.capability_title,
                    fa.count if fa else None,
                    fb.count if fb else None,
                    fa.target if fa else None,
                    fb.target if fb else None,
                    weak_a[code],
                    weak_b[code],
                )
            )
        return out

    def reps_changed(self) -> list[tuple[str, str | None, str | None]]:
        """(rep, baseline weakest, candidate weakest) for the reps whose weakest differs."""
        a = {p.id: p.weakest for p in self.baseline.current.reps}
        b = {p.id: p.weakest for p in self.candidate.current.reps}
        return [
            (r, a.get(r), b.get(r)) for r in sorted(a.keys() | b.keys()) if a.get(r) != b.get(r)
        ]

    def document(self) -> dict[str, Any]:
        """The `profile` section of the dry-run document."""

        def side(r: ProfileReport) -> dict[str, Any]:
            c = r.current
            return {
                "cycle": str(r.length),
                "start": r.iso(c.cycle.start),
                "end": r.iso(c.cycle.end),
                "promotions": c.promotions,
            }

        return {
            "baseline": side(self.baseline),
            "candidate": side(self.candidate),
            "stages": [
                {
                    "stage": s.stage,
                    "capability": s.capability,
                    "capability_title": s.capability_title,
                    "baseline": {
                        "count": s.baseline,
                        "target": rounded(s.baseline_target),
                        "weakest_of": s.baseline_weakest,
                    },
                    "candidate": {
                        "count": s.candidate,
                        "target": rounded(s.candidate_target),
                        "weakest_of": s.candidate_weakest,
                    },
                    "change": (s.candidate or 0) - (s.baseline or 0),
                }
                for s in self.stages()
            ],
            "weakest_changed": [
                {"rep": rep, "baseline": x, "candidate": y} for rep, x, y in self.reps_changed()
            ],
        }
