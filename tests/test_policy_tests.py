"""`rulekit test` and `rulekit coverage`: YAML policy tests, failure reports, coverage."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.cli.main import cli

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "policy-tests"
ACME = FIXTURES / "acme" / "tests.yaml"
FAILING = FIXTURES / "failing" / "failing-tests.yaml"
MALFORMED = FIXTURES / "malformed" / "missing-expect-tests.yaml"
ACME_POLICY = HERE.parent / "examples" / "acme-valves" / "policy.yaml"


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def status(out: str, name: str) -> str:
    """The outcome printed for the test `name` (PASSED, FAILED or ERROR)."""
    line = next(line for line in out.splitlines() if line.split(" ")[0].endswith(f"::{name}"))
    return line.split()[-1]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# -- passing and failing ---------------------------------------------------------------------


def test_passing_file() -> None:
    code, out, err = invoke("test", ACME)
    assert code == 0, out + err
    for name in (
        "lapse-after-60-days",
        "claim-needs-no-approval",
        "skipped-stage-is-refused",
        "snapshot-priority",
    ):
        assert f"tests.yaml::{name}" in out
    assert out.count("PASSED") == 4
    assert out.strip().splitlines()[-1] == "4 tests, 4 passed, 0 failed"


def test_folder_is_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES / "acme")
    code, out, _ = invoke("test")
    assert code == 0
    assert status(out, "snapshot-priority") == "PASSED"


def test_failure_names_customer_field_expected_and_got() -> None:
    code, out, _ = invoke("test", FAILING)
    assert code == 1
    assert "failing-tests.yaml::lapse-wrongly-expected" in out
    assert "FAILED" in out and "PASSED" in out
    assert "customer C1: state expected E, got R" in out
    assert "customer C1: lapses expected 1, got 0" in out
    assert "customer C5: owner expected li, got wang" in out
    assert "refused row 7: expected refused (quota_exceeded), but it was not refused" in out
    # the timeline of the customer: timers and the days spent in its state
    timeline = next(line for line in out.splitlines() if "timeline C1:" in line)
    assert "2026-01-01 archive → new, contact → D" in timeline
    assert "2026-01-31 deliver → R" in timeline
    assert timeline.endswith("as-of 2026-03-31 (59 days in R)")
    assert out.strip().splitlines()[-1] == "2 tests, 1 passed, 1 failed"


def test_unexpected_refusal_and_wrong_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path / "tests.yaml",
        """
        policy: 4321-dcbao@1
        as_of: 2026-02-01
        tests:
          refusals:
            events: |
              at,customer,type,actor,stage
              2026-01-01,C1,archive,wang,
              2026-01-02,C1,promote,li,D
              2026-01-03,C1,promote,wang,C
            expect:
              refused:
                - {row: 2, reason: not_public}
        """,
    )
    code, out, _ = invoke("test", path)
    assert code == 1
    assert "refused row 2: reason expected not_public, got not_owner" in out
    assert "refused row 3 C1 promote by wang: not expected, got stage_skipped" in out


def test_unknown_customer_expectations(tmp_path: Path) -> None:
    path = write(
        tmp_path / "tests.yaml",
        """
        policy: 4321-dcbao@1
        as_of: 2026-02-01
        tests:
          known-and-unknown:
            events: [{at: 2026-01-01, customer: C1, type: archive, actor: wang}]
            expect:
              customers:
                C1: null
                C2: {state: new}
        """,
    )
    code, out, _ = invoke("test", path)
    assert code == 1
    assert "customer C1: expected unknown, got state new" in out
    assert "customer C2: expected {state: new}, but it is unknown" in out


def test_refused_expectations_pass() -> None:
    code, out, _ = invoke("test", ACME, "-k", "claim-needs")
    assert code == 0
    assert status(out, "claim-needs-no-approval") == "PASSED"
    assert "1 test, 1 passed, 0 failed, 3 deselected" in out


def test_snapshot_case() -> None:
    code, out, _ = invoke("test", ACME, "-k", "snapshot")
    assert code == 0
    assert status(out, "snapshot-priority") == "PASSED"


def test_snapshot_failure_shows_record_timeline(tmp_path: Path) -> None:
    path = write(
        tmp_path / "tests.yaml",
        """
        policy: 4321-dcbao@1
        tests:
          snap:
            records:
              - customer: K1
                owner: wang
                state: D
                D: 1
                D_at: 2026-03-01
                state_since: 2026-03-01
            as_of: 2026-03-05
            expect:
              customers: {K1: {priority: 2, overdue_days: 0, due: null}}
              reps: {wang: {expected_signings: 0.06, funnel: {D: 1}}}
        """,
    )
    code, out, _ = invoke("test", path)
    assert code == 1
    assert "customer K1: priority expected 2, got 1" in out
    assert "overdue_days" not in out
    assert "timeline: record: D since 2026-03-01 · as-of 2026-03-05 (4 days in D)" in out


def test_instants_numbers_and_nested_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path / "tests.yaml",
        """
        policy: 4321-dcbao@1
        tests:
          fields:
            events: |
              at,customer,type,actor,stage
              2026-01-01 09:00,C1,archive,wang,
              2026-01-02 10:30,C1,promote,wang,D
            as_of: 2026-01-10
            expect:
              customers:
                C1:
                  state_since: 2026-01-02T10:30+08:00
                  flags: {D: 1, C: 0}
                  holds_slot: true
                  renewals: 0
              counts: {events: 2, applied: 2, rejected: 0}
        """,
    )
    code, out, err = invoke("test", path)
    assert code == 0, out + err


def test_k_selects_by_substring_and_reports_no_match() -> None:
    code, out, _ = invoke("test", ACME, FAILING, "-k", "passes", "-k", "LAPSE-after")
    assert code == 0
    assert "lapse-after-60-days" in out and "failing-tests.yaml::passes" in out
    assert "2 tests, 2 passed, 0 failed, 4 deselected" in out
    code, _, err = invoke("test", ACME, "-k", "nothing-like-this")
    assert code == 2
    assert "no test matches -k nothing-like-this" in err


# -- coverage --------------------------------------------------------------------------------


def test_coverage_numbers() -> None:
    code, out, _ = invoke("test", ACME, "--coverage")
    assert code == 0
    last = out.strip().splitlines()[-1]
    assert last.startswith("4 tests, 4 passed, 0 failed · ")
    assert (
        "transitions covered 10/16 (never: redeliver, renew, publish, release, reassign, "
        "activity)" in last
    )
    assert "rules fired 1/3 (never: recycle, stalled-proposal)" in last


def test_coverage_json() -> None:
    code, out, _ = invoke("test", ACME, "--coverage", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    (cov,) = doc["coverage"]
    assert cov["policy"] == {"id": "acme-valves", "version": "2.1.0"}
    assert cov["covered"]["transitions"] == 10
    assert cov["covered"]["transitions_total"] == 16
    taken = {t["name"]: t["taken"] for t in cov["transitions"]}
    assert taken["archive"] == 3 and taken["lapse"] == 1 and taken["claim"] == 1
    assert cov["never"]["rules"] == ["recycle", "stalled-proposal"]


# -- json ------------------------------------------------------------------------------------


def test_json_shape() -> None:
    code, out, err = invoke("test", ACME, FAILING, "--format", "json")
    assert code == 1
    assert err == ""
    doc = json.loads(out)
    assert set(doc) == {"tests", "errors", "summary"}
    assert doc["summary"] == {
        "tests": 6,
        "passed": 5,
        "failed": 1,
        "errors": 0,
        "skipped": 0,
        "file_errors": 0,
        "deselected": 0,
    }
    failed = next(t for t in doc["tests"] if t["outcome"] == "failed")
    keys = {"id", "file", "test", "outcome", "mismatches", "timelines", "error", "skip"}
    assert set(failed) == keys
    assert failed["test"] == "lapse-wrongly-expected"
    first = failed["mismatches"][0]
    assert first == {
        "section": "customers",
        "key": "C1",
        "field": "state",
        "expected": "E",
        "got": "R",
        "message": "customer C1: state expected E, got R",
    }
    assert set(failed["timelines"]) == {"C1", "C5"}


# -- malformed files -------------------------------------------------------------------------


def test_missing_expect_is_exit_2_with_file_and_line() -> None:
    code, _, err = invoke("test", MALFORMED)
    assert code == 2
    assert "missing-expect-tests.yaml:5:3: error: test `no-expect` has no `expect`" in err
    assert "hint: add `expect:`" in err


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        (
            """
            policy: 4321-dcbao@1
            as_of: 2026-03-31
            tests:
              typo:
                events: [{at: 2026-01-01, customer: C1, type: archive, actor: wang}]
                expects: {customers: {C1: {state: new}}}
            """,
            ":6:5:",
            "unknown key `expects` in test `typo`",
        ),
        (
            """
            policy: 4321-dcbao@1
            tests:
              no-date:
                events: [{at: 2026-01-01, customer: C1, type: archive, actor: wang}]
                expect: {customers: {C1: {state: new}}}
            """,
            ":3:3:",
            "test `no-date` has no `as_of`",
        ),
        (
            """
            policy: 4321-dcbao@1
            as_of: 2026-03-31
            tests:
              bad: {events: [
            """,
            "tests.yaml:",
            "YAML syntax error",
        ),
        (
            """
            policy: 4321-dcbao@1
            as_of: 2026-03-31
            tests:
              field:
                events: [{at: 2026-01-01, customer: C1, type: archive, actor: wang}]
                expect:
                  customers:
                    C1: {stat: new}
            """,
            ":8:14:",
            "unknown customer field `stat`",
        ),
        (
            """
            policy: 4321-dcbao@1
            as_of: 2026-03-31
            tests:
              both:
                events: []
                records: []
                expect: {counts: {events: 0}}
            """,
            ":6:5:",
            "has both `events` and `records`",
        ),
        (
            """
            policy: 4321-dcbao@1
            as_of: 2026-03-31
            tests:
              refusals:
                events: []
                expect:
                  refused: [{row: 1, why: quota_exceeded}]
            """,
            ":7:26:",
            "unknown key `why` in a `refused` entry",
        ),
    ],
)
def test_malformed_files(tmp_path: Path, body: str, where: str, message: str) -> None:
    path = write(tmp_path / "tests.yaml", body)
    code, _, err = invoke("test", path)
    assert code == 2, err
    assert where in err and message in err, err


def test_malformed_json(tmp_path: Path) -> None:
    code, out, _ = invoke("test", MALFORMED, "--format", "json")
    assert code == 2
    doc = json.loads(out)
    (error,) = doc["errors"]
    assert error["line"] == 5 and error["column"] == 3
    assert error["file"].endswith("missing-expect-tests.yaml")


def test_no_test_files(tmp_path: Path) -> None:
    code, _, err = invoke("test", tmp_path)
    assert code == 2
    assert "no test files" in err


def test_found_yaml_without_tests_key_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "tests" / "policy.yaml", "rulekit: 1\nid: x\n")
    write(
        tmp_path / "tests" / "ok.yaml",
        """
        policy: 4321-dcbao@1
        as_of: 2026-01-02
        tests:
          one:
            events: [{at: 2026-01-01, customer: C1, type: archive, actor: wang}]
            expect: {customers: {C1: {state: new}}}
        """,
    )
    code, out, err = invoke("test", tmp_path)
    assert code == 0, out + err
    assert "1 test, 1 passed, 0 failed" in out


def test_invalid_history_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = write(
        tmp_path / "tests.yaml",
        """
        policy: 4321-dcbao@1
        as_of: 2026-03-31
        tests:
          bad-row:
            events: [{at: not-a-date, customer: C1, type: archive, actor: wang}]
            expect: {customers: {C1: {state: new}}}
        """,
    )
    code, out, _ = invoke("test", path)
    assert code == 1
    assert status(out, "bad-row") == "ERROR"
    assert "not-a-date" in out
    assert "1 test, 0 passed, 0 failed, 1 could not run" in out


def test_people_and_history_file(tmp_path: Path) -> None:
    write(
        tmp_path / "history.csv",
        """
        at,customer,type,actor
        2026-01-01,C1,archive,boss
        2026-01-02,C1,claim,wang
        2026-01-03,C1,approve,boss
        """,
    )
    path = write(
        tmp_path / "tests.yaml",
        """
        policy: 4321-dcbao@1
        as_of: 2026-01-05
        people: |
          id,name,team,role
          boss,Boss,,admin
          wang,Wang,east,rep
        tests:
          boss-approves:
            events: history.csv
            expect:
              customers: {C1: {state: new, owner: wang}}
              reps: {wang: {slots_used: 1}}
        """,
    )
    code, out, err = invoke("test", path)
    assert code == 0, out + err


def test_alerts(tmp_path: Path) -> None:
    path = write(
        tmp_path / "tests.yaml",
        f"""
        policy: {ACME_POLICY}
        as_of: 2026-03-31
        tests:
          stalled:
            records: |
              customer,owner,state,D,C,B,A,D_at,C_at,B_at,A_at,state_since
              K1,wang,A,1,1,1,1,2026-01-01,2026-01-02,2026-01-03,2026-01-04,2026-01-04
            expect:
              alerts:
                - {{customer: K1, rule: stalled-proposal, level: critical}}
          not-stalled:
            records: |
              customer,owner,state,D,D_at,state_since
              K2,wang,D,1,2026-03-30,2026-03-30
            expect:
              alerts:
                - {{customer: K2, rule: stalled-proposal}}
        """,
    )
    code, out, _ = invoke("test", path)
    assert code == 1
    assert status(out, "stalled") == "PASSED"
    assert "alerts: expected customer K2 rule stalled-proposal, not raised" in out


# -- rulekit coverage ------------------------------------------------------------------------

HISTORY = """at,customer,type,actor,stage
2026-01-01,C1,archive,wang,
2026-01-02,C1,promote,wang,D
2026-01-03,C1,promote,wang,C
2026-01-04,C2,archive,admin,
2026-01-05,C2,claim,li,
2026-01-06,C2,approve,admin,
2026-01-07,C3,archive,wang,
2026-01-07 12:00,C4,archive,wang,
2026-01-08,C3,release,li,
2026-01-09,C3,release,wang,
"""


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(HISTORY, encoding="utf-8")
    return path


def test_coverage_command_json(history: Path, tmp_path: Path) -> None:
    policy = write(
        tmp_path / "policy.yaml",
        """
        rulekit: 1
        id: two-slots
        version: 1.0.0
        extends: 4321-dcbao@1
        quota: {limit: 2}
        """,
    )
    code, out, err = invoke(
        "coverage", policy, history, "--as-of", "2026-02-01", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["policy"] == {"id": "two-slots", "version": "1.0.0"}
    rows = {t["name"]: (t["taken"], t["refused"]) for t in doc["transitions"]}
    assert rows["archive"] == (2, 1)  # C4: wang is at his limit of 2
    assert rows["archive-public"] == (1, 0)
    assert rows["contact"] == (1, 0)
    assert rows["nurture"] == (1, 0)
    assert rows["claim"] == (2, 0)  # the claim, and its approval
    assert rows["release"] == (1, 0)
    assert doc["covered"] == {
        "transitions": 6,
        "transitions_total": 16,
        "rules": 1,
        "rules_total": 1,
    }
    assert doc["never"]["transitions"] == [
        "meet",
        "propose",
        "sign",
        "deliver",
        "redeliver",
        "renew",
        "lapse",
        "publish",
        "reassign",
        "activity",
    ]
    assert doc["never"]["rules"] == []
    assert doc["counts"] == {"events": 10, "applied": 8, "rejected": 2, "timers": 0}


def test_coverage_command_text(history: Path) -> None:
    code, out, _ = invoke("coverage", ACME_POLICY, history, "--as-of", "2026-02-01")
    assert code == 0
    assert "acme-valves 2.1.0 over" in out
    assert any(line.split()[:3] == ["archive", "3", "0"] for line in out.splitlines())
    assert any(line.split() == ["meet", "0", "0", "never", "taken"] for line in out.splitlines())
    assert "transitions covered 6/16 (never: meet, propose, sign," in out
    assert "rules fired 1/3 (never: recycle, stalled-proposal)" in out


def test_coverage_command_bad_policy(history: Path, tmp_path: Path) -> None:
    code, _, err = invoke("coverage", tmp_path / "nope.yaml", history)
    assert code == 2
    assert "cannot read" in err
