"""The text report summarises: with many reps, the table shows those that need a look first
and says how many more; the alerts are counted in full but only the first few get their
messages, in the order an export lists them; every number agrees with the full result."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit import api
from rulekit.cli.main import cli
from rulekit.report.alerts import ordered, summary
from tests.conftest import EXAMPLES, generated_history, overlay

AS_OF = "2026-12-31"


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_history(
        tmp_path_factory.mktemp("history") / "h.csv", 6000, 1500, reps=40, seed=5
    )


@pytest.fixture(scope="module")
def snapshot(history: Path) -> Path:
    path = history.parent / "snapshot.csv"
    invoke("replay", "4321-dcbao@1", str(history), "--as-of", AS_OF, "--format", "json",
           "--out", str(path))  # fmt: skip
    return path


def table_rows(text: str) -> list[list[str]]:
    """The cells of the first table's body rows."""
    body = text.split("┡")[1].split("└")[0]
    return [[c.strip() for c in x.split("│")[1:-1]] for x in body.splitlines()[1:]]


def test_replay_table_shows_the_most_refused_reps_and_how_many_more(history: Path) -> None:
    args = ["replay", "4321-dcbao@1", str(history), "--as-of", AS_OF]
    doc = json.loads(invoke(*args, "--format", "json"))
    out = invoke(*args, "--lang", "en")
    refused = Counter(r["actor"] for r in doc["rejected"] if r["actor"] is not None)
    reps = [r["rep"] for r in doc["reps"]]
    assert len(reps) > 25
    rows = table_rows(out)
    assert len(rows) == 20
    expected = sorted(reps, key=lambda r: (-refused[r], r))[:20]
    assert [r[0] for r in rows] == expected
    assert [int(r[-1].replace(",", "") or 0) for r in rows] == [refused[r] for r in expected]
    assert f"the 20 of {len(reps)} reps with the most refused events" in out
    assert "all customers: --out FILE or --format json" in out
    one = invoke(*args, "--lang", "en", "--rep", expected[-1])
    assert [r[0] for r in table_rows(one)] == [expected[-1]] and "most refused" not in one


def test_alert_counts_and_first_alerts_agree_with_the_full_list(history: Path) -> None:
    args = ["replay", "4321-dcbao@1", str(history), "--as-of", AS_OF]
    every = json.loads(invoke(*args, "--format", "json", "--alerts"))["alerts"]
    out = invoke(*args, "--lang", "en")
    rules = Counter(a["rule"] for a in every)
    levels = Counter(a["level"] for a in every)
    assert len(every) > 10
    head = f"alerts {len(every):,}: " + " · ".join(f"{k} {v:,}" for k, v in levels.items())
    assert head in out
    assert "(" + ", ".join(f"{k} {v:,}" for k, v in rules.most_common()) + ")" in out
    shown = [x for x in out.splitlines() if x.startswith("  [")]
    assert len(shown) == 10
    assert f"first 10 of {len(every):,}; all of them:" in out
    messages = {a["message"] for a in every}
    assert all(x.split(": ", 1)[1] in messages for x in shown)


@pytest.mark.parametrize("first", [0, 1, 10, 10_000])
def test_summary_is_the_head_of_the_ordered_alerts(history: Path, first: int) -> None:
    full = ordered(api.replay("4321-dcbao@1", str(history), as_of=AS_OF))
    result = api.replay("4321-dcbao@1", str(history), as_of=AS_OF)
    found = summary(result, lambda _: True, first)
    assert result._alerts is None  # the messages of the others were never rendered
    assert found.first == full[:first]
    assert found.total == len(full)
    assert found.levels == Counter(a.level for a, _ in full)
    assert found.rules == Counter(a.rule for a, _ in full)
    rep = full[-1][1]
    assert rep is not None
    mine = [p for p in full if p[1] == rep]
    found = summary(result, lambda owner: owner == rep, first)
    assert found.first == mine[:first] and found.total == len(mine)


