"""Issue 13, items 4-6, 8-10, 12: hostile tables and policies are refused with a message, never
read outside their folder, never decoded half wrong, never allowed to exhaust memory or block."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from rulekit.tables import TableError, read_table
from tests.hostile.helpers import POLICY, invoke, run_cli

OVERLAY = "rulekit: 1\nid: x\nversion: 1.0.0\nextends: {}\n"


def test_item4_extends_cannot_leave_the_overlay_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("password: hunter2\n", encoding="utf-8")
    sub = tmp_path / "client"
    sub.mkdir()
    for ref in ("../secret.yaml", str(tmp_path / "secret.yaml")):
        (sub / "o.yaml").write_text(OVERLAY.format(ref), encoding="utf-8")
        code, out, err = invoke("validate", str(sub / "o.yaml"))
        assert code == 1
        assert "outside the overlay's folder" in out and "hunter2" not in out + err


def test_item4_a_base_that_is_not_a_policy_is_not_printed(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "k.yaml").write_text("password: hunter2\n", encoding="utf-8")
    (tmp_path / "o.yaml").write_text(OVERLAY.format("keys/k.yaml"), encoding="utf-8")
    code, out, err = invoke("validate", str(tmp_path / "o.yaml"), "--format", "json")
    assert code == 1
    assert "hunter2" not in out + err
    [diag] = json.loads(out)["diagnostics"]
    assert diag["file"] == str(tmp_path / "o.yaml") and "is not a policy" in diag["message"]
    code, out, err = invoke("validate", str(tmp_path / "o.yaml"))
    assert "hunter2" not in out + err


def test_item4_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("password: hunter2\n", encoding="utf-8")
    sub = tmp_path / "client"
    sub.mkdir()
    (sub / "base.yaml").symlink_to(tmp_path / "secret.yaml")
    (sub / "o.yaml").write_text(OVERLAY.format("base.yaml"), encoding="utf-8")
    code, out, _ = invoke("validate", str(sub / "o.yaml"))
    assert code == 1 and "outside the overlay's folder" in out and "hunter2" not in out


def test_item5_mixed_encodings_are_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "at,customer,type,actor,区域\n".encode()
        + "2026-01-01,C1,archive,wang,华东\n".encode()
        + "2026-01-02,C2,archive,li,华东\n".encode("gbk")
    )
    with pytest.raises(TableError) as info:
        read_table(path)
    assert "mixes two encodings" in info.value.message and "line 3" in info.value.message
    code, _, err = invoke("replay", POLICY, str(path), "--as-of", "2026-02-01")
    assert code == 2 and "line 3" in err and "鍗庝笢" not in err


def test_item5_whole_gbk_files_still_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("at,customer,区域\n2026-01-01,联通,华东\n".encode("gbk"))
    assert read_table(path).rows == [["2026-01-01", "联通", "华东"]]


def _far_cell_workbook(path: Path) -> None:
    import xlsxwriter  # type: ignore[import-untyped]

    with xlsxwriter.Workbook(str(path)) as wb:
        ws = wb.add_worksheet()
        ws.write("A1", "at")
        ws.write("XFD1048576", "x")


def test_item6_a_far_cell_is_refused_not_allocated(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    _far_cell_workbook(path)
    assert path.stat().st_size < 10_000
    # in a subprocess: before the fix, calamine aborted the whole process (exit 134)
    proc = run_cli("replay", POLICY, str(path), "--as-of", "2026-02-01")
    assert proc.returncode == 2, proc.stderr[-500:]
    assert "A1:XFD1048576" in proc.stderr and "Traceback" not in proc.stderr


def test_item6_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * (80 << 20) + b"</worksheet>")
    assert path.stat().st_size < 1_000_000
    with pytest.raises(TableError) as info:
        read_table(path)
    assert "swells" in info.value.message


def test_item6_an_ordinary_workbook_still_reads(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "ok.xlsx"
    with xlsxwriter.Workbook(str(path)) as wb:
        ws = wb.add_worksheet()
        ws.write_row(0, 2, ["at", "customer"])
        ws.write_row(5, 2, ["2026-01-01", "C1"])
    assert read_table(path).rows == [["2026-01-01", "C1"]]


def test_item8_a_huge_integer_in_yaml_is_a_diagnostic(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        OVERLAY.format("4321-dcbao@1") + "quota: {limit: " + "9" * 5000 + "}\n", encoding="utf-8"
    )
    code, out, _ = invoke("validate", str(path), "--format", "json")
    assert code == 1
    [diag] = json.loads(out)["diagnostics"]
    assert "5,000 digits" in diag["message"] and diag["line"] == 5


def test_item8_deep_and_long_jsonl_lines_are_row_problems(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    good = '{"at": "2026-01-01", "customer": "C1", "type": "archive", "actor": "w"}'
    path.write_text(
        good + "\n" + "[" * 100_000 + "]" * 100_000 + "\n" + '{"n": ' + "9" * 5000 + "}\n",
        encoding="utf-8",
    )
    table = read_table(path)
    messages = [p.message for p in table.problems]
    assert len(messages) == 2
    assert "nested too deeply" in messages[0] and "4,300 digits" in messages[1]
    assert all(len(m) < 400 for m in messages)


def test_item9_non_finite_numbers_are_row_errors(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        OVERLAY.format("4321-dcbao@1") + "fields:\n  amount: {type: number}\n", encoding="utf-8"
    )
    records = tmp_path / "r.csv"
    head = "customer,owner,state,D,C,B,A,O,D_at,C_at,B_at,A_at,O_at,state_since,lapses,renewals"
    rows = "".join(
        f"C{i},wang,D,1,0,0,0,0,2026-01-01,,,,,2026-01-01,0,0,{v}\n"
        for i, v in enumerate(["nan", "inf", "1e999", "-Infinity", "1" * 5000])
    )
    records.write_text(head + ",amount\n" + rows, encoding="utf-8")
    code, out, err = invoke(
        "run", str(policy), str(records), "--as-of", "2026-02-01", "--format", "json"
    )
    assert code == 1, out
    assert err.count("not a finite number") == 5
    assert "NaN" not in out and "Infinity" not in out
    assert max(len(line) for line in err.splitlines()) < 400


def test_item9_jsonl_nan_is_not_a_number(tmp_path: Path) -> None:
    from rulekit.engine.input.cells import CellError, number

    for cell in (float("nan"), float("inf"), "NaN", "1e999", 10**400):
        with pytest.raises(CellError):
            number(cell)
    assert number("-3") == -3 and number("1,000.5") == 1000.5


def test_item10_devices_and_fifos_never_block(tmp_path: Path) -> None:
    # subprocesses under a timeout: before the fix, these read forever or blocked
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    for path in ("/dev/zero", str(zero), str(fifo)):
        proc = run_cli("validate", path, timeout=20)
        assert proc.returncode == 2 and "not a regular file" in proc.stdout
    overlay = tmp_path / "o.yaml"
    overlay.write_text(OVERLAY.format("4321-dcbao@1"), encoding="utf-8")
    proc = run_cli("validate", str(overlay), timeout=20)  # the FIFO in its folder is passed over
    assert proc.returncode == 0, proc.stdout
    os.mkfifo(tmp_path / "h.csv")
    proc = run_cli("replay", POLICY, str(tmp_path / "h.csv"), "--as-of", "2026-02-01", timeout=20)
    assert proc.returncode == 2 and "not a regular file (a FIFO)" in proc.stderr


def test_item10_the_size_cap_holds_while_reading(tmp_path: Path) -> None:
    from rulekit import safeio

    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(OSError) as info:
        safeio.read_capped(path, 1000)
    assert "over 1,000 bytes" in str(info.value)


def test_item12_a_wide_header_gives_a_short_message(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["a"] * 200_000) + "\n1\n", encoding="utf-8")
    with pytest.raises(TableError) as info:
        read_table(path)
    assert len(info.value.message) < 2_000 and "… and 199,989 more" in info.value.message
    path.write_text(",".join(f"c{i}" for i in range(200_000)) + "\n1\n", encoding="utf-8")
    code, _, err = invoke("replay", POLICY, str(path), "--as-of", "2026-02-01")
    assert code == 1 and len(err) < 5_000 and "… and 199,990 more" in err


def test_item12_a_huge_cell_is_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "at,customer,type,actor\n" + "x" * 100_000 + ",C1,archive,w\n2026-01-01,C2,archive,"
        "w,extra" + "y" * 100_000 + "\n",
        encoding="utf-8",
    )
    code, _, err = invoke("replay", POLICY, str(path), "--as-of", "2026-02-01")
    assert code == 1 and len(err) < 3_000 and "more characters" in err


def test_item12_a_long_source_line_is_shown_in_part(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        OVERLAY.format("4321-dcbao@1") + "bogus: {a: 1, " + "b: 2, " * 50_000 + "}\n",
        encoding="utf-8",
    )
    code, out, _ = invoke("validate", str(path))
    assert code == 1 and len(out) < 100_000
    assert "… and 49,899 more diagnostics" in out
