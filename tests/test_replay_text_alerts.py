"""A replay's text report counts its alerts with polars (engine/columnar/world_alerts.py):
the same alerts, in the same order, as the row engine evaluating every customer one by one,
and the same report; where polars cannot follow a rule or a value, the row engine counts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from rulekit import api
from rulekit.cli.main import cli
from rulekit.engine.columnar.alerts import NotColumnar
from rulekit.engine.columnar.world_alerts import WorldAlerts
from rulekit.engine.core.alerts import Stubs, firing
from rulekit.engine.result.result import Result
from rulekit.report.text import Focus, render
from tests.conftest import EXAMPLES, generated_history, overlay

AS_OF = "2026-12-31"
REGIONS = ("华东", "华北", "华南")

#: rules reading what the frame holds: states, stages and their targets and dates, pending
#: claims, owners, text and number fields (with and without defaults), parameters, nulls
RULES = """
    params:
      quiet_days: 20
    rules:
      stale:
        when: "stage in [C, B] and days_in_state > params.quiet_days"
        alert: critical
        message: "{customer} quiet at {stage}"
      east:
        when: "region == '华东' and (owner == null or next_stage.target.days < days_in_stage)"
        alert: info
        message: "{customer} in the east"
      claims:
        when: "pending or (pending_owner != null and state == L)"
        alert: warning
        message: "{customer} claimed by {pending_owner}"
      counted:
        when: "lapses >= 0 and budget == null and contains(owner, '1') and stages.D.at != null"
        alert: info
        message: "{customer}"
      since:
        when: "stage_since < 2026-06-01 and last_activity_at == null and industry != '能源'"
        alert: warning
        message: "{customer} since {stage_since}"
"""
#: rules the polars backend does not compile: the row engine counts them
NOT_COLUMNAR = [
    """
    rules:
      crowded:
        when: "state == C and open_leads(owner) > 2"
        alert: critical
        message: "{customer} of {owner}"
    """,
    """
    rules:
      held:
        when: "state in [D, C] and days_since(owned_since) > 90"
        alert: warning
        message: "{customer}"
    """,
]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated history whose rows carry `region` and `industry` (some blank)."""
    path = generated_history(
        tmp_path_factory.mktemp("history") / "h.csv", 6000, 1500, reps=40, seed=5
    )
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    at = rows[0].index("customer")
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([*rows[0], "region", "industry"])
        for row in rows[1:]:
            n = int(row[at].lstrip("C") or 0)
            out.writerow([*row, REGIONS[n % 3] if n % 7 else "", "能源" if n % 5 == 0 else "制造"])
    return path


def row_by_row(result: Result) -> Stubs:
    """The alerts as the row engine counts them, every customer one by one."""
    world = result.world
    assert world is not None
    found = firing(world.program, world.program.rules, world.customers, result.as_of)
    return found.extend(result._streak_alerts())


def text(result: Result, focus: Focus) -> str:
    out = io.StringIO()
    render(result, Console(file=out, width=120, force_terminal=False), focus)
    return out.getvalue()


def replay(policy: str | Path, history: Path, as_of: str = AS_OF, **kw: str) -> Result:
    result = api.replay(str(policy), str(history), as_of=as_of, **kw)  # type: ignore[arg-type]
    assert isinstance(result.alert_source, WorldAlerts)
    return result


def check(result: Result, columnar: bool) -> int:
    """The alerts and the report agree with the row engine's; how many alerts."""
    stubs = result.alert_stubs()
    assert isinstance(result.alert_source, WorldAlerts)
    assert result.alert_source.columnar is columnar
    assert stubs == row_by_row(result)
    for focus in (Focus(), Focus(reps=("rep007", "rep011"), first=3), Focus(states=("C",))):
        fast = text(result, focus)
        result.alert_source = None  # today's path: the row engine, customer by customer
        assert fast == text(result, focus)
        result.alert_source = WorldAlerts(result.world, result.states, result.as_of)  # type: ignore[arg-type]
    return len(stubs)


