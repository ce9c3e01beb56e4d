"""Capability profiles against hand-computed figures: counts, conversion, days, the weakest
stage, teams, cycle boundaries in the policy's timezone, overlays, snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import rulekit
from rulekit import api
from rulekit.profile import engine_link
from rulekit.profile.build import ProfileError
from rulekit.profile.cycles import cycles
from rulekit.profile.model import Profile, ProfileReport
from rulekit.timeutil import Duration
from tests.conftest import EXAMPLES, overlay

SHANGHAI = ZoneInfo("Asia/Shanghai")


def ev(at: str, customer: str, type: str, actor: str, stage: str = "") -> dict[str, Any]:
    return {"at": at, "customer": customer, "type": type, "actor": actor, "stage": stage}


#: r1: c1 D after 1 day, C after 10, B after 10.5; c2 D after 3 days, C after 20.
#: r2: c3 D after 0.5 day, then a refused B (stage_skipped) that must not count.
HISTORY = [
    ev("2026-01-01T09:00", "c1", "archive", "r1"),
    ev("2026-01-01T10:00", "c2", "archive", "r1"),
    ev("2026-01-01T12:00", "c3", "archive", "r2"),
    ev("2026-01-01T23:59", "c3", "promote", "r2", "D"),
    ev("2026-01-02T09:00", "c1", "promote", "r1", "D"),
    ev("2026-01-04T10:00", "c2", "promote", "r1", "D"),
    ev("2026-01-05T10:00", "c3", "promote", "r2", "B"),
    ev("2026-01-12T09:00", "c1", "promote", "r1", "C"),
    ev("2026-01-22T21:00", "c1", "promote", "r1", "B"),
    ev("2026-01-24T10:00", "c2", "promote", "r1", "C"),
]
PEOPLE = [
    {"id": "r1", "name": "王磊", "team": "East", "role": "rep"},
    {"id": "r2", "name": "李娜", "team": "East", "role": "rep"},
    {"id": "r3", "name": "张伟", "team": "North", "role": "rep"},
    {"id": "boss", "name": "", "team": "", "role": "admin"},
]


def counts(p: Profile) -> dict[str, int]:
    return {f.stage: f.count for f in p.stages}


@pytest.fixture(scope="module")
def report() -> ProfileReport:
    return api.profile("4321-dcbao@1", HISTORY, as_of="2026-02-01", people=PEOPLE, lang="en")


def rep(report: ProfileReport, rid: str, cycle: int = 0) -> Profile:
    return next(p for p in report.cycles[cycle].reps if p.id == rid)


def test_counts_per_rep_and_stage(report: ProfileReport) -> None:
    assert counts(rep(report, "r1")) == {"D": 2, "C": 2, "B": 1, "A": 0, "O": 0}
    assert counts(rep(report, "r2")) == {"D": 1, "C": 0, "B": 0, "A": 0, "O": 0}
    assert counts(rep(report, "r3")) == {"D": 0, "C": 0, "B": 0, "A": 0, "O": 0}
    assert [p.id for p in report.current.reps] == ["r1", "r2", "r3"]  # the people file's reps


def test_targets_attainment_conversion_reach(report: ProfileReport) -> None:
    r1 = rep(report, "r1")
    d, c, b = r1.figure("D"), r1.figure("C"), r1.figure("B")
    assert (d.target, c.target, b.target) == (50, 19, 14)
    assert d.attainment == pytest.approx(2 / 50)
    assert c.attainment == pytest.approx(2 / 19)
    assert d.conversion is None and c.conversion == pytest.approx(1.0)
    assert b.conversion == pytest.approx(0.5)
    assert c.conversion_target == pytest.approx(0.38 / 1.0)
    assert b.conversion_target == pytest.approx(0.28 / 0.38)
    assert b.reach == pytest.approx(0.5) and b.reach_target == pytest.approx(0.28)
    assert r1.figure("A").conversion == 0.0 and r1.figure("O").conversion is None  # 0/0


def test_median_days_between_promotions(report: ProfileReport) -> None:
    r1 = rep(report, "r1")
    # D: from archive (entering `new`): 1 day (c1) and 3 days (c2) -> median 2
    assert r1.figure("D").median_days == pytest.approx(2.0)
    assert r1.figure("C").median_days == pytest.approx(15.0)  # 10 and 20
    assert r1.figure("B").median_days == pytest.approx(10.5)
    assert r1.figure("B").days_known == 1 and r1.figure("A").median_days is None
    assert r1.figure("C").days_target == 39
    r2 = rep(report, "r2")
    assert r2.figure("D").median_days == pytest.approx((23 * 60 + 59 - 12 * 60) / 1440)


def test_weakest_stage_is_the_furthest_below_target_earlier_on_a_tie(
    report: ProfileReport,
) -> None:
    assert rep(report, "r1").weakest == "A"  # A and O both 0%: A comes first on the path
    assert rep(report, "r2").weakest == "C"  # C, B, A, O all 0%
    assert report.stage("A").capability == "需求对策"
    assert report.stage("A").capability_title == "Need response"


def test_teams_sum_their_reps_and_scale_the_targets(report: ProfileReport) -> None:
    east, north = report.current.teams
    assert (east.id, east.reps, north.id, north.reps) == ("East", 2, "North", 1)
    assert counts(east) == {"D": 3, "C": 2, "B": 1, "A": 0, "O": 0}
    assert east.figure("D").target == 100 and east.figure("C").target == 38
    assert east.figure("D").median_days == pytest.approx(sorted([1, 3, 0.49930555])[1], abs=1e-6)
    assert counts(report.current.total) == {"D": 3, "C": 2, "B": 1, "A": 0, "O": 0}
    assert report.current.total.reps == 3 and report.current.total.figure("O").target == 9
    assert report.current.promotions == 6


def test_a_rep_at_or_above_every_target_has_no_weakest() -> None:
    history = []
    for i in range(3):
        cid = f"c{i}"
        history.append(ev("2026-01-01", cid, "archive", "r1"))
        for k, stage in enumerate("DCBAO"):
            history.append(ev(f"2026-01-{2 + k:02d}", cid, "promote", "r1", stage))
    text = overlay(
        """
        stages:
          D: {target: {count: 3}}
          C: {target: {count: 3}}
          B: {target: {count: 2}}
          A: {target: {count: 1}}
          O: {target: {count: 3}}
        """
    )
    policy = _compiled(text)
    report = api.profile(policy, history, as_of="2026-02-01")
    assert rep(report, "r1").weakest is None
    assert counts(rep(report, "r1")) == {"D": 3, "C": 3, "B": 3, "A": 3, "O": 3}


def _compiled(text: str) -> Any:
    from rulekit.compiler import compile_text

    compiled, diags = compile_text(text, "overlay.yaml")
    assert compiled is not None, diags
    return compiled


# -- cycles --------------------------------------------------------------------------------


def test_cycle_boundaries_in_the_policys_timezone() -> None:
    """A 10-day cycle ending at 2026-03-11 00:00 Shanghai: (03-01 00:00, 03-11 00:00]."""
    policy = _compiled(overlay("cycle: 10d\n"))
    history = [
        ev("2026-02-20T09:00", "a", "archive", "r1"),
        ev("2026-02-20T09:00", "b", "archive", "r1"),
        ev("2026-02-20T09:00", "c", "archive", "r1"),
        ev("2026-02-20T09:00", "d", "archive", "r1"),
        # 16:00Z is 00:00 in Shanghai: exactly the boundary -> the earlier cycle
        ev("2026-02-28T16:00:00Z", "a", "promote", "r1", "D"),
        # 23:30 without an offset is Shanghai time, before the boundary -> earlier cycle
        ev("2026-02-28T23:30", "b", "promote", "r1", "D"),
        # 16:30Z is 00:30 in Shanghai: after the boundary (in UTC it would be Feb 28)
        ev("2026-02-28T16:30:00Z", "c", "promote", "r1", "D"),
        # exactly at as-of: replay applies it, cycle 0 holds it
        ev("2026-03-11T00:00", "d", "promote", "r1", "D"),
        # after as-of: ignored
        ev("2026-03-11T00:00:01", "a", "promote", "r1", "C"),
    ]
    report = api.profile(policy, history, as_of="2026-03-11", cycles=1)
    c0, c1 = report.cycles
    assert c0.cycle.start == datetime(2026, 3, 1, tzinfo=SHANGHAI)
    assert c0.cycle.end == datetime(2026, 3, 11, tzinfo=SHANGHAI)
    assert c1.cycle.start == datetime(2026, 2, 19, tzinfo=SHANGHAI)
    assert c1.cycle.end == c0.cycle.start
    assert counts(rep(report, "r1", 0))["D"] == 2  # c (00:30) and d (at as-of)
    assert counts(rep(report, "r1", 1))["D"] == 2  # a (on the boundary) and b
    assert counts(rep(report, "r1", 0))["C"] == 0
    assert report.iso(c0.cycle.start) == "2026-03-01T00:00:00+08:00"


def test_month_cycles_clamp_and_do_not_drift() -> None:
    found = cycles(datetime(2026, 3, 31, tzinfo=SHANGHAI), Duration(months=1), 2, SHANGHAI)
    assert [(c.start.date().isoformat(), c.end.date().isoformat()) for c in found] == [
        ("2026-02-28", "2026-03-31"),
        ("2026-01-31", "2026-02-28"),
        ("2025-12-31", "2026-01-31"),
    ]
    assert all(c.start.hour == 0 and c.start.utcoffset() == timedelta(hours=8) for c in found)


def test_day_cycles_are_calendar_days_across_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    end = datetime(2026, 4, 1, tzinfo=berlin)  # CEST; 2026-03-29 moved the clocks forward
    (c,) = cycles(end, Duration.of_days(10), 0, berlin)
    assert c.start == datetime(2026, 3, 22, tzinfo=berlin)  # local midnight, CET
    assert c.end.astimezone(UTC) - c.start.astimezone(UTC) == timedelta(days=10, hours=-1)
    inside = datetime(2026, 3, 21, 23, 30, tzinfo=UTC)  # 00:30 CET on the 22nd
    assert c.holds(inside) and not c.holds(c.start) and c.holds(c.end)


# -- everything from the policy -------------------------------------------------------------


def test_an_overlay_changing_targets_and_cycle_gets_its_own_profile() -> None:
    text = overlay(
        """
        cycle: 50d
        stages:
          C: {target: {count: 10, reach: 20%}, capability: 互动, capability_title: Rapport}
        """
    )
    report = api.profile(_compiled(text), HISTORY, as_of="2026-02-01")
    assert str(report.length) == "50d"
    assert report.current.cycle.start == datetime(2025, 12, 13, tzinfo=SHANGHAI)
    c = rep(report, "r1").figure("C")
    assert c.target == 10 and c.attainment == pytest.approx(0.2)
    assert c.conversion_target == pytest.approx(0.2)
    assert report.stage("C").capability_label("en") == "Rapport"
    assert report.stage("C").capability_label("zh") == "互动"


def test_an_unknown_rep_is_a_usage_error_with_a_hint() -> None:
    with pytest.raises(ProfileError) as caught:
        api.profile("4321-dcbao@1", HISTORY, as_of="2026-02-01", rep="r11")
    assert "r11" in caught.value.message and caught.value.hint


def test_rep_keeps_one_rep_and_its_team() -> None:
    report = api.profile("4321-dcbao@1", HISTORY, as_of="2026-02-01", people=PEOPLE, rep="r2")
    assert [p.id for p in report.current.reps] == ["r2"]
    assert [t.id for t in report.current.teams] == ["East"]


def test_the_library_call_is_rulekit_profile() -> None:
    report = rulekit.profile("4321-dcbao@1", HISTORY, as_of="2026-02-01")
    assert counts(rep(report, "r1"))["D"] == 2


# -- snapshots ------------------------------------------------------------------------------

RECORDS = """customer,owner,state,D,C,B,A,O,D_at,C_at,B_at,A_at,O_at,state_since
k1,r1,B,1,1,1,0,0,2026-01-02,2026-01-12,2026-01-22T12:00,,,2026-01-22T12:00
k2,r1,C,1,1,0,0,0,2025-09-01,2026-01-05,,,,2026-01-05
k3,r2,OD,1,1,1,1,1,2026-01-01,2026-01-02,2026-01-03,2026-01-04,2026-01-30,2026-01-30
k4,,L,1,0,0,0,0,2026-01-10,,,,,2026-01-20
k5,r2,D,1,0,0,0,0,2026-02-05,,,,,2026-02-05
"""


def test_a_snapshot_counts_its_promotion_dates(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    path.write_text(RECORDS, encoding="utf-8")
    report = api.profile("4321-dcbao@1", str(path), as_of="2026-02-01")
    assert report.mode == "run"
    # k2's D is before the cycle (2025-10-24 < t): not counted; k5's is after as-of
    assert counts(rep(report, "r1")) == {"D": 1, "C": 2, "B": 1, "A": 0, "O": 0}
    assert counts(rep(report, "r2")) == {"D": 1, "C": 1, "B": 1, "A": 1, "O": 1}
    assert report.current.unattributed == {"D": 1}  # k4 is public: no owner
    assert report.current.promotions == 10
    r1 = rep(report, "r1")
    assert r1.figure("C").median_days == pytest.approx(((10) + (126)) / 2)  # k1 10d, k2 126d
    assert r1.figure("B").median_days == pytest.approx(10.5)
    assert r1.figure("D").days_known == 0  # a snapshot does not know when D's wait began


def test_input_kind_is_sniffed_or_told(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    path.write_text(RECORDS, encoding="utf-8")
    with pytest.raises(engine_link.InputError) as wrong:  # a snapshot read as a history
        api.profile("4321-dcbao@1", str(path), as_of="2026-02-01", kind="history")
    assert "the column `at` is missing" in str(wrong.value)
    people = tmp_path / "people.csv"
    people.write_text("id,name,team,role\nr1,a,b,rep\n", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        api.profile("4321-dcbao@1", str(people), as_of="2026-02-01")
    assert "history" in (caught.value.hint or "")


THREE_STAGES = """
rulekit: 1
id: three
version: 1.0.0
timezone: Europe/Berlin
events:
  archive: {}
  promote: {promotes: true}
