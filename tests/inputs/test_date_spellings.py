"""Chinese Excel and WPS date spellings are read without flags, the same by the row reader and
the column-wise CSV reader; a day-or-month-first column needs its format, named in the
policy; malformed rows are placed by data row and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import rulekit
from rulekit.cli.main import cli
from rulekit.engine.input.errors import InputError
from rulekit.tables import read_table
from tests.conftest import overlay

ISO = [
    ("2026-01-05 09:00", "C1", "archive", "wang", ""),
    ("2026-01-06", "C1", "promote", "wang", "D"),
    ("2026-01-07 10:30:15", "C2", "archive", "li", ""),
]
SPELLINGS = [
    ["2026/1/5 9:00", "2026/1/6", "2026-1-7 10:30:15"],
    ["2026年1月5日 9:00", "2026年1月6日", "2026年1月7日 10时30分15秒"],
    ["46027.375", "46028", "2026.1.7 10:30:15"],
]


def history(path: Path, ats: list[str], sep: str = ",") -> Path:
    rows = [sep.join(["at", "customer", "type", "actor", "stage"])]
    rows += [sep.join([at, *row[1:]]) for at, row in zip(ats, ISO, strict=True)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("ats", SPELLINGS)
def test_spellings_replay_as_iso(tmp_path: Path, ats: list[str]) -> None:
    want = rulekit.replay("4321-dcbao@1", history(tmp_path / "iso.csv", [r[0] for r in ISO]),
                          as_of="2026-02-01").document()  # fmt: skip
    path = history(tmp_path / "wps.csv", ats)
    by_file = rulekit.replay("4321-dcbao@1", path, as_of="2026-02-01").document()
    by_rows = rulekit.replay("4321-dcbao@1", read_table(path), as_of="2026-02-01").document()
    assert by_file == by_rows == want


def test_an_ambiguous_column_names_both_readings(tmp_path: Path) -> None:
    path = history(tmp_path / "h.csv", ["1/5/2026 9:00", "2/5/2026", "3/5/2026"])
    with pytest.raises(InputError) as caught:
        rulekit.replay("4321-dcbao@1", path, as_of="2026-12-31")
    message = caught.value.messages[0]
    assert "column at" in message
    assert "1 May 2026 (%d/%m/%Y %H:%M)" in message and "January 5 2026 (%m/%d/%Y %H:%M)" in message
    assert caught.value.hint is not None and 'format: "%d/%m/%Y %H:%M"' in caught.value.hint


def test_a_format_in_the_policy_reads_the_column(tmp_path: Path, write: object) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        overlay('fields:\n  at: {format: "%d/%m/%Y %H:%M", column: 时间}\n'), encoding="utf-8"
    )
    path = tmp_path / "h.csv"
    path.write_text(
        "时间,customer,type,actor,stage\n05/01/2026 09:00,C1,archive,wang,\n"
        "06/01/2026 00:00,C1,promote,wang,D\n2026-01-07 10:30:15,C2,archive,li,\n",
        encoding="utf-8",
    )
    doc = rulekit.replay(policy, path, as_of="2026-02-01").document()
    iso = history(tmp_path / "iso.csv", [r[0] for r in ISO])
    want = rulekit.replay("4321-dcbao@1", iso, as_of="2026-02-01").document()
    assert doc["customers"] == want["customers"]


@pytest.mark.parametrize(
    "fmt, message",
    [("%d/%m", "does not name the year"), ("dd/mm/yyyy", "no `%` directive")],
)
def test_a_bad_format_is_a_diagnostic(tmp_path: Path, fmt: str, message: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(overlay(f'fields:\n  at: {{format: "{fmt}"}}\n'), encoding="utf-8")
    problems = rulekit.validate([policy])
    assert any(message in d.message for d in problems), problems


def test_format_only_on_dates(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        overlay('fields:\n  budget: {type: number, format: "%Y-%m-%d"}\n'), encoding="utf-8"
    )
    assert any("for date and datetime" in d.message for d in rulekit.validate([policy]))


def test_bad_rows_name_data_row_and_line(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "at,customer,type,actor\n\n2026-01-05,C1,archive,wang\n2026-13-45,C2,archive,li\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["replay", "4321-dcbao@1", str(path), "--as-of", "2026-02-01"])
    assert result.exit_code == 1
    assert f"{path}: data row 2 (line 4), column at: `2026-13-45` is not a date" in result.stderr
