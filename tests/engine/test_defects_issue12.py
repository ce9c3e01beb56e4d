"""Regression tests for the defects of issue 12 (each failed before its fix)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

import rulekit
from rulekit.cli.main import cli
from tests.conftest import overlay
from tests.engine.helpers import customer, events

SIGN_APPROVAL = overlay(
    """
    transitions:
      sign: {approval: admin}
    """
)

RECYCLE_STAMPED = overlay(
    """
    fields:
      released_at: datetime
    transitions:
      release: {set: {owner: "null", released_at: event.at}}
    rules:
      overdue: null
      recycle:
        when: "state in [new, D] and days_since(coalesce(last_activity_at, state_since)) > 21"
        do: release
    """
)

ROUTING = overlay(
    """
    rules:
      route:
        when: "event.type == 'archive' and region == '浙江'"
        do: {assign: "team:A"}
    """
)


def test_sign_with_approval_holds_one_slot_and_sets_o_on_approval(
    write: Callable[..., Path],
) -> None:
    policy = write(SIGN_APPROVAL)
    history = """
    2026-01-01 C1 archive wang
    2026-01-02 C1 promote wang D
    2026-01-03 C1 promote wang C
    2026-01-04 C1 promote wang B
    2026-01-05 C1 promote wang A
    2026-01-06 C1 promote wang O
    """
    pending = rulekit.replay(policy, events(history), as_of="2026-01-07").document()
    assert customer(pending, "C1")["pending_owner"] == "wang"
    assert pending["reps"] == [{"rep": "wang", "slots_used": 1, "slot_limit": 50}]
    people = [{"id": "wang", "role": "rep"}, {"id": "boss", "role": "admin"}]
    granted = rulekit.replay(
        policy, events(history + "2026-01-08 C1 approve boss\n"), as_of="2026-01-09", people=people
    ).document()
    c1 = customer(granted, "C1")
    assert (c1["state"], c1["flags"]["O"], c1["stage"]) == ("OD", 1, "O")
    assert granted["reps"] == [{"rep": "wang", "slots_used": 0, "slot_limit": 50}]


def test_snapshot_pending_sign_of_the_owner_holds_one_slot_in_both_engines(
    write: Callable[..., Path],
) -> None:
    policy = write(SIGN_APPROVAL)
    records = [
        {"customer": "C1", "owner": "wang", "state": "A", "pending_owner": "wang",
         "D": "1", "C": "1", "B": "1", "A": "1", "state_since": "2026-01-05"},
    ]  # fmt: skip
    for engine in ("row", "columnar"):
        doc = rulekit.run(policy, records, as_of="2026-01-07", engine=engine).document()
        assert doc["reps"][0]["slots_used"] == 1, engine


def test_event_at_in_a_set_of_a_rule_action_is_the_sweep_instant(
    write: Callable[..., Path],
) -> None:
    policy = write(RECYCLE_STAMPED)
    result = rulekit.replay(policy, events("2026-01-01T10:00 C1 archive wang"), as_of="2026-02-01")
    c1 = next(c for c in result.customers if c.customer == "C1")
    assert c1.state == "L"
    assert result.iso(c1.fields.get("released_at")) == "2026-01-24T00:00:00+08:00"


def test_fields_in_the_json_document(write: Callable[..., Path], tmp_path: Path) -> None:
    history = tmp_path / "h.csv"
    history.write_text(
        "at,customer,type,actor,region,budget\n"
        "2026-01-01,C1,archive,wang,浙江,50000\n"
        "2026-01-02,C1,activity,wang,,\n",
        encoding="utf-8",
    )
    args = ["replay", "4321-dcbao@1", str(history), "--as-of", "2026-01-03", "--format", "json"]
    plain = json.loads(CliRunner().invoke(cli, args).stdout)
    assert "fields" not in plain["customers"][0]  # the contract's document is unchanged
    doc = json.loads(CliRunner().invoke(cli, [*args, "--fields"]).stdout)
    assert doc["customers"][0]["fields"] == {
        "budget": 50000,
        "last_activity_at": "2026-01-02T00:00:00+08:00",
        "region": "浙江",
    }


def test_explain_shows_the_archive_before_the_routing_it_triggers(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    policy = write(ROUTING)
    people = tmp_path / "people.csv"
    people.write_text("id,team,role\na1,A,rep\nboss,,admin\n")
    history = tmp_path / "h.csv"
    history.write_text("at,customer,type,actor,region\n2026-01-01,L1,archive,boss,浙江\n")
    args = ["explain", str(policy), str(history), "--customer", "L1", "--as-of", "2026-01-02"]
    res = CliRunner().invoke(cli, [*args, "--people", str(people), "--format", "json"])
    steps = json.loads(res.stdout)["steps"]
    assert [(s["kind"], s["state"]) for s in steps] == [("event", "L"), ("rule", "new")]


def test_policy_test_reports_a_mismatch_of_a_customer_moved_by_a_rule(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text(RECYCLE_STAMPED, encoding="utf-8")
    tests = tmp_path / "tests.yaml"
    tests.write_text(
        textwrap.dedent(
            """
            policy: policy.yaml
            as_of: 2026-02-01
            tests:
              recycled:
                events: |
                  at,customer,type,actor
                  2026-01-01,C1,archive,wang
                expect:
                  customers: {C1: {state: new}}
            """
        ),
        encoding="utf-8",
    )
    res = CliRunner().invoke(cli, ["test", str(tests)])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert res.exit_code == 1
    assert "customer C1: state expected new, got L" in res.stdout
    assert "rule recycle → L" in res.stdout


def test_policy_test_alerts_absent(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        overlay(
            """
            rules:
              stalled: {when: "state == A and days_in_stage > 5", alert: critical,
                        message: "{customer} waits"}
            """
        ),
        encoding="utf-8",
    )
    tests = tmp_path / "tests.yaml"
    tests.write_text(
        textwrap.dedent(
            """
            policy: policy.yaml
            as_of: 2026-03-31
            tests:
              quiet:
                records: |
                  customer,owner,state,D,D_at,state_since
                  K2,wang,D,1,2026-03-30,2026-03-30
                expect:
                  alerts_absent: [{customer: K2, rule: stalled}]
              loud:
                records: |
                  customer,owner,state,D,C,B,A,A_at,state_since
                  K1,wang,A,1,1,1,1,2026-01-04,2026-01-04
                expect:
                  alerts_absent: [{rule: stalled}]
            """
        ),
        encoding="utf-8",
    )
    res = CliRunner().invoke(cli, ["test", str(tests)])
    assert res.exit_code == 1, res.stdout
    assert "quiet PASSED" in " ".join(res.stdout.split()).replace("::", " ")
    assert "alerts_absent: expected no alert rule stalled, but raised: stalled (critical)" in (
        res.stdout
    )