def test_run_pursuit_lists_the_table_reps_with_n_more(snapshot: Path) -> None:
    args = ["run", "4321-dcbao@1", str(snapshot), "--as-of", AS_OF]
    doc = json.loads(invoke(*args, "--format", "json"))
    out = invoke(*args, "--lang", "en")
    overdue = Counter(c["owner"] for c in doc["customers"] if c["owner"] and c["overdue_days"])
    pools = Counter(c["owner"] for c in doc["customers"] if c["priority"] is not None)
    reps = [r["rep"] for r in doc["reps"]]
    expected = sorted(reps, key=lambda r: (-overdue[r], r))[:20]
    assert [r[0] for r in table_rows(out)] == expected
    assert f"the 20 of {len(reps)} reps with the most overdue customers" in out
    body = out.split("pursuit list")[1]
    listed: Counter[str] = Counter()
    more: dict[str, int] = {}
    rep = ""
    for cells in ([c.strip() for c in x.split("│")[1:-1]] for x in body.splitlines()):
        if len(cells) != 6 or cells[0] == "rep":
            continue
        rep = cells[0] or rep
        if cells[1]:
            listed[rep] += 1
        elif cells[2].endswith(" more"):
            more[rep] = int(cells[2].split()[0].replace(",", ""))
    assert list(listed) == [r for r in expected if pools[r]]
    for name in listed:
        assert listed[name] == min(5, pools[name])
        assert listed[name] + more.get(name, 0) == pools[name]


def test_columnar_alerts_are_the_row_engines(snapshot: Path) -> None:
    columnar = api.run("4321-dcbao@1", str(snapshot), as_of=AS_OF, engine="columnar")
    row = api.run("4321-dcbao@1", str(snapshot), as_of=AS_OF, engine="row")
    assert columnar.world is None
    stubs = columnar.alert_stubs()
    found = [stubs.alert(i) for i in range(len(stubs))]
    assert [(a.customer, a.rule, a.level) for a in found] == [
        (a.customer, a.rule, a.level) for a in row.alerts
    ]
    assert columnar.alert_messages(found) == [a.message for a in row.alerts]


WORLD_MESSAGE = """
    rules:
      crowded:
        when: "state == C and days_in_state > 30"
        alert: critical
        message: "{customer}: {open_leads(owner)} open leads of {owner}"
"""
WORLD_WHEN = """
    rules:
      crowded:
        when: "state == C and open_leads(owner) > 2"
        alert: critical
        message: "{customer} of {owner}"
"""


@pytest.mark.parametrize(
    "extra", [[], ["--rep", "rep007", "--limit", "2"], ["--state", "C"], ["--lang", "zh"]]
)
def test_run_text_with_the_columnar_engine_is_the_row_engines(
    snapshot: Path, extra: list[str]
) -> None:
    args = ["run", "4321-dcbao@1", str(snapshot), "--as-of", AS_OF, *extra]
    assert invoke(*args) == invoke(*args, "--engine", "row")


@pytest.mark.parametrize("body", [WORLD_MESSAGE, WORLD_WHEN])
def test_alerts_polars_cannot_follow_fall_back_to_the_row_engine(
    snapshot: Path, tmp_path: Path, body: str
) -> None:
    policy = tmp_path / "crowd.yaml"
    policy.write_text(overlay(body, id="crowd"), encoding="utf-8")
    args = ["run", str(policy), str(snapshot), "--as-of", AS_OF, "--lang", "en"]
    out = invoke(*args)
    assert out == invoke(*args, "--engine", "row")
    assert "[critical]" in out and "crowded" in out
    result = CliRunner().invoke(cli, [*args, "--engine", "columnar"])
    assert "the alerts use the row engine" in result.stderr


def test_acme_run_text_with_the_columnar_engine_is_the_row_engines(tmp_path: Path) -> None:
    acme = EXAMPLES / "acme-valves"
    people = ["--people", str(acme / "people.csv"), "--as-of", "2026-10-01"]
    snap = tmp_path / "snapshot.csv"
    invoke("replay", str(acme / "policy.yaml"), str(acme / "history.xlsx"), *people,
           "--format", "json", "--out", str(snap))  # fmt: skip
    args = ["run", str(acme / "policy.yaml"), str(snap), *people, "--lang", "en"]
    out = invoke(*args)
    assert out == invoke(*args, "--engine", "row")
    assert "[critical]" in out and "梁明 (rep16)" in out
    assert api.run(str(acme / "policy.yaml"), str(snap), as_of="2026-10-01").world is None
