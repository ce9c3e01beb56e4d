"""Issue 13, items 1-3, 15, 16: files are written atomically, never over an input, never as a
formula, and a failure to write is a message with exit 2 (SIGINT: 130), never a traceback."""

from __future__ import annotations

import errno
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from rulekit import safeio
from rulekit.tables import read_table, write_table
from tests.hostile.helpers import HISTORY, POLICY, invoke, run_cli


class _FullDisk(io.BufferedWriter):
    """A file that accepts a little, then fails as a full disk does."""

    def __init__(self, raw: Any, budget: int) -> None:
        super().__init__(raw)
        self.budget = budget

    def write(self, data: Any) -> int:
        self.budget -= len(data)
        if self.budget < 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files opened for writing by safeio fail with ENOSPC after 100 bytes."""
    real_open = open

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode and safeio._TEMP_TAG in os.fspath(file):
            if "b" in mode:
                return _FullDisk(io.FileIO(file, "w"), 100)
            raw = _FullDisk(io.FileIO(file, "w"), 100)
            return io.TextIOWrapper(
                raw, encoding=kwargs.get("encoding", "utf-8"), newline=kwargs.get("newline")
            )
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("ext", [".csv", ".tsv", ".jsonl", ".xlsx", ".parquet"])
def test_item1_full_disk_keeps_the_old_table(tmp_path: Path, full_disk: None, ext: str) -> None:
    target = tmp_path / f"out{ext}"
    target.write_bytes(b"OLD")
    with pytest.raises(OSError) as info:
        write_table(target, ["a"], [["x" * 50] for _ in range(100)])
    assert info.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"OLD"
    assert _leftovers(tmp_path) == []


def test_item1_atomic_write_removes_the_temp_on_interrupt(tmp_path: Path) -> None:
    target = tmp_path / "policy.yaml"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), safeio.atomic_write(target) as fh:
        fh.write("half")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old"
    assert _leftovers(tmp_path) == []


def test_item1_atomic_write_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    safeio.write_text_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert target.stat().st_mode & 0o777 == 0o640


def test_item1_replay_out_on_a_full_disk_is_exit_2(
    tmp_path: Path, full_disk: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("h.csv").write_text(HISTORY, encoding="utf-8")
    Path("out.csv").write_text("OLD", encoding="utf-8")
    code, _, err = invoke("replay", POLICY, "h.csv", "--as-of", "2026-02-01", "--out", "out.csv")
    assert code == 2
    assert "No space left on device" in err and "Traceback" not in err
    assert Path("out.csv").read_text(encoding="utf-8") == "OLD"
    assert _leftovers(tmp_path) == []


def test_item1_html_and_schema_are_written_atomically(
    tmp_path: Path, full_disk: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("schema.json").write_text("OLD", encoding="utf-8")
    code, _, err = invoke("schema", "-o", "schema.json")
    assert code == 2 and "No space left" in err
    assert Path("schema.json").read_text(encoding="utf-8") == "OLD"
    assert _leftovers(tmp_path) == []


_SLOW_WRITER = """
import sys, time
from rulekit import safeio
with safeio.atomic_write(sys.argv[1]) as fh:
    fh.write("partial")
    fh.flush()
    print("writing", flush=True)
    time.sleep(30)
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_item1_killed_mid_write_leaves_the_old_file(tmp_path: Path, sig: int) -> None:
    target = tmp_path / "out.csv"
    target.write_text("OLD", encoding="utf-8")
    script = (
        "import signal\nfrom rulekit.cli.main import _interrupt\n"
        "signal.signal(signal.SIGTERM, _interrupt)\n" + _SLOW_WRITER
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(sig)
    proc.wait(timeout=20)
    assert target.read_text(encoding="utf-8") == "OLD"
    if sig == signal.SIGKILL:  # nothing can clean up after SIGKILL: the next write does
        safeio.write_text_atomic(target, "NEW")
        assert target.read_text(encoding="utf-8") == "NEW"
    assert _leftovers(tmp_path) == []


def test_item2_out_over_its_own_input_is_refused(tmp_path: Path) -> None:
    history = tmp_path / "h.csv"
    history.write_text(HISTORY, encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(history)
    for args in (
        ["--out", str(history)],
        ["--out", str(link)],
        ["--people", str(tmp_path / "p.csv"), "--out", str(tmp_path / "p.csv")],
    ):
        (tmp_path / "p.csv").write_text("id,name,team,role\nwang,W,t,rep\n", encoding="utf-8")
        code, _, err = invoke("replay", POLICY, str(history), "--as-of", "2026-02-01", *args)
        assert code == 2, err
        assert "is the input file" in err
    assert history.read_text(encoding="utf-8") == HISTORY


def test_item2_html_over_an_input_is_refused(tmp_path: Path) -> None:
    history = tmp_path / "h.html"
    history.write_text("x", encoding="utf-8")
    policy = tmp_path / "p.html"
    policy.write_text(Path(POLICY).read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = invoke(
        "dry-run", "--baseline", POLICY, "--candidate", POLICY, str(history), "--html",
        str(history),
    )  # fmt: skip
    assert code == 2 and "is the input file" in err


def test_item3_csv_cells_that_are_formulas_are_neutralised(tmp_path: Path) -> None:
    history = tmp_path / "h.csv"
    history.write_text(
        "at,customer,type,actor\n"
        '2026-01-01,C1,archive,"=HYPERLINK(""http://x"",""y"")"\n'
        '2026-01-02,"\r=cmd",archive,rep1\n'
        "2026-01-02,@SUM(A1),archive,+cmd|x\n"
        "2026-01-02,-3,archive,rep1\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    code, _, err = invoke(
        "replay", POLICY, str(history), "--as-of", "2026-02-01", "--out", str(out)
    )
    assert code == 0, err
    cells = {c for row in read_table(out).rows for c in row if isinstance(c, str)}
    assert '\'=HYPERLINK("http://x","y")' in cells
    assert "'=cmd" in cells and "'@SUM(A1)" in cells and "'+cmd|x" in cells
    assert "-3" in cells  # a plain number is data
    assert not any(c.startswith(("=", "+", "@", "\r", "\t")) for c in cells)
    code, _, _ = invoke(
        "replay", POLICY, str(history), "--as-of", "2026-02-01", "--out", str(out), "--raw-cells"
    )
    assert code == 0
    cells = {c for row in read_table(out).rows for c in row if isinstance(c, str)}
    assert '=HYPERLINK("http://x","y")' in cells


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("-1+2", "'-1+2"),
        ("\tx", "'\tx"),
        ("@x", "'@x"),
        ("-3", "-3"),
        ("+1.5", "+1.5"),
        ("-2e3", "-2e3"),
        ("a=b", "a=b"),
    ],
)
def test_item3_neutralise(text: str, written: str) -> None:
    from rulekit.tables.csvtable import neutralise

    assert neutralise(text) == written


def test_item15_unwritable_out_is_found_before_the_work(tmp_path: Path) -> None:
    history = tmp_path / "h.csv"
    history.write_text(HISTORY, encoding="utf-8")
    for out, words in (
        (tmp_path / "nodir" / "x.csv", "does not exist"),
        (tmp_path / "x.txt", "cannot write extension '.txt'"),
    ):
        code, _, err = invoke(
            "replay", POLICY, str(history), "--as-of", "2026-02-01", "--out", str(out)
        )
        assert code == 2, err
        assert words in err and "Traceback" not in err


def test_item15_stdout_on_a_full_device_is_exit_2(tmp_path: Path) -> None:
    history = tmp_path / "h.csv"
    history.write_text(HISTORY, encoding="utf-8")
    with open("/dev/full", "w") as full:
        proc = run_cli(
            "replay", POLICY, str(history), "--as-of", "2026-02-01", "--format", "json",
            stdout=full,
        )  # fmt: skip
    assert proc.returncode == 2
    assert "No space left on device" in proc.stderr and "Traceback" not in proc.stderr


def test_item16_sigint_exits_130_and_leaves_no_file(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "import rulekit.cli.main as m\n"
        "from rulekit import safeio\n"
        "def slow(*a, **k):\n"
        "    with safeio.atomic_write(sys.argv[1]) as fh:\n"
        "        fh.write('half'); fh.flush(); print('go', flush=True); time.sleep(30)\n"
        "import rulekit.cli.schema\n"
        "rulekit.cli.schema.write_text_atomic = slow\n"
        "import rulekit.safeio; rulekit.safeio.write_text_atomic = slow\n"
        "sys.argv = ['rulekit', 'schema', '-o', sys.argv[1]]\n"
        "m.main()\n"
    )
    target = tmp_path / "schema.json"
    target.write_text("OLD", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "go"
    time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "Aborted" not in err and "Traceback" not in err and "interrupted" in err
    assert target.read_text(encoding="utf-8") == "OLD"
    assert _leftovers(tmp_path) == []
