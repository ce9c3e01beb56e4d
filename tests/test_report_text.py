"""The text reports of replay and run: alerts by severity then rep, the first N of M with how
to see all, --out alerts.xlsx|csv, run's per-rep view and pursuit list with --rep --state
--limit, names from the people file, --lang zh|en, and the width."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.cli.main import cli
from rulekit.tables import read_table
from tests.conftest import EXAMPLES

ACME = EXAMPLES / "acme-valves"
REPLAY = ["replay", str(ACME / "policy.yaml"), str(ACME / "history.xlsx"),
          "--people", str(ACME / "people.csv"), "--as-of", "2026-10-01"]  # fmt: skip


def invoke(*args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "", **(env or {})})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("snap") / "snapshot.csv"
    invoke(*REPLAY, "--format", "json", "--out", str(path))
    return path


def test_alerts_critical_first_then_by_rep_first_n_of_m() -> None:
    out = invoke(*REPLAY, "--lang", "en")
    lines = [x for x in out.splitlines() if x.startswith("  [")]
    assert len(lines) == 10
    levels = [x.split("]")[0].strip(" [") for x in lines]
    assert levels == sorted(levels, key=lambda v: v != "critical")
    assert levels[0] == "critical"
    critical = [x for x in lines if "[critical]" in x]
    reps = [x.split("(rep")[1][:2] for x in critical]
    assert reps == sorted(reps)
    assert "first 10 of 148; all of them: --out alerts.xlsx or --format json --alerts" in out


@pytest.mark.parametrize("name", ["alerts.xlsx", "acme-alerts.csv"])
def test_out_alerts_exports_alerts_and_refusals(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    invoke(*REPLAY, "--out", str(path))
    table = read_table(path)
    kinds = [row[0] for row in table.rows]
    assert kinds.count("alert") == 148 and kinds.count("refused") == 169
    assert kinds == sorted(kinds)  # the alerts first
    first = table.records()[0]
    assert first["level"] == "critical" and first["owner"].endswith(")")


def test_names_from_the_people_file_and_lang() -> None:
    zh = invoke(*REPLAY, "--lang", "zh")
    en = invoke(*REPLAY, "--lang", "en")
    assert "唐晓东 (rep01)" in zh and "唐晓东 (rep01)" in en
    assert "截至 2026-10-01" in zh and "as of 2026-10-01" in en
    assert "D 建立联系" in zh and "D Contact established" in en
    assert "非负责人" in zh and "非负责人" not in en
    assert invoke(*REPLAY, env={"LANG": "zh_CN.UTF-8"}) == zh
    assert invoke(*REPLAY, env={"LANG": "C.UTF-8", "RULEKIT_LANG": ""}) == en


def test_run_shows_reps_and_pursuit_lists(snapshot: Path) -> None:
    args = ["run", str(ACME / "policy.yaml"), str(snapshot), "--people", str(ACME / "people.csv"),
            "--as-of", "2026-10-01", "--lang", "en"]  # fmt: skip
    out = invoke(*args)
    assert "signings" in out and "overdue" in out and "pursuit list" in out
    assert "expected signings in all " in out
    assert "C00001" not in out.split("pursuit list")[0]  # no customer dump by id
    focused = invoke(*args, "--rep", "rep16", "--limit", "2")
    body = focused.split("pursuit list")[1]
    assert "梁明 (rep16)" in body and "rep01" not in body
    assert body.count(" more") == 1
    rows = [x for x in body.splitlines() if x.startswith("│") and "C0" in x]
    assert len(rows) == 2
    assert [x.split("│")[2].strip() for x in rows] == ["1", "2"]  # priority order
    only_a = invoke(*args, "--state", "A")
    assert " A Proposal made " in only_a and "D Contact established" not in only_a


def test_width_honours_columns_and_width_option() -> None:
    def widest(text: str) -> int:
        return max(len(x) for x in text.splitlines())

    assert widest(invoke(*REPLAY)) <= 80  # piped
    assert 80 < widest(invoke(*REPLAY, env={"COLUMNS": "140"})) <= 140
    assert widest(invoke(*REPLAY, "--width", "60")) <= 60


def test_explain_and_dry_run_in_chinese_with_names() -> None:
    t = EXAMPLES / "tutorial"
    common = ["--people", str(t / "people.csv"), "--as-of", "2026-06-30", "--lang", "zh"]
    out = invoke("explain", str(t / "proposal.yaml"), str(t / "crm-export.xlsx"),
                 "--customer", "C00015", *common)  # fmt: skip
    assert "C00015 · 现为 L" in out and "archive，操作人 彭超 (rep04)" in out
    assert "被拒" in out and "quota_exceeded 销售权已满" in out
    out = invoke("dry-run", "--baseline", str(t / "policy.yaml"), "--candidate",
                 str(t / "proposal.yaml"), str(t / "crm-export.xlsx"), *common)  # fmt: skip
    assert "现行 acme 0.1.0 · 方案 acme 0.2.0" in out and "截至 2026-06-30" in out
    assert "宋晨琳 (rep02)" in out and "D 建立联系" in out and "not_owner 非负责人" in out
