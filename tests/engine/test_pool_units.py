"""Schedules, routing strategies, named-quota refusals and streaks, case by case."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

import rulekit
from rulekit.compiler import compile_text
from rulekit.engine.core.schedules import next_run
from rulekit.policy.values import Schedule

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily", Schedule("daily")),
        ("daily at 02:00", Schedule("daily", time(2, 0))),
        ("every 48h", Schedule("every", every=__import__("datetime").timedelta(hours=48))),
        ("weekly on monday at 09:30", Schedule("weekly", time(9, 30), 0)),
        ("Weekly on Fri", Schedule("weekly", time(0, 0), 4)),
    ],
)
def test_schedules_parse(text: str, expected: Schedule) -> None:
    assert Schedule.parse(text) == expected


@pytest.mark.parametrize("text", ["hourly", "daily at 25:00", "weekly on funday", "every 30min"])
def test_bad_schedules_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Schedule.parse(text)


def test_next_runs() -> None:
    after = datetime(2026, 3, 4, 10, 0, tzinfo=SH)  # a Wednesday
    assert next_run(Schedule.parse("daily at 02:00"), after, SH) == datetime(
        2026, 3, 5, 2, 0, tzinfo=SH
    )
    assert next_run(Schedule.parse("daily at 11:00"), after, SH) == datetime(
        2026, 3, 4, 11, 0, tzinfo=SH
    )
    weekly = Schedule.parse("weekly on monday at 09:00")
    assert next_run(weekly, after, SH) == datetime(2026, 3, 9, 9, 0, tzinfo=SH)
    assert next_run(Schedule.parse("weekly on wednesday"), after, SH) == datetime(
        2026, 3, 11, tzinfo=SH
    )
    every = Schedule.parse("every 48h")
    first = next_run(every, after, SH)
    assert first == datetime(2026, 3, 5, tzinfo=SH)
    assert next_run(every, first, SH, previous=first) == datetime(2026, 3, 7, tzinfo=SH)


def test_every_counts_absolute_hours_across_daylight_saving() -> None:
    paris = ZoneInfo("Europe/Paris")
    previous = datetime(2026, 3, 28, 12, 0, tzinfo=paris)  # the clocks go forward on the 29th
    again = next_run(Schedule.parse("every 48h"), previous, paris, previous=previous)
    assert again == datetime(2026, 3, 30, 13, 0, tzinfo=paris)


OVERLAY = """
rulekit: 1
id: t
version: 1.0.0
extends: 4321-dcbao@1
quotas:
  owned: {limit: 2, holds_slot: "state in [new, D, C, B, A]"}
"""


def _policy(text: str) -> rulekit.CompiledPolicy:
    policy, diags = compile_text(text, "t.yaml")
    assert policy is not None, diags
    return policy


def test_named_quota_refusal_names_the_quota() -> None:
    rows = [{"at": f"2026-01-0{i} 09:00", "customer": f"C{i}", "type": "archive", "actor": "wang"}
            for i in range(1, 4)]  # fmt: skip
    doc = rulekit.replay(_policy(OVERLAY), rows, as_of="2026-01-05").document()
    assert [(r["row"], r["reason"], r["quota"]) for r in doc["rejected"]] == [
        (3, "quota_exceeded", "owned")
    ]
    assert doc["reps"][0]["quotas"] == {"owned": {"used": 2, "limit": 2}}


def test_default_policy_document_has_no_new_keys() -> None:
    rows = [{"at": "2026-01-01", "customer": "C1", "type": "archive", "actor": "wang"}]
    doc = rulekit.replay("4321-dcbao@1", rows, as_of="2026-01-05").document()
    assert "metrics" not in doc and "quotas" not in doc["reps"][0]
    records = [{"customer": "C1", "owner": "wang", "state": "new", "state_since": "2026-01-01"}]
    run = rulekit.run("4321-dcbao@1", records, as_of="2026-01-05")
    assert "quotas" not in run.document()["reps"][0]


def test_run_falls_back_to_the_row_engine_for_named_quotas() -> None:
    records = [{"customer": "C1", "owner": "wang", "state": "new", "state_since": "2026-01-01"}]
    result = rulekit.run(_policy(OVERLAY), records, as_of="2026-01-05")
    assert result.world is not None
    assert result.document()["reps"][0]["quotas"] == {"owned": {"used": 1, "limit": 2}}


STREAK = """
rulekit: 1
id: t
version: 1.0.0
extends: 4321-dcbao@1
metrics:
  in_d: {share: "state == D", among: "state in [new, D]", per: company}
