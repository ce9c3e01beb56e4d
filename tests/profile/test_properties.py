"""Property: the per-rep counts of a cycle add up to the promotions the replay applied in it.

Random histories of archives, releases and promotions (in order, skipped, repeated, by the
wrong rep) are replayed; the promotions applied in a cycle are counted independently
from the history and the replay's refusals, and must equal the sum of every rep's counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulekit import api
from rulekit.timeutil import parse_instant

POLICY = api.load("4321-dcbao@1")
START = datetime(2026, 1, 1, tzinfo=POLICY.tz)
REPS = ["r1", "r2", "r3"]
CUSTOMERS = [f"c{i}" for i in range(6)]

#: one customer's story: its owner, when it is archived, then promotions (stage index 0-4,
#: hours after the previous event, acting rep): in order, skipped, repeated, by another rep
story = st.tuples(
    st.sampled_from(REPS),
    st.integers(0, 24 * 30),
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 24 * 20), st.sampled_from([*REPS, "own"])),
        max_size=8,
    ),
    st.booleans(),  # released to the pool half-way
)


def _rows(stories: list[tuple[str, int, list[tuple[int, int, str]], bool]]) -> list[dict[str, Any]]:
    rows = []
    for n, (owner, hours, steps, release) in enumerate(stories):
        customer = f"c{n}"
        at = START + timedelta(hours=hours)
        rows.append((at, customer, "archive", owner, ""))
        next_stage = 0
        for k, (jump, gap, actor) in enumerate(steps):
            at += timedelta(hours=gap)
            stage = min(4, max(0, next_stage + jump - 1))  # mostly the next stage
            rows.append(
                (at, customer, "promote", owner if actor == "own" else actor, "DCBAO"[stage])
            )
            next_stage = stage + 1
            if release and k == len(steps) // 2:
                rows.append((at, customer, "release", owner, ""))
    rows.sort(key=lambda r: r[0])
    return [
        {"at": a.strftime("%Y-%m-%dT%H:%M"), "customer": c, "type": t, "actor": x, "stage": s}
        for a, c, t, x, s in rows
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw=st.lists(story, min_size=1, max_size=12),
    cycle_days=st.integers(1, 30),
    as_of_days=st.integers(5, 70),
)
def test_sum_of_rep_counts_is_the_promotions_applied_in_the_cycle(
    raw: list[tuple[str, int, list[tuple[int, int, str]], bool]],
    cycle_days: int,
    as_of_days: int,
) -> None:
    rows = _rows(raw)
    as_of = START + timedelta(days=as_of_days)
    policy = api.load("4321-dcbao@1")
    text = f"rulekit: 1\nid: p\nversion: 1.0.0\nextends: 4321-dcbao@1\ncycle: {cycle_days}d\n"
    from rulekit.compiler import compile_text

    compiled, _ = compile_text(text, "p.yaml")
    assert compiled is not None and policy is not None
    report = api.profile(compiled, rows, as_of=as_of, cycles=2)
    result = api.replay(compiled, rows, as_of=as_of)
    refused = {r.row for r in result.rejected}
    for c in report.cycles:
        applied = sum(
            1
            for number, row in enumerate(rows, start=1)
            if row["type"] == "promote"
            and number not in refused
            and c.cycle.holds(parse_instant(row["at"], compiled.tz))
        )
        assert sum(p.total for p in c.reps) + sum(c.unattributed.values()) == applied
        assert c.total.total == sum(p.total for p in c.reps)
        for stage in report.stages:
            assert c.total.figure(stage.code).count == sum(
                p.figure(stage.code).count for p in c.reps
            )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.lists(story, min_size=1, max_size=12), as_of_days=st.integers(5, 70))
def test_promotions_read_back_from_the_log_are_the_recorded_ones(
    raw: list[tuple[str, int, list[tuple[int, int, str]], bool]], as_of_days: int
) -> None:
    """dry-run reads promotions back from the log and the refusals (no cost in the replay);
    `profile` records them during the replay: both agree (but for the first stage's wait)."""
    from rulekit.profile import engine_link

    program = engine_link.build_program(POLICY)
    as_of = START + timedelta(days=as_of_days)
    log = engine_link.read_log(api._table(_rows(raw)), program, as_of)
    people = engine_link.read_people(None)
    result, recorded = engine_link.replay_log_recording(program, people, log, "h", as_of)
    assert engine_link.log_is_exact(program)
    read_back = engine_link.promotions_of_log(program, log, result)
    assert read_back is not None
    first = POLICY.model.stages and next(iter(POLICY.model.stages))
    assert [(p.rep, p.customer, p.stage, p.at) for p in read_back] == [
        (p.rep, p.customer, p.stage, p.at) for p in recorded
    ]
    assert [p.since for p in read_back if p.stage != first] == [
        p.since for p in recorded if p.stage != first
    ]
