"""CSV files as Excel and Chinese CRMs save them: the delimiter (`,` `;` tab `|`) and the
encoding (BOMs, UTF-16, UTF-8, GB18030) are found without flags, and `-v` says which."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from click.testing import CliRunner

import rulekit
from rulekit.cli.main import cli
from rulekit.tables import read_table
from rulekit.tables.fastcsv import read_text_frame
from rulekit.tables.header import sniff_delimiter

ROWS = [
    ["at", "customer", "type", "actor", "stage"],
    ["2026-01-05 09:00", "C1", "archive", "wang", ""],
    ["2026-01-06", "C1", "promote", "wang", "D"],
]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_sniff_delimiter(sep: str) -> None:
    assert sniff_delimiter("\n" + "\n".join(sep.join(r) for r in ROWS)) == sep
    assert sniff_delimiter('"a;b",c,d\n') == ","
    assert sniff_delimiter("one column\n") == ","


@pytest.mark.parametrize("sep", [";", "\t", "|"])
@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("gb18030", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
    ],
)
def test_excel_saves_replay(tmp_path: Path, sep: str, encoding: str, bom: bytes) -> None:
    path = tmp_path / "h.csv"
    text = "\r\n".join(sep.join(r) for r in ROWS) + "\r\n"
    path.write_bytes(bom + text.replace("wang", "王伟").encode(encoding))
    table = read_table(path)
    assert table.delimiter == sep and table.columns == ROWS[0]
    doc = rulekit.replay("4321-dcbao@1", path, as_of="2026-02-01").document()
    assert [(c["customer"], c["owner"], c["state"]) for c in doc["customers"]] == [
        ("C1", "王伟", "D")
    ]
    frame = read_text_frame(path)
    if encoding == "utf-8":  # the column-wise reader reads it alike
        assert frame is not None and frame.delimiter == sep
        assert frame.frame.rows() == [tuple(r) for r in table.rows]
    else:
        assert frame is None


def test_verbose_says_how_a_file_was_read(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes(
        ("\n".join(";".join(r) for r in ROWS) + "\n").replace("wang", "王伟").encode("gb18030")
    )
    result = CliRunner().invoke(
        cli, ["replay", "4321-dcbao@1", str(path), "--as-of", "2026-02-01", "-v"]
    )
    assert result.exit_code == 0, result.stderr
    assert f"{path}: read as GB18030, separated by `;`, 2 data rows" in result.stderr
    quiet = CliRunner().invoke(cli, ["replay", "4321-dcbao@1", str(path), "--as-of", "2026-02-01"])
    assert "read as" not in quiet.stderr