rules:
  low-d: {streak: {metric: in_d, below: 50%, days: 1}, alert: info,
          message: "{group} {value} {days}"}
"""


def test_a_snapshot_checks_a_streak_once_at_as_of() -> None:
    records = [{"customer": "C1", "owner": "wang", "state": "new", "state_since": "2026-01-01"}]
    result = rulekit.run(_policy(STREAK), records, as_of="2026-01-05", engine="row")
    streaks = [(a.customer, a.group, a.message) for a in result.alerts if a.rule == "low-d"]
    assert streaks == [(None, "company", "company 0 1")]
    assert result.document()["metrics"] == {"in_d": {"per": "company", "values": {"company": 0}}}


def test_diff_and_show_name_the_new_sections() -> None:
    from rulekit.analysis import diff, show

    old = _policy(OVERLAY)
    new = _policy(
        OVERLAY.replace("limit: 2", "limit: 3") + STREAK.split("extends: 4321-dcbao@1")[1]
    )
    lines = [d.describe() for d in diff.diff(old, new)]
    assert "quotas.owned.limit 2 → 3" in lines
    assert "rules.low-d added" in lines
    assert any(line.startswith("metrics added: {in_d: {share:") for line in lines)
    text = show.to_yaml(new)
    assert "low-d:" in text and "metric: in_d" in text


def test_the_html_report_lists_the_metrics() -> None:
    from rulekit.analysis.dryrun import dry_run
    from rulekit.report.html import render_html
    from rulekit.tables import read_table
    from tests.conftest import EXAMPLES

    folder = EXAMPLES / "pool-rules" / "streak-health-alert"
    policy = rulekit.load(str(folder / "policy.yaml"))
    run = dry_run(
        policy, policy, read_table(str(folder / "history.csv")), datetime(2026, 6, 4, tzinfo=SH)
    )
    page = render_html(run)
    assert 'id="table-metrics"' in page
    assert "<td>followed_up</td><td>wang</td><td>0.5</td><td>0.5</td>" in page


ROUTES = """
rulekit: 1
id: t
version: 1.0.0
extends: 4321-dcbao@1
rules:
  route:
    when: "event.type == 'archive' and state == L"
    do:
      routes:
        - {when: "region == 'north'", assign: "team:north"}
        - {assign: "team:east", strategy: round_robin, weight: capacity}
"""
PEOPLE = [
    {"id": "wang", "team": "east", "role": "rep", "capacity": "2"},
    {"id": "li", "team": "east", "role": "rep", "capacity": "1"},
    {"id": "zhao", "team": "north", "role": "rep", "capacity": ""},
    {"id": "admin", "team": "", "role": "admin", "capacity": ""},
]


def test_weighted_round_robin_and_first_matching_route() -> None:
    text = ROUTES.replace(
        "extends: 4321-dcbao@1", "extends: 4321-dcbao@1\nfields: {region: string}"
    )
    rows = [
        {"at": f"2026-01-01 09:{i:02d}", "customer": f"C{i}", "type": "archive", "actor": "admin",
         "region": "north" if i == 3 else "east"}
        for i in range(7)
    ]  # fmt: skip
    doc = rulekit.replay(_policy(text), rows, as_of="2026-01-02", people=PEOPLE).document()
    owners = [c["owner"] for c in doc["customers"]]
    # east leads (all but C3) go 2:1 to wang and li, smoothly; C3 takes the first route
    assert owners == ["wang", "li", "wang", "zhao", "wang", "li", "wang"]


def test_routing_passes_over_a_rep_a_named_quota_refuses() -> None:
    text = ROUTES.replace(
        "extends: 4321-dcbao@1", "extends: 4321-dcbao@1\nfields: {region: string}"
    )
    text += """quotas:
  leads: {holds_slot: "state in [new, D, C, B, A]", by_rep: {wang: 1}}
"""
    rows = [
        {"at": f"2026-01-01 09:{i:02d}", "customer": f"C{i}", "type": "archive", "actor": "admin",
         "region": "east"}
        for i in range(4)
    ]  # fmt: skip
    doc = rulekit.replay(_policy(text), rows, as_of="2026-01-02", people=PEOPLE).document()
    owners = [c["owner"] for c in doc["customers"]]
    assert owners == ["wang", "li", "li", "li"]  # wang's turns go to li once his quota is full
    assert {r["rep"]: r["quotas"]["leads"] for r in doc["reps"]}["wang"] == {"used": 1, "limit": 1}
