"""The history simulator: deterministic, policy-driven, every event type and refusal reason."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

import rulekit
from rulekit.cli.main import cli
from rulekit.compiler import CompiledPolicy
from rulekit.engine.replay.world import REASONS
from rulekit.simulate.simulator import simulate
from rulekit.simulate.world import CORE, Simulation
from rulekit.tables import read_table

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POLICY = ROOT / "policy" / "4321-dcbao.yaml"
ACME = ROOT / "examples" / "acme-valves"
START = datetime(2026, 1, 1)


@cache
def policy(path: Path = DEFAULT_POLICY) -> CompiledPolicy:
    return rulekit.load(path)


@cache
def year(seed: int = 0) -> Simulation:
    """A default-sized year (2,000 customers, 20 reps) under the default policy."""
    return simulate(policy(), start=START, seed=seed)


def test_same_seed_same_rows_and_people() -> None:
    a = simulate(policy(), reps=6, customers=300, start=START, days=120, seed=7)
    b = simulate(policy(), reps=6, customers=300, start=START, days=120, seed=7)
    assert a.rows == b.rows
    assert a.people == b.people


def test_different_seed_different_rows() -> None:
    a = simulate(policy(), reps=6, customers=300, start=START, days=120, seed=1)
    b = simulate(policy(), reps=6, customers=300, start=START, days=120, seed=2)
    assert a.rows != b.rows


def test_rows_have_the_contract_columns_in_time_order() -> None:
    sim = year()
    assert sim.columns[: len(CORE)] == list(CORE)
    ats = [row["at"] for row in sim.rows]
    assert ats == sorted(ats)
    assert all(len(at) == 16 and at[10] == " " for at in ats)  # 2026-03-01 09:30
    assert ats[0] >= "2026-01-01" and ats[-1] < "2027-01-01"
    assert sim.customers == 2000
    assert len({row["actor"] for row in sim.rows if row["actor"].startswith("rep")}) == 20


def test_people_are_reps_in_teams_and_the_admins() -> None:
    sim = year()
    reps = [p for p in sim.people if p["role"] == "rep"]
    admins = [p for p in sim.people if p["role"] == "admin"]
    assert len(reps) == 20 and [p["id"] for p in admins] == ["admin"]
    assert 2 <= len({p["team"] for p in reps}) <= 4
    assert len({p["name"] for p in sim.people}) == len(sim.people)
    assert all("\u4e00" <= p["name"][0] <= "\u9fff" for p in sim.people)


def test_every_event_type_occurs() -> None:
    events = set(policy().model.events)
    assert set(year().counts()) == events


def test_every_refusal_reason_occurs() -> None:
    has_lock = any(s.requires is not None for s in policy().model.stages.values())
    wanted = {r for r in REASONS if r != "stage_lock" or has_lock}
    assert set(year().refusals) == wanted


def test_the_funnel_follows_the_policy() -> None:
    promoted = Counter(r["stage"] for r in year().rows if r["type"] == "promote")
    order = [promoted[s] for s in ("D", "C", "B", "A", "O")]
    assert order == sorted(order, reverse=True) and order[-1] > 0
    assert year().counts()["activity"] > len(year().rows) / 3


def test_rows_replay_as_the_generator_saw_them() -> None:
    sim = year()
    result = rulekit.replay(policy(), sim.rows, as_of=sim.end, people=sim.people)
    doc = result.document()
    assert doc["counts"]["events"] == len(sim.rows)
    assert "bad_row" not in {r["reason"] for r in doc["rejected"]}
    assert Counter(r["reason"] for r in doc["rejected"]) == sim.refusals
    refused = sum(sim.refusals.values())
    assert 0.01 < refused / len(sim.rows) < 0.1


def test_acme_overlay_drives_the_quota() -> None:
    acme = policy(ACME / "policy.yaml")
    sim = simulate(acme, reps=8, customers=600, start=START, days=180)
    result = rulekit.replay(acme, sim.rows, as_of=sim.end, people=sim.people)
    reps = result.document()["reps"]
    assert {r["slot_limit"] for r in reps} == {30}
    assert max(r["slots_used"] for r in reps) <= 30
    assert "claim_pending" not in sim.refusals  # claims need no approval there
    assert "区域" in sim.columns


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("h.csv", "utf-8"),
        ("h.csv", "gb18030"),
        ("h.xlsx", "utf-8"),
        ("h.jsonl", "utf-8"),
        ("h.parquet", "utf-8"),
    ],
)
def test_cli_writes_each_format(tmp_path: Path, name: str, encoding: str) -> None:
    out = tmp_path / name
    people = tmp_path / ("people.csv" if encoding == "gb18030" else "people.xlsx")
    args = ["simulate", str(DEFAULT_POLICY), "--reps", "4", "--customers", "150"]
    args += ["--days", "60", "--seed", "3", "--out", str(out), "--people-out", str(people)]
    args += ["--encoding", encoding]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "events for 150 customers" in result.stderr
    table = read_table(str(out))
    assert table.columns[:6] == list(CORE) and len(table.rows) > 150
    if encoding == "gb18030":
        data = out.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        assert "华".encode("gb18030") in data  # the region column holds Chinese text
        data.decode("gb18030")
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert "rep01" in people.read_bytes().decode("gb18030")
    doc = rulekit.replay(policy(), out, as_of="2026-03-02", people=people).document()
    assert doc["counts"]["events"] == len(table.rows)


def test_cli_errors_are_messages(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_ext = runner.invoke(cli, ["simulate", str(DEFAULT_POLICY), "--out", str(tmp_path / "h")])
    assert bad_ext.exit_code == 2 and "Traceback" not in bad_ext.output
    bad_enc = runner.invoke(
        cli,
        ["simulate", str(DEFAULT_POLICY), "--out", str(tmp_path / "h.xlsx")]
        + ["--encoding", "gb18030"],
    )
    assert bad_enc.exit_code == 2 and "csv" in bad_enc.output
    missing = runner.invoke(cli, ["simulate", str(tmp_path / "nope.yaml"), "--out", "x.csv"])
    assert (
        missing.exit_code == 2
        and missing.exception is None
        or isinstance(missing.exception, SystemExit)
    )


def test_shipped_example_replays() -> None:
    acme = policy(ACME / "policy.yaml")
    for name in ("history-gb18030.csv", "history.xlsx"):
        path = ACME / name
        assert path.stat().st_size < 3_000_000
        doc = rulekit.replay(acme, path, as_of="2027-01-01", people=ACME / "people.csv")
        counts = doc.document()["counts"]
        assert counts["events"] >= 10_000 and counts["rejected"] > 0
        assert len(doc.customers) >= 2_000 and len(doc.reps) >= 20  # the minimums
    assert not (ACME / "history-gb18030.csv").read_bytes().startswith(b"\xef\xbb\xbf")


LOCKED = """\
rulekit: 1
id: lockco
version: 1.0.0
extends: 4321-dcbao@1
fields:
  call_recording: {type: bool}
stages:
  C: {requires: "event.call_recording == true"}
events:
  escalate: {title: Escalate}
transitions:
  escalate: {from: [B, A], on: escalate, to: same, by: admin}
"""


def test_stage_locks_and_unknown_events_come_from_the_policy(tmp_path: Path) -> None:
    path = tmp_path / "lockco.yaml"
    path.write_text(LOCKED, encoding="utf-8")
    locked = rulekit.load(path)
    sim = simulate(locked, reps=10, customers=1000, start=START, days=240)
    assert "call_recording" in sim.columns
    assert sim.refusals["stage_lock"] > 0
    assert sim.counts()["escalate"] > 0
    into_c = [r for r in sim.rows if r["type"] == "promote" and r["stage"] == "C"]
    assert any(r["call_recording"] == "1" for r in into_c)
    doc = rulekit.replay(locked, sim.rows, as_of=sim.end, people=sim.people).document()
    assert Counter(r["reason"] for r in doc["rejected"]) == sim.refusals
