"""Issue 13, items 7, 17, 19: validate rejects what the engine cannot run; data never drives
the terminal; diagnostics name the right column and give the right hint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.helpers import POLICY, invoke

OVERLAY = "rulekit: 1\nid: x\nversion: 1.0.0\nextends: 4321-dcbao@1\n"
RECORDS = "customer,owner,state,D,C,B,A,O,D_at,C_at,B_at,A_at,O_at,state_since,lapses,renewals\n"


def _validate(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "p.yaml"
    path.write_text(OVERLAY + body, encoding="utf-8")
    code, out, _ = invoke("validate", str(path), "--format", "json")
    doc = json.loads(out)
    assert code == (0 if doc["valid"] else 1)
    return [d["message"] for d in doc["diagnostics"]]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("transitions:\n  lapse: {after: 3000000d}\n", "longest duration"),
        ("transitions:\n  lapse: {after: 200y}\n", "longest duration"),
        ("timezone: Factory\n", "not a known timezone"),
        ("timezone: localtime\n", "not a known timezone"),
    ],
)
def test_item7_validate_rejects_what_the_engine_cannot_run(
    tmp_path: Path, body: str, words: str
) -> None:
    messages = _validate(tmp_path, body)
    assert any(words in m for m in messages), messages


def test_item7_valid_zones_and_durations_still_pass(tmp_path: Path) -> None:
    assert (
        _validate(tmp_path, "timezone: Asia/Shanghai\ntransitions:\n  lapse: {after: 10y}\n") == []
    )


@pytest.mark.parametrize("engine", ["row", "columnar"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_item7_far_instants_in_records_are_row_errors(
    tmp_path: Path, engine: str, day: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(RECORDS + f"C1,wang,D,1,0,0,0,0,{day},,,,,{day},0,0\n", encoding="utf-8")
    code, _, err = invoke(
        "run", POLICY, str(path), "--as-of", "2026-02-01", "--format", "json", "--engine", engine
    )
    assert code == 1, err
    assert "out of the range of dates" in err and "Traceback" not in err


def test_item7_far_instants_in_events_and_as_of(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "at,customer,type,actor\n9999-12-31T23:59:59-12:00,C1,archive,w\n", encoding="utf-8"
    )
    code, _, err = invoke("replay", POLICY, str(path), "--as-of", "2026-02-01")
    assert code == 1 and "out of the range of dates" in err
    path.write_text("at,customer,type,actor\n2026-01-01,C1,archive,w\n", encoding="utf-8")
    code, _, err = invoke("replay", POLICY, str(path), "--as-of", "9999-12-31T23:59:59-12:00")
    assert code == 2 and "out of the range of dates" in err


def test_item17_terminal_escapes_in_data_are_shown_escaped(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        'at,customer,type,actor\n2026-01-01,"C\x1b]0;PWNED\x07",archive,"\x1b[2Jrep"\n',
        encoding="utf-8",
    )
    code, out, _ = invoke("replay", POLICY, str(path), "--as-of", "2026-02-01")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "C\\x1b]0;PWNED\\x07" in out and "\\x1b[2Jrep" in out


def test_item17_escapes_in_error_messages(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text('at,customer,type,actor\n2026-01-01,C1,"\x1b[2Jx",w\n', encoding="utf-8")
    code, _, err = invoke("replay", POLICY, str(path), "--as-of", "2026-02-01")
    assert code == 1 and "\x1b" not in err and "\\x1b[2Jx" in err


@pytest.mark.parametrize("engine", ["row", "columnar"])
def test_item19_a_bad_date_is_reported_against_its_own_column(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(RECORDS + "C1,wang,D,1,0,0,0,0,notadate,,,,,2026-01-01,0,0\n", encoding="utf-8")
    code, _, err = invoke("run", POLICY, str(path), "--as-of", "2026-02-01", "--engine", engine)
    assert code == 1
    assert "column D_at: `notadate` is not a date" in err and "column D:" not in err


def test_item19_the_hint_for_a_quoted_number(tmp_path: Path) -> None:
    rule = 'rules:\n  big: {{when: "{}", alert: warning, message: x}}\n'
    fields = "fields:\n  budget: {type: number}\n  region: {type: string}\n"
    [quoted] = _validate(tmp_path, fields + rule.format("budget == '3'"))
    assert "quote the number" not in quoted and "drop the quotes" in quoted
    [bare] = _validate(tmp_path, fields + rule.format("region == 3"))
    assert "quote the number" in bare
