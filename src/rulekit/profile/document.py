"""The JSON document of `rulekit profile --format json` (its shape is in docs/profile.md).

Ratios and days are rounded to 6 decimals; keys of `stages` follow the policy's path order;
reps are sorted by id, teams by name; cycles latest first.
"""

from __future__ import annotations

from typing import Any

from rulekit.profile.model import CycleProfiles, Profile, ProfileReport, StageFigure, StagePlan


def rounded(value: float | None) -> float | int | None:
    if value is None:
        return None
    value = round(float(value), 6)
    return int(value) if value.is_integer() else value


def stage_plan(s: StagePlan, previous: StagePlan | None) -> dict[str, Any]:
    """A stage of the policy with its labels and targets."""
    conversion = None
    if previous is not None and s.reach is not None and previous.reach:
        conversion = s.reach / previous.reach
    return {
        "stage": s.code,
        "name": s.name,
        "title": s.title,
        "capability": s.capability,
        "capability_title": s.capability_title,
        "target": {
            "count": s.count,
            "reach": rounded(s.reach),
            "conversion": rounded(conversion),
            "days": rounded(s.days),
        },
    }


def figure(f: StageFigure) -> dict[str, Any]:
    """One stage's figures."""
    return {
        "count": f.count,
        "target": rounded(f.target),
        "attainment": rounded(f.attainment),
        "conversion": rounded(f.conversion),
        "conversion_target": rounded(f.conversion_target),
        "reach": rounded(f.reach),
        "reach_target": rounded(f.reach_target),
        "median_days": rounded(f.median_days),
        "days_target": rounded(f.days_target),
        "days_known": f.days_known,
    }


def weakest(report: ProfileReport, p: Profile) -> dict[str, Any] | None:
    """The weakest capability of a profile, with its names, or None."""
    if p.weakest is None:
        return None
    s = report.stage(p.weakest)
    f = p.figure(p.weakest)
    return {
        "stage": s.code,
        "capability": s.capability,
        "capability_title": s.capability_title,
        "attainment": rounded(f.attainment),
    }


def profile(report: ProfileReport, p: Profile) -> dict[str, Any]:
    """One rep's, team's or the whole run's profile."""
    head: dict[str, Any]
    if p.kind == "rep":
        head = {"rep": p.id, "name": p.name, "team": p.team}
    elif p.kind == "team":
        head = {"team": p.id, "reps": p.reps}
    else:
        head = {"reps": p.reps}
    return {
        **head,
        "promotions": p.total,
        "weakest": weakest(report, p),
        "stages": {f.stage: figure(f) for f in p.stages},
    }


def cycle(report: ProfileReport, c: CycleProfiles) -> dict[str, Any]:
    """One cycle: its bounds and every profile in it."""
    return {
        "index": c.cycle.index,
        "start": report.iso(c.cycle.start),
        "end": report.iso(c.cycle.end),
        "promotions": c.promotions,
        "unattributed": dict(c.unattributed),
        "reps": [profile(report, p) for p in c.reps],
        "teams": [profile(report, p) for p in c.teams],
        "all": profile(report, c.total),
    }


def document(report: ProfileReport) -> dict[str, Any]:
    """The whole document."""
    plans = report.stages
    return {
        "policy": {
            "id": report.policy_id,
            "version": report.policy_version,
            "title": report.policy_title,
        },
        "input": {
            "kind": "history" if report.mode == "replay" else "snapshot",
            "path": report.path,
        },
        "as_of": report.iso(report.as_of),
        "cycle": str(report.length),
        "stages": [stage_plan(s, plans[i - 1] if i else None) for i, s in enumerate(plans)],
        "cycles": [cycle(report, c) for c in report.cycles],
    }
