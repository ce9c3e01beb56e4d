"""`rulekit profile` and dry-run's profile section through the CLI: text, JSON, files, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.cli.main import cli
from rulekit.report.labels import default_lang, label
from rulekit.tables import read_table
from tests.conftest import EXAMPLES

HISTORY = """at,customer,type,actor,stage
2026-01-01T09:00,c1,archive,r1,
2026-01-01T10:00,c2,archive,r1,
2026-01-01T12:00,c3,archive,r2,
2026-01-02T09:00,c1,promote,r1,D
2026-01-04T10:00,c2,promote,r1,D
2026-01-05T10:00,c3,promote,r2,D
2026-01-12T09:00,c1,promote,r1,C
"""
PEOPLE = "id,name,team,role\nr1,王磊,East,rep\nr2,李娜,West,rep\n"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    history, people = tmp_path / "history.csv", tmp_path / "people.csv"
    history.write_text(HISTORY, encoding="utf-8")
    people.write_text(PEOPLE, encoding="utf-8")
    return history, people


def test_text_has_one_line_per_rep_with_bars_and_the_weakest(files: tuple[Path, Path]) -> None:
    history, people = files
    code, out, err = invoke(
        "profile", "4321-dcbao@1", str(history), "--people", str(people), "--as-of", "2026-02-01"
    )
    assert code == 0, err
    lines = out.splitlines()
    r1 = next(x for x in lines if x.startswith("r1 王磊"))
    assert "East" in r1 and "2/50" in r1 and "1/19" in r1 and "weakest capability" in r1
    assert "B Need discovery 0%" in r1  # B, A, O at 0%: B is the earliest
    assert "D ▎····· 2/50" in r1 and "C ▍····· 1/19" in r1  # 4% and 5% of six cells

    assert any(x.startswith("r2 李娜") and "1/50" in x for x in lines)
    assert "2025-10-24T00:00:00+08:00 < t ≤ 2026-02-01T00:00:00+08:00" in out


def test_bars_fill_to_the_target() -> None:
    from rulekit.profile.text import bar

    assert bar(0.5) == "[yellow]███···[/]" and bar(1.7) == "[green]██████[/]"
    assert bar(0.0) == "[red]······[/]" and bar(None) == "[dim]······[/]"


def test_chinese_labels(files: tuple[Path, Path]) -> None:
    history, _ = files
    code, out, _ = invoke(
        "profile", "4321-dcbao@1", str(history), "--as-of", "2026-02-01", "--lang", "zh"
    )
    assert code == 0 and "能力定性" in out and "最弱能力 B 需求挖掘" in out


def test_json_document_shape(files: tuple[Path, Path]) -> None:
    history, people = files
    code, out, err = invoke(
        "profile", "4321-dcbao@1", str(history), "--people", str(people),
        "--as-of", "2026-02-01", "--format", "json", "--cycles", "1",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"policy", "input", "as_of", "cycle", "stages", "cycles"}
    assert doc["input"]["kind"] == "history" and doc["cycle"] == "100d"
    assert [s["stage"] for s in doc["stages"]] == ["D", "C", "B", "A", "O"]
    assert doc["stages"][1]["target"] == {
        "count": 19,
        "reach": 0.38,
        "conversion": 0.38,
        "days": 39,
    }
    c0, c1 = doc["cycles"]
    assert (c0["index"], c1["index"], c1["end"]) == (0, 1, c0["start"])
    assert set(c0) == {
        "index",
        "start",
        "end",
        "promotions",
        "unattributed",
        "reps",
        "teams",
        "all",
    }
    r1 = c0["reps"][0]
    assert set(r1) == {"rep", "name", "team", "promotions", "weakest", "stages"}
    assert r1["weakest"] == {
        "stage": "B", "capability": "需求挖掘", "capability_title": "Need discovery",
        "attainment": 0,
    }  # fmt: skip
    assert r1["stages"]["C"] == {
        "count": 1, "target": 19, "attainment": round(1 / 19, 6), "conversion": 0.5,
        "conversion_target": 0.38, "reach": 0.5, "reach_target": 0.38, "median_days": 10,
        "days_target": 39, "days_known": 1,
    }  # fmt: skip
    assert [t["team"] for t in c0["teams"]] == ["East", "West"]
    assert c0["all"]["reps"] == 2 and c0["promotions"] == 4 and c1["promotions"] == 0


def test_out_and_html_files(files: tuple[Path, Path], tmp_path: Path) -> None:
    history, people = files
    sheet, page = tmp_path / "p.xlsx", tmp_path / "p.html"
    code, _, err = invoke(
        "profile", "4321-dcbao@1", str(history), "--people", str(people),
        "--as-of", "2026-02-01", "--out", str(sheet), "--html", str(page),
    )  # fmt: skip
    assert code == 0, err
    table = read_table(str(sheet))
    assert table.columns[:5] == ["cycle", "cycle_start", "cycle_end", "kind", "id"]
    rows = [dict(zip(table.columns, r, strict=True)) for r in table.rows]
    assert len(rows) == 5 * (2 + 2 + 1)  # stages x (reps + teams + all)
    c = next(r for r in rows if r["id"] == "r1" and r["stage"] == "C")
    assert (c["count"], c["target"], c["weakest"]) == (1, 19, 0)
    assert next(r for r in rows if r["id"] == "r1" and r["stage"] == "B")["weakest"] == 1
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary file left behind
    csv = tmp_path / "p.csv"
    code, _, _ = invoke("profile", "4321-dcbao@1", str(history), "--as-of", "2026-02-01",
                        "--out", str(csv))  # fmt: skip
    assert code == 0 and read_table(str(csv)).columns[0] == "cycle"


def test_errors_are_messages_with_hints_not_tracebacks(files: tuple[Path, Path]) -> None:
    history, people = files
    code, out, err = invoke("profile", "4321-dcbao@1", str(history), "--rep", "r9")
    assert code == 2 and "--rep r9" in err and "hint:" in err and "Traceback" not in err
    code, _, err = invoke("profile", "4321-dcbao@1", str(people))
    assert code == 2 and "cannot tell a history from a snapshot" in err and "hint:" in err
    code, _, err = invoke("profile", "4321-dcbao@1", str(history), "--out", "/nonexistent/p.xlsx")
    assert code == 2 and "does not exist" in err and "hint:" in err
    code, _, err = invoke("profile", "4321-dcbao@1", str(history), "--out", str(history) + ".x")
    assert code == 2 and "hint:" in err
    code, _, err = invoke("profile", "4321-dcbao@1", str(history), "--cycles", "-1")
    assert code == 2


def test_snapshot_input(tmp_path: Path) -> None:
    records = tmp_path / "records.csv"
    records.write_text(
        "customer,owner,state,D,C,B,A,O,D_at,C_at,B_at,A_at,O_at\n"
        "k1,r1,C,1,1,0,0,0,2026-01-02,2026-01-12,,,\n",
        encoding="gb18030",
    )
    code, out, err = invoke(
        "profile", "4321-dcbao@1", str(records), "--as-of", "2026-02-01", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["input"]["kind"] == "snapshot"
    assert doc["cycles"][0]["reps"][0]["stages"]["C"]["median_days"] == 10


def test_dry_run_adds_a_profile_section_and_keeps_its_keys() -> None:
    client = EXAMPLES / "lanxin-saas"
    args = [
        "dry-run", "--baseline", str(client / "policy.yaml"),
        "--candidate", str(client / "proposal.yaml"), str(client / "history.csv"),
        "--people", str(client / "people.csv"), "--as-of", "2027-01-01",
    ]  # fmt: skip
    code, out, err = invoke(*args, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert list(doc) == ["baseline", "candidate", "changed", "profile"]
    assert set(doc["baseline"]) == {"policy", "counts", "states", "rejected"}
    section = doc["profile"]
    assert [s["stage"] for s in section["stages"]] == ["D", "C", "B", "A", "O"]
    for name in ("baseline", "candidate"):
        policy = client / ("policy.yaml" if name == "baseline" else "proposal.yaml")
        code, alone, _ = invoke(
            "profile", str(policy), str(client / "history.csv"),
            "--people", str(client / "people.csv"), "--as-of", "2027-01-01", "--format", "json",
        )  # fmt: skip
        totals = json.loads(alone)["cycles"][0]["all"]["stages"]
        assert [s[name]["count"] for s in section["stages"]] == [
            totals[k]["count"] for k in "DCBAO"
        ]
    assert any(s["change"] != 0 for s in section["stages"])  # a shorter recycle window
    code, text, _ = invoke(*args)
    assert code == 0 and label("profile_change", "en") in text


def test_default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RULEKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert default_lang() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert default_lang() == "zh"
    monkeypatch.setenv("RULEKIT_LANG", "en")
    assert default_lang() == "en"
    assert label("weakest", "zh") == "最弱能力" and label("no-such-key", "zh") == "no-such-key"
