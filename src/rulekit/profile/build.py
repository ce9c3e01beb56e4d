"""Build a ProfileReport: read the input (a history or a snapshot), take its promotions from
the engine, lay the cycles back from as-of and compute every profile.

How a table is told apart: `kind="auto"` (the command's default) reads the header, with the
policy's column mappings applied: a table with the columns `at` and `type` is a history
(replayed); one with `customer` and `state` and no `type` is a snapshot (evaluated, promotions
read from its `*_at` dates). `kind="history"` or `kind="records"` says it outright.
"""

from __future__ import annotations

import os
from datetime import datetime

from rulekit.compiler import CompiledPolicy
from rulekit.profile import engine_link
from rulekit.profile.compute import compute
from rulekit.profile.cycles import cycles
from rulekit.profile.model import ProfileReport, cycle_of_policy, plan_of
from rulekit.report.labels import default_lang
from rulekit.tables import Table
from rulekit.tables.fastcsv import TextFrame

KINDS = ("auto", "history", "records")


class ProfileError(Exception):
    """The profile cannot be made: `message` says why, `hint` how to fix it."""

    def __init__(self, message: str, hint: str | None = None, *, invalid: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.invalid = invalid  # the policy or the input is invalid (exit 1), not the usage


def _check_policy(policy: CompiledPolicy) -> None:
    if not policy.model.stages:
        raise ProfileError(
            f"{policy.files[0] if policy.files else policy.id}: the policy has no `stages`",
            "a capability profile counts promotions along the policy's stages and their "
            "`target.count`; add `stages:` (see docs/policy-language.md)",
            invalid=True,
        )


def report_of(
    policy: CompiledPolicy,
    source: engine_link.Source,
    as_of: datetime,
    *,
    before: int = 0,
    rep: str | None = None,
    lang: str | None = None,
) -> ProfileReport:
    """The profiles of `source`'s promotions for the cycle ending at `as_of` and the `before`
    cycles before it; `rep` keeps that rep's profile only (and its team's)."""
    _check_policy(policy)
    if before < 0:
        raise ProfileError(f"--cycles {before}: the number of earlier cycles cannot be negative")
    plan = plan_of(policy)
    length = cycle_of_policy(policy)
    found = cycles(as_of, length, before, policy.tz)
    promotions = ((p.rep, p.stage, p.at, p.since) for p in source.promotions)
    per_cycle = compute(plan, found, promotions, source.reps, source.teams, source.names)
    if rep is not None:
        known = [r.id for r in per_cycle[0].reps]
        if rep not in known:
            from rulekit.diagnostics import did_you_mean

            raise ProfileError(
                f"--rep {rep}: no such rep in {source.path}",
                did_you_mean(rep, known) or f"reps: {', '.join(known[:12])}",
            )
        for c in per_cycle:
            c.reps = [r for r in c.reps if r.id == rep]
            team = c.reps[0].team if c.reps else None
            c.teams = [t for t in c.teams if t.id == team]
    return ProfileReport(
        policy.id,
        policy.version,
        policy.title,
        source.mode,
        source.path,
        as_of,
        policy.tz,
        length,
        plan,
        per_cycle,
        dict(source.names),
        lang or default_lang(),
    )


def read_input(path: str, sheet: str | None) -> Table | TextFrame:
    """The table at `path` (a plain CSV straight into polars)."""
    from rulekit.tables.fastcsv import read_table_fast

    return read_table_fast(os.fspath(path), sheet=sheet)


def source_of(
    policy: CompiledPolicy,
    table: Table | TextFrame,
    as_of: datetime,
    *,
    kind: str = "auto",
    people: Table | None = None,
    skip_bad_rows: bool = False,
) -> engine_link.Source:
    """Promotions of a history (replayed) or a snapshot (evaluated), per `kind`."""
    if kind not in KINDS:
        raise ProfileError(f"`{kind}` is not an input kind", f"use one of {', '.join(KINDS)}")
    if kind == "auto":
        found = engine_link.kind_of(table.columns, policy)
        if found is None:
            raise ProfileError(
                f"{table.path}: cannot tell a history from a snapshot "
                f"(columns: {', '.join(table.columns[:10])})",
                "a history has the columns at, customer, type, actor; a snapshot has customer, "
                "state and the stage flags; or say which with --input history|records",
            )
        kind = found
    if kind == "history":
        return engine_link.replay_source(
            policy, table, as_of, people=people, skip_bad_rows=skip_bad_rows
        )
    return engine_link.snapshot_source(policy, table, as_of, people=people)
