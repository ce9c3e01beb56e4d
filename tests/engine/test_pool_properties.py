"""Properties of counters, named quotas and metrics on generated histories: each equals a
brute-force recount over the applied events (or the customers), and no quota is ever
exceeded after any event."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulekit.compiler import compile_text
from rulekit.engine.core import metrics
from rulekit.engine.core import program as programs
from rulekit.engine.core.event import Event
from rulekit.engine.core.people import People, Person
from rulekit.engine.replay.replayer import Replayer

POLICY_TEXT = """
rulekit: 1
id: pool-properties
version: 1.0.0
extends: 4321-dcbao@1
fields: {locked: {type: bool, default: false}}
events: {lock: {}}
transitions:
  lock: {from: [new, D, C, B, A], on: lock, to: same, by: owner, set: {locked: "true"}}
quota: {limit: 4}
quotas:
  owned: {limit: 3, holds_slot: "state in [new, D, C, B, A]", by_team: {east: 2},
          by_rep: {li: 1}}
  locked: {limit: 1, holds_slot: "locked == true and state in [new, D, C, B, A]",
           pending: false}
counters:
  day_actor: {count: [claim, archive], by: actor, within: day}
  rolling_owner: {count: [claim, activity, archive], by: owner, within: 30h}
  week_customer: {count: activity, by: customer, within: week}
  all_7d: {count: [archive, claim, release, lock], by: all, within: 7d}
  by_type: {count: [archive, claim, activity], by: type, within: 30h}
metrics:
  active_share: {share: "last_activity_at != null", among: "state in [new, D, C, B, A]",
                 per: rep}
  team_d: {count: "state == D", per: team}
  mean_stage: {average: "stage_index", per: company}
"""
POLICY, DIAGS = compile_text(POLICY_TEXT, "pool-properties.yaml")
START = datetime(2026, 1, 1, 9, 0)
TYPES = ["archive", "claim", "approve", "promote", "release", "publish", "reassign",
         "activity", "lock"]  # fmt: skip
ACTORS = ["wang", "li", "zhao", "admin"]
TEAMS = {"wang": "east", "li": "east", "zhao": "north"}
PRE_SALE = {"new", "D", "C", "B", "A"}

steps = st.lists(
    st.tuples(
        st.integers(0, 40),  # hours after the previous event
        st.integers(0, 5),  # customer
        st.sampled_from(TYPES),
        st.sampled_from(ACTORS),
        st.sampled_from(["D", "C"]),
        st.sampled_from(ACTORS[:3]),
    ),
    max_size=60,
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _people() -> People:
    people = People(from_file=True)
    for rep, team in TEAMS.items():
        people.listed[rep] = Person(rep, None, team, "rep")
    people.listed["admin"] = Person("admin", None, None, "admin")
    return people


def _replay(raw: list[Any], check: Any) -> Replayer:
    assert POLICY is not None, DIAGS
    program = programs.build(POLICY)
    replayer = Replayer(program, _people())
    t = START.replace(tzinfo=program.tz)
    for n, (hours, cust, kind, actor, stage, to) in enumerate(raw, start=1):
        t += timedelta(hours=hours)
        event = Event(n, t, f"C{cust}", kind, actor, stage if kind == "promote" else None,
                      to if kind == "reassign" else None)  # fmt: skip
        replayer.advance(t)
        applied = replayer.world.applied
        replayer.apply(event)
        check(replayer, event, replayer.world.applied > applied)
    return replayer


def _window_holds(spec: Any, at: datetime, now: datetime, tz: Any) -> bool:
    if spec.within == "day":
        return at.astimezone(tz).date() == now.astimezone(tz).date()
    if spec.within == "week":
        a, b = at.astimezone(tz).date(), now.astimezone(tz).date()
        return a - timedelta(days=a.weekday()) == b - timedelta(days=b.weekday())
    return now - timedelta(seconds=spec.within.seconds) < at <= now


@SETTINGS
@given(steps)
def test_counters_equal_a_recount_of_the_applied_events(raw: list[Any]) -> None:
    assert POLICY is not None
    specs = POLICY.model.counters
    applied: list[tuple[str, datetime, dict[str, str | None]]] = []

    def check(replayer: Replayer, event: Event, was_applied: bool) -> None:
        if was_applied:
            found = replayer.world.customers.get(event.customer)
            owner = (found.owner or found.pending_owner) if found else None
            keys = {"actor": event.actor, "owner": owner, "customer": event.customer, "all": ""}
            keys["type"] = event.type
            applied.append((event.type, event.at, keys))
        counters = replayer.program.extra["counters"]
        for name, spec in specs.items():
            for key in [*ACTORS, *(f"C{i}" for i in range(6)), *TYPES, ""]:
                expected = sum(
                    1
                    for kind, at, keys in applied
                    if kind in spec.count
                    and keys[spec.by] == key
                    and _window_holds(spec, at, event.at, POLICY.tz)
                )
                assert counters.value(name, key, event.at) == expected, (name, key)

    _replay(raw, check)


def _recount(replayer: Replayer, quota: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in replayer.world.customers.values():
        holders = []
        pre_sale = c.state in PRE_SALE
        if quota == "locked":
            if c.owner and pre_sale and c.fields.get("locked") is True:
                holders.append(c.owner)
        else:
            if c.owner and pre_sale:
                holders.append(c.owner)
            if c.pending_owner:
                holders.append(c.pending_owner)
        for rep in holders:
            out[rep] = out.get(rep, 0) + 1
    return out


@SETTINGS
@given(steps)
def test_no_quota_is_ever_exceeded_and_each_equals_a_recount(raw: list[Any]) -> None:
    def check(replayer: Replayer, event: Event, was_applied: bool) -> None:
        world = replayer.world
        for name, ledger in [("quota", world.ledger), *world.quotas]:
            used = {rep: n for rep, n in ledger.used.items() if n}
            assert used == _recount(replayer, name), name
            for rep, n in used.items():
                limit = ledger.limit(rep)
                assert limit is None or n <= limit, (name, rep, n, limit)
        wang = dict(world.quotas)["owned"]
        assert (wang.limit("wang"), wang.limit("li"), wang.limit("zhao")) == (2, 1, 3)

    _replay(raw, check)


@SETTINGS
@given(steps)
def test_metrics_equal_a_recount_over_the_customers(raw: list[Any]) -> None:
    replayer = _replay(raw, lambda *_: None)
    program, world = replayer.program, replayer.world
    now = START.replace(tzinfo=program.tz) + timedelta(days=30)
    found = {
        m.name: metrics.compute(program, m, world.customers.values(), now, world.people)
        for m in metrics.build(program)
    }
    customers = list(world.customers.values())
    share: dict[str, list[int]] = {}
    team_d: dict[str, int] = {}
    stages = []
    for c in customers:
        if c.owner and c.state in PRE_SALE:
            tally = share.setdefault(c.owner, [0, 0])
            tally[0] += c.fields.get("last_activity_at") is not None
            tally[1] += 1
        if c.owner and TEAMS.get(c.owner):
            team = TEAMS[c.owner]
            team_d[team] = team_d.get(team, 0) + (c.state == "D")
        if c.stage_index():
            stages.append(c.stage_index())
    assert found["active_share"] == {r: round(a / n, 6) for r, (a, n) in sorted(share.items())}
    assert found["team_d"] == dict(sorted(team_d.items()))
    company = round(sum(stages) / len(stages), 6) if stages else None
    assert found["mean_stage"] == ({"company": company} if company is not None else {})
