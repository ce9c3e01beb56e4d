"""Issue 12: if(), min/max over dates and durations, `params:` shared by conditions and
messages (overlays override them), people attributes, and the memory of previous owners."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import rulekit
from rulekit.api import validate_text
from tests.conftest import overlay
from tests.engine.helpers import customer, events


def codes(text: str) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in validate_text(text) if d.is_error]


def test_if_and_min_max_over_dates_and_durations(write: Callable[..., Path]) -> None:
    policy = write(
        overlay(
            """
            fields: {due_at: datetime}
            transitions:
              activity:
                set:
                  last_activity_at: event.at
                  due_at: "max(event.at, state_since + 3d) + if(stage == null, 1d, 2d)"
            """
        )
    )
    history = "2026-01-01 C1 archive wang\n2026-01-02 C1 activity wang\n2026-01-10 C1 activity wang"
    result = rulekit.replay(policy, events(history), as_of="2026-01-11")
    c1 = next(c for c in result.customers if c.customer == "C1")
    assert result.iso(c1.fields["due_at"]) == "2026-01-11T00:00:00+08:00"  # 01-10 + 1d


@pytest.mark.parametrize(
    ("condition", "code", "fragment"),
    [
        ("if(true, 1, 'x') == 1", "RK211", "arguments 2 and 3 of `if` must be of one kind"),
        ("min(state_since, 3d) == null", "RK211", "arguments 1 and 2 of `min`"),
        ("max(region, 3) == 3", "RK203", "argument 1 of `max`"),
        ("if(1, 2, 3) > 1", "RK203", "argument 1 of `if`"),
        ("days_in_state > params.cooldwn", "RK210", "unknown parameter `cooldwn`"),
    ],
)
def test_expression_diagnostics(condition: str, code: str, fragment: str) -> None:
    found = codes(
        overlay(
            f"""
            params: {{cooldown: 30, window: 30d}}
            rules:
              r: {{when: "{condition}", alert: info, message: "x"}}
            """
        )
    )
    assert [c for c, _ in found] == [code], found
    assert fragment in found[0][1]


def test_unknown_parameter_has_a_did_you_mean() -> None:
    text = overlay(
        """
        params: {cooldown_days: 30}
        rules:
          r: {when: "days_in_state > params.cooldown_dys", alert: info, message: "x"}
        """
    )
    (diag,) = [d for d in validate_text(text) if d.is_error]
    assert diag.code == "RK210" and "cooldown_days" in (diag.hint or "")


def test_a_parameter_must_be_a_plain_value() -> None:
    found = codes(overlay("params: {cooldown: [1, 2]}\n"))
    assert found == [
        ("RK110", "parameter `cooldown` must be a number, a duration, a date, true/false or text")
    ]


def test_params_shared_by_a_condition_and_a_message_and_overridden_by_an_overlay(
    write: Callable[..., Path],
) -> None:
    write(
        overlay(
            """
            params: {recycle_days: 21, remind_before: 3}
            rules:
              overdue: null
              remind:
                when: "state == new and days_in_state >= params.recycle_days - params.remind_before"
                alert: info
                message: "{customer} is recycled in {params.remind_before} days"
            """,
            id="base",
        ),
        "base.yaml",
    )
    policy = write(
        "rulekit: 1\nid: client\nversion: 1.0.0\nextends: base.yaml\nparams: {remind_before: 5}\n"
    )
    history = "2026-01-01 C1 archive wang"
    early = rulekit.replay(policy, events(history), as_of="2026-01-16")
    assert early.alerts == []
    late = rulekit.replay(policy, events(history), as_of="2026-01-17")
    assert [a.message for a in late.alerts] == ["C1 is recycled in 5 days"]


PEOPLE = [
    {"id": "e1", "team": "east", "role": "rep", "region": "华东"},
    {"id": "e2", "team": "east", "role": "rep", "region": "华东"},
    {"id": "w1", "team": "west", "role": "rep", "region": "华西"},
    {"id": "boss", "team": "", "role": "admin"},
]


def test_team_is_admin_and_people_columns_in_conditions(write: Callable[..., Path]) -> None:
    policy = write(
        overlay(
            """
            transitions:
              claim: {approval: null, when: "team(actor) == 'east' or is_admin(actor)"}
              reassign: {when: "person(event.to).region == person(owner).region"}
            """
        )
    )
    history = """
    2026-01-01 C1 archive boss
    2026-01-01 C2 archive e1
    2026-01-02 C1 claim w1
    2026-01-03 C1 claim e2
    2026-01-04 C2 reassign boss w1
    2026-01-05 C2 reassign boss e2
    """
    doc = rulekit.replay(policy, events(history), as_of="2026-01-06", people=PEOPLE).document()
    assert [(r["row"], r["reason"]) for r in doc["rejected"]] == [
        (3, "invalid_transition"),
        (5, "invalid_transition"),
    ]
    assert customer(doc, "C1")["owner"] == "e2"
    assert customer(doc, "C2")["owner"] == "e2"


COOLDOWN = overlay(
    """
    params: {cooldown: 30}
    transitions:
      claim:
        approval: null
        when: "not (days_since(left_at(actor)) < params.cooldown)"
    rules:
      overdue: null
      unsigned:
        when: "state in [new, D, C, B, A] and days_since(owned_since) > 90"
        alert: warning
        message: "{customer}: {owner} has held it since {owned_since} without a signature"
    """
)


def test_previous_owner_cooldown_and_owned_since(write: Callable[..., Path]) -> None:
    policy = write(COOLDOWN)
    history = """
    2026-01-01 C1 archive wang
    2026-01-10 C1 release wang
    2026-01-20 C1 claim wang
    2026-01-21 C1 claim li
    2026-01-22 C1 release li
    2026-02-10 C1 claim wang
    """
    result = rulekit.replay(policy, events(history), as_of="2026-05-12")
    doc = result.document()
    assert [(r["row"], r["reason"]) for r in doc["rejected"]] == [(3, "invalid_transition")]
    assert customer(doc, "C1")["owner"] == "wang"
    assert result.world is not None
    c1 = result.world.customers["C1"]
    assert [rep for rep, _ in c1.past] == ["wang", "li"]
    assert result.iso(c1.owned_since) == "2026-02-10T00:00:00+08:00"
    assert [a.rule for a in result.alerts] == ["unsigned"]  # 91 days since 02-10
    assert rulekit.replay(policy, events(history), as_of="2026-05-10").alerts == []


def test_owned_since_follows_routing(write: Callable[..., Path]) -> None:
    policy = write(
        overlay(
            """
            rules:
              route:
                when: "event.type == 'archive' and is_admin(actor)"
                do: {assign: "team:east"}
            """
        )
    )
    result = rulekit.replay(
        policy, events("2026-01-01T10:00 C1 archive boss"), as_of="2026-01-02", people=PEOPLE
    )
    assert result.world is not None
    c1 = result.world.customers["C1"]
    assert (c1.owner, result.iso(c1.owned_since)) == ("e1", "2026-01-01T10:00:00+08:00")


def test_params_in_the_columnar_engine(write: Callable[..., Path]) -> None:
    policy = write(
        overlay(
            'params: {limit: 1}\nquota: {holds_slot: "state in [new, D] and params.limit > 0"}\n'
        )
    )
    records = [
        {"customer": "C1", "owner": "wang", "state": "new", "state_since": "2026-01-01"},
        {"customer": "C2", "owner": "wang", "state": "D", "D": "1", "state_since": "2026-01-01"},
    ]
    row = rulekit.run(policy, records, as_of="2026-01-07", engine="row").document()
    col = rulekit.run(policy, records, as_of="2026-01-07", engine="columnar").document()
    assert row == col
    assert row["reps"][0]["slots_used"] == 2


def test_policy_tests_compare_owned_since_and_previous_owners(tmp_path: Path) -> None:
    import textwrap

    from click.testing import CliRunner

    from rulekit.cli.main import cli

    (tmp_path / "policy.yaml").write_text(COOLDOWN, encoding="utf-8")
    tests = tmp_path / "tests.yaml"
    tests.write_text(
        textwrap.dedent(
            """
            policy: policy.yaml
            as_of: 2026-03-01
            tests:
              past:
                events: |
                  at,customer,type,actor
                  2026-01-01,C1,archive,wang
                  2026-01-10,C1,release,wang
                  2026-01-11,C1,claim,li
                expect:
                  customers:
                    C1: {owned_since: 2026-01-11, previous_owners: [li]}
            """
        ),
        encoding="utf-8",
    )
    res = CliRunner().invoke(cli, ["test", str(tests)])
    assert res.exit_code == 1, res.stdout
    assert "customer C1: previous_owners expected [li], got [wang]" in res.stdout
    assert "owned_since expected" not in res.stdout