def many_rules(folder: Path) -> Path:
    """The overlay of RULES written in `folder`: rules that read fields, stages and claims."""
    policy = folder / "many.yaml"
    policy.write_text(overlay(RULES, id="many"), encoding="utf-8")
    return policy


@pytest.mark.parametrize("as_of", ["2026-06-30", AS_OF, "2027-09-30"])
def test_default_policy_alerts_are_the_row_engines(history: Path, as_of: str) -> None:
    assert check(replay("4321-dcbao@1", history, as_of), columnar=True)


def test_rules_reading_fields_stages_and_claims_are_the_row_engines(
    history: Path, tmp_path: Path
) -> None:
    policy = many_rules(tmp_path)
    result = replay(policy, history)
    assert check(result, columnar=True)
    fired = set(result.alert_stubs().rule)
    assert {"overdue", "stale", "east", "since", "counted"} <= fired


@pytest.mark.parametrize(
    ("example", "history_file", "as_of"),
    [
        ("acme-valves", "history.xlsx", "2027-01-01"),
        ("wps-export", "history.csv", "2027-01-01"),
        ("jinghua-env", "history.csv", "2028-01-01"),
        ("lanxin-saas", "history.csv", "2026-06-30"),
        ("pool-rules/round-robin-routing", "history.csv", "2027-01-01"),
        ("pool-rules/streak-health-alert", "history.csv", "2027-01-01"),
    ],
)
def test_examples_alerts_are_the_row_engines(example: str, history_file: str, as_of: str) -> None:
    folder = EXAMPLES / example
    people = folder / "people.csv"
    kw = {"people": str(people)} if people.exists() else {}
    result = replay(folder / "policy.yaml", folder / history_file, as_of, **kw)
    assert check(result, columnar=True)


@pytest.mark.parametrize("body", NOT_COLUMNAR)
def test_rules_polars_cannot_compile_are_counted_by_the_row_engine(
    history: Path, tmp_path: Path, body: str
) -> None:
    policy = tmp_path / "other.yaml"
    policy.write_text(overlay(body, id="other"), encoding="utf-8")
    assert check(replay(policy, history), columnar=False)


def test_values_a_column_cannot_hold_are_counted_by_the_row_engine(
    history: Path, tmp_path: Path
) -> None:
    policy = many_rules(tmp_path)
    result = replay(policy, history)
    assert result.world is not None
    first = min(result.world.customers)
    result.world.customers[first].fields["region"] = 7  # shared with the result's states
    assert check(result, columnar=False)


def test_replay_text_is_the_same_on_either_path(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = many_rules(tmp_path)
    args = ["replay", str(policy), str(history), "--as-of", AS_OF]
    runs = [[*args, "--lang", "en"], [*args, "--lang", "zh", "--rep", "rep007"]]

    def invoke(cmd: list[str]) -> str:
        result = CliRunner().invoke(cli, cmd, env={"COLUMNS": "120"})
        assert result.exit_code == 0, result.output
        return result.stdout

    fast = [invoke(cmd) for cmd in runs]

    def refuse(self: WorldAlerts) -> Stubs:
        raise NotColumnar("refused for the test")

    monkeypatch.setattr(WorldAlerts, "_counted", refuse)
    assert [invoke(cmd) for cmd in runs] == fast
    assert "stale" in fast[0]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/Sao_Paulo"])
def test_instants_are_their_utc_time_in_any_zone(zone: str) -> None:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from rulekit.engine.columnar.world_alerts import _instants

    tz = ZoneInfo(zone)
    start = datetime(2024, 3, 20, 1, 30, tzinfo=tz)
    same = [start + timedelta(hours=7 * i, microseconds=i) for i in range(400)]  # over a DST change
    fold = datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=tz)
    other = [datetime(2026, 1, 1, 9, tzinfo=UTC), None, datetime(2026, 1, 1, tzinfo=tz)]
    for values in (same, same[:5], [*same, fold, None], other, [None, None], []):
        expected = [None if v is None else v.astimezone(UTC).replace(tzinfo=None) for v in values]
        assert _instants("x", values, tz).to_list() == expected
    with pytest.raises(TypeError):
        _instants("x", [datetime(2026, 1, 1)], tz)  # a naive instant: the row engine decides