stages:
  L1: {name: 初访, title: First call, capability: 开发, capability_title: Prospecting,
       target: {count: 4, reach: 100%, days: 0}}
  L2: {name: 演示, title: Demo, target: {count: 2, reach: 50%, days: 7}}
  L3: {name: 成交, title: Won, capability: 成交, target: {count: 1, reach: 25%, days: 14}}
cycle: 2w
states:
  open: {}
  s1: {}
  s2: {}
  won: {terminal: true}
transitions:
  archive: {from: start, on: archive, to: open, by: rep, set: {owner: actor}}
  first: {from: open, on: promote L1, to: s1, by: owner}
  demo: {from: s1, on: promote L2, to: s2, by: owner}
  win: {from: s2, on: promote L3, to: won, by: owner}
"""


def test_a_policy_of_its_own_stages_cycle_and_zone() -> None:
    """No DCBAO at all: three stages, a two-week cycle, Berlin time."""
    policy = _compiled(THREE_STAGES)
    history = [
        ev("2026-03-01T10:00", "x", "archive", "ana"),
        ev("2026-03-01T10:00", "y", "archive", "ana"),
        ev("2026-03-02T10:00", "x", "promote", "ana", "L1"),
        ev("2026-03-03T10:00", "y", "promote", "ana", "L1"),
        ev("2026-03-09T10:00", "x", "promote", "ana", "L2"),
        ev("2026-03-20T10:00", "x", "promote", "ana", "L3"),
    ]
    report = api.profile(policy, history, as_of="2026-03-29T12:00", cycles=1)
    assert [s.code for s in report.stages] == ["L1", "L2", "L3"]
    berlin = ZoneInfo("Europe/Berlin")
    c0, c1 = report.cycles
    assert c0.cycle.start == datetime(2026, 3, 15, 12, tzinfo=berlin)  # same wall-clock time
    ana0, ana1 = rep(report, "ana", 0), rep(report, "ana", 1)
    assert counts(ana0) == {"L1": 0, "L2": 0, "L3": 1}
    assert counts(ana1) == {"L1": 2, "L2": 1, "L3": 0}
    assert ana1.figure("L2").conversion == pytest.approx(0.5)
    assert ana1.figure("L2").conversion_target == pytest.approx(0.5)
    assert ana1.figure("L2").median_days == pytest.approx(7.0)
    assert ana0.figure("L3").median_days == pytest.approx(11.0)
    assert ana1.weakest == "L3" and ana1.figure("L1").attainment == pytest.approx(0.5)
    assert ana0.weakest == "L1"  # L1 and L2 at 0%: the earlier
    assert report.stage("L1").capability_label("en") == "Prospecting"
    assert report.stage("L2").capability_label("en") is None  # no capability named
    assert report.stage("L3").capability_label("en") == "成交"  # only the Chinese name


def test_a_policy_without_stages_has_no_profile() -> None:
    text = THREE_STAGES.split("stages:")[0] + "states:" + THREE_STAGES.split("states:")[1]
    text = text.replace("on: promote L1", "on: archive").replace("on: promote L2", "on: archive")
    text = text.replace("on: promote L3", "on: archive").replace("promote: {promotes: true}", "")
    policy = _compiled(text.replace("cycle: 2w\n", ""))
    with pytest.raises(ProfileError) as caught:
        api.profile(policy, HISTORY[:1], as_of="2026-02-01")
    assert caught.value.invalid and "stages" in caught.value.message


@pytest.mark.parametrize("client", ["acme-valves", "jinghua-env", "lanxin-saas"])
def test_dry_runs_read_back_promotions_equal_the_recorded_ones(client: str) -> None:
    """On the example clients (rules, stage locks, routing, claims without approval)."""
    from rulekit.profile import engine_link
    from rulekit.tables import read_table

    folder = EXAMPLES / client
    policy = api.load(str(folder / "policy.yaml"))
    history = next(p for p in (folder / "history.csv", folder / "history.xlsx") if p.exists())
    program = engine_link.build_program(policy)
    as_of = api._instant("2027-01-01", policy)
    log = engine_link.read_log(read_table(str(history)), program, as_of)
    people = engine_link.read_people(read_table(str(folder / "people.csv")))
    result, recorded = engine_link.replay_log_recording(program, people, log, "h", as_of)
    read_back = engine_link.promotions_of_log(program, log, result)
    assert read_back is not None and len(read_back) > 1000
    assert [(p.rep, p.customer, p.stage, p.at) for p in read_back] == [
        (p.rep, p.customer, p.stage, p.at) for p in recorded
    ]
    assert [p.since for p in read_back if p.stage != "D"] == [
        p.since for p in recorded if p.stage != "D"
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_promotions_read_back_from_a_log_of_columns(tmp_path: Path, seed: int) -> None:
    """A CSV history read column-wise (no Event per row) gives the promotions recorded by
    the replay, refused promotions left out: as the same history read row by row."""
    from rulekit.engine import runner
    from rulekit.engine.core.people import People
    from rulekit.tables import read_table
    from rulekit.tables.fastcsv import read_table_fast
    from tests.conftest import generated_history

    path = generated_history(tmp_path / "history.csv", 3000, 400, reps=8, seed=seed)
    program = engine_link.build_program(api.load("4321-dcbao@1"))
    as_of = api._instant("2026-06-30", program.policy)
    log = engine_link.read_log(read_table(str(path)), program, as_of)
    _, recorded = engine_link.replay_log_recording(program, People(), log, "h", as_of)
    log = engine_link.read_log(read_table_fast(str(path)), program, as_of)
    result = runner.replay_log(program, People(), log, str(path), as_of)
    assert log.columns is not None  # read and replayed column-wise: no Event made
    assert {r.type for r in result.rejected} & program.promotes  # refused promotions too
    read_back = engine_link.promotions_of_log(program, log, result)
    assert read_back is not None and len(read_back) > 100
    assert read_back == [
        engine_link.Promotion(p.rep, p.customer, p.stage, p.at, p.since if p.stage != "D" else None)
        for p in recorded
    ]


def test_a_promotion_awaiting_approval_counts_when_granted() -> None:
    """With `sign: {approval: admin}` the O flag is set at the grant, dated at the grant."""
    policy = _compiled(overlay("transitions:\n  sign: {approval: admin}\n"))
    history = [ev("2026-01-01", "c1", "archive", "r1")]
    for k, stage in enumerate("DCBAO"):
        history.append(ev(f"2026-01-{2 + k:02d}", "c1", "promote", "r1", stage))
    history.append(ev("2026-01-20T15:00", "c1", "approve", "admin"))
    report = api.profile(policy, history, as_of="2026-02-01")
    r1 = rep(report, "r1")
    assert counts(r1) == {"D": 1, "C": 1, "B": 1, "A": 1, "O": 1}
    assert r1.figure("O").median_days == pytest.approx(15 + 15 / 24)  # A on the 5th, grant 20th
    waiting = api.profile(policy, history[:-1], as_of="2026-02-01")
    assert counts(rep(waiting, "r1"))["O"] == 0
