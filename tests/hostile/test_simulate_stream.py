"""Issue 13, item 14: `simulate` streams its rows to the file, so its memory does not grow with
the history it writes, a huge run starts writing at once, and Ctrl-C leaves no file."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.hostile.helpers import POLICY

MB = 1 << 20


def _start(args: list[str], folder: Path, memory: int | None = None) -> subprocess.Popen[bytes]:
    def limit() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    with (folder / "stderr.txt").open("wb") as stderr:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-c", "from rulekit.cli.main import main; main()", *args],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=limit,
            cwd=folder,
        )


def _finish(proc: subprocess.Popen[bytes]) -> tuple[int, int]:
    """Wait for `proc`: (exit code, peak resident memory in bytes)."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss * 1024  # kilobytes on Linux


def _peak(folder: Path, days: int) -> tuple[int, int]:
    """(rows written, peak memory) of a run over `days` days with 2,000 customers."""
    out = folder / f"h{days}.csv"
    args = ["simulate", POLICY, "--customers", "2000", "--days", str(days), "--out", str(out)]
    code, peak = _finish(_start(args, folder))
    err = (folder / "stderr.txt").read_text(encoding="utf-8")
    assert code == 0, err
    return len(out.read_bytes().splitlines()) - 1, peak


def test_item14_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    rows_one, peak_one = _peak(tmp_path, 365)
    rows_five, peak_five = _peak(tmp_path, 5 * 365)
    assert rows_five > 3 * rows_one  # the same customers, four times the rows
    # before: every row was held until the end, then the file was read back (+117 MB here)
    assert peak_five < peak_one + 30 * MB, (
        f"peak memory grew from {peak_one // MB} MB ({rows_one:,} rows) "
        f"to {peak_five // MB} MB ({rows_five:,} rows)"
    )


def test_item14_a_huge_run_streams_under_a_memory_limit_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    out = tmp_path / "h.csv"
    args = ["simulate", POLICY, "--customers", "100000000", "--out", str(out)]
    proc = _start(args, tmp_path, memory=1024 * MB)
    written = 0
    try:
        deadline = time.monotonic() + 240  # a bound on the wait, not on the speed
        while time.monotonic() < deadline and proc.poll() is None:
            written = sum(p.stat().st_size for p in tmp_path.glob(".h.csv.rulekit-*.tmp"))
            if written >= 200_000:
                break
            time.sleep(0.2)
        err = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
        # before: refused at once ("at most 1,000,000 customers"), or held every row in
        # memory and wrote nothing until the end
        assert proc.poll() is None, f"simulate ended (exit {proc.returncode}) first: {err}"
        assert written >= 200_000, f"only {written:,} bytes written in 240 s: {err}"
        proc.send_signal(signal.SIGINT)
        code, peak = _finish(proc)
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.wait()
    assert code == 130, (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    assert peak < 600 * MB, f"peak memory {peak // MB} MB"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stderr.txt"]  # no file, no temporary


def test_item14_simulate_refuses_only_absurd_runs(tmp_path: Path) -> None:
    from tests.hostile.helpers import invoke

    code, _, err = invoke(
        "simulate", POLICY, "--customers", "1000000000", "--out", str(tmp_path / "h.csv")
    )
    assert code == 2 and "at most 100,000,000 customers" in err
    code, _, err = invoke(
        "simulate", POLICY, "--customers", "2000000", "--out", str(tmp_path / "h.parquet")
    )
    assert code == 2 and "built in memory" in err and ".csv" in err
    assert list(tmp_path.iterdir()) == []
