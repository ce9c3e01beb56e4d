"""Rules: alerts at as-of, automatic actions on the daily sweep, routing with overflow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import rulekit
from tests.conftest import overlay
from tests.engine.helpers import customer, events

RECYCLE = overlay(
    """
    rules:
      overdue: null
      recycle:
        when: "state in [new, D] and days_since(coalesce(last_activity_at, state_since)) > 21"
        do: release
      auto-publish:
        when: "state == E and days_in_state >= 10"
        do: publish
      stalled:
        when: "state == A and days_in_stage > 5"
        alert: critical
        message: "{customer} waits at {stage} ({owner})"
    """
)


ROUTING = overlay(
    """
    fields: {region: string}
    rules:
      route-zj:
        when: "event.type == 'archive' and region == '浙江'"
        do: {assign: "team:A", overflow: {when: "open_leads(rep) >= 2", to: "team:B"}}
    """
)


def test_auto_recycle_runs_on_the_first_midnight_past_the_limit(
    write: Callable[..., Path],
) -> None:
    policy = write(RECYCLE)
    history = "2026-01-01T10:00 C1 archive wang\n2026-01-10T10:00 C1 activity wang"
    # last activity 01-10 10:00: more than 21 whole days from 02-01 10:00 on, so the sweep
    # at 02-02 00:00 is the first to act
    still = rulekit.replay(policy, events(history), as_of="2026-02-01T23:59")
    assert customer(still.document(), "C1")["state"] == "new"
    done = rulekit.replay(policy, events(history), as_of="2026-02-02")
    c1 = customer(done.document(), "C1")
    assert (c1["state"], c1["owner"], c1["state_since"]) == ("L", None, "2026-02-02T00:00:00+08:00")
    assert done.world is not None and done.world.rules_fired["recycle"] == 1
    # rule actions are not events
    assert done.document()["counts"] == {"events": 2, "applied": 2, "rejected": 0, "timers": 0}
    assert done.document()["reps"][0]["slots_used"] == 0


def test_auto_publish_after_days_in_e(write: Callable[..., Path]) -> None:
    policy = write(RECYCLE)
    history = "\n".join(
        [
            "2026-01-01 C1 archive wang",
            "2026-01-01 C1 activity wang",
            *(f"2026-01-02 C1 promote wang {s}" for s in "DCBAO"),
        ]
    )
    # OD 01-02 → R 02-01 → E 05-02; publish 10 days later on the sweep of 05-12
    doc = rulekit.replay(policy, events(history), as_of="2026-05-12").document()
    assert customer(doc, "C1")["state"] == "L"
    doc = rulekit.replay(policy, events(history), as_of="2026-05-11T23:00").document()
    assert customer(doc, "C1")["state"] == "E"


def test_alerts_at_as_of(write: Callable[..., Path]) -> None:
    policy = write(RECYCLE)
    history = "\n".join(
        ["2026-01-01 C1 archive wang", *(f"2026-01-02 C1 promote wang {s}" for s in "DCBA")]
    )
    result = rulekit.replay(policy, events(history), as_of="2026-01-08")
    assert [(a.customer, a.rule, a.level, a.message) for a in result.alerts] == [
        ("C1", "stalled", "critical", "C1 waits at A (wang)")
    ]
    assert rulekit.replay(policy, events(history), as_of="2026-01-07").alerts == []


def test_routing_with_overflow(write: Callable[..., Path], tmp_path: Path) -> None:
    policy = write(ROUTING)
    people = tmp_path / "people.csv"
    people.write_text("id,team,role\na1,A,rep\na2,A,rep\nb1,B,rep\nboss,,admin\n")
    rows = [f"2026-01-0{i} L{i} archive boss region=浙江" for i in range(1, 7)]
    rows.append("2026-01-07 X1 archive a1 region=上海")
    result = rulekit.replay(policy, events("\n".join(rows)), as_of="2026-02-01", people=str(people))
    rows_by_id = {c.customer: (c.state, c.owner) for c in result.customers}
    # admins archive into the pool; routing hands each lead to a rep the way a claim would
    assert [rows_by_id[f"L{i}"] for i in range(1, 7)] == [
        ("new", "a1"), ("new", "a2"), ("new", "a1"), ("new", "a2"), ("new", "b1"), ("new", "b1")
    ]  # fmt: skip
    assert rows_by_id["X1"] == ("new", "a1")  # not 浙江: kept by whoever archived it


def test_routing_by_a_rep_archive_overflows_to_team_b(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    policy = write(ROUTING)
    people = tmp_path / "people.csv"
    people.write_text("id,team,role\na1,A,rep\na2,A,rep\nb1,B,rep\nscout,,rep\n")
    rows = [f"2026-01-0{i} C{i} archive scout region=浙江" for i in range(1, 7)]
    result = rulekit.replay(policy, events("\n".join(rows)), as_of="2026-02-01", people=str(people))
    owners = [c.owner for c in result.customers]
    # team A takes two each (fewest open leads first), then the overflow goes to team B
    assert owners == ["a1", "a2", "a1", "a2", "b1", "b1"]
    assert result.world is not None and result.world.rules_fired["route-zj"] == 6
