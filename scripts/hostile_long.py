"""Hostile cases that do not end by themselves, for scripts/hostile_corpus.py (issue 13, item
14): `simulate --customers 100000000` must stream its rows with bounded memory and stop cleanly.

Each case runs under the corpus's limits, is left to write until its temporary file holds
`size` bytes (or the timeout passes), is interrupted with SIGINT, and is judged: exit 130, peak
resident memory under `max_mb`, neither the file nor a temporary left behind.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class LongCase:
    name: str
    args: list[str]
    output: str  # the file the run writes, relative to the corpus folder
    size: int = 200_000  # bytes written before the interrupt
    max_mb: int = 600  # peak resident memory allowed


def limits(memory: int) -> Callable[[], None]:
    """What a case's process runs before rulekit: an address-space limit, no core file."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def long_cases(policy: str) -> list[LongCase]:
    out = "stream/huge.csv"
    args = ["simulate", policy, "--customers", "100000000", "--out", out]
    return [LongCase("simulate 100,000,000 customers, interrupted", args, out)]


def _reap(pid: int, seconds: float) -> tuple[int, int] | None:
    """(exit code, peak memory in MB) once `pid` has ended, None if it runs on after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), usage.ru_maxrss >> 10
        if time.monotonic() > deadline:
            return None
        time.sleep(0.2)


def run_long(
    case: LongCase, folder: Path, timeout: float, memory: int
) -> tuple[str, str | None, float]:
    """('ok'|'traceback'|'hang'|'bad exit'|'leak', detail, seconds)."""
    out = folder / case.output
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-c", "from rulekit.cli.main import main; main()", *case.args]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=err, preexec_fn=limits(memory), cwd=folder
        )
        written, ended = 0, None
        while time.perf_counter() - start < timeout and ended is None:
            written = sum(p.stat().st_size for p in out.parent.glob(f".{out.name}.rulekit-*.tmp"))
            if written >= case.size:
                break
            ended = _reap(proc.pid, 0.2)
        if ended is None:
            proc.send_signal(signal.SIGINT)
            ended = _reap(proc.pid, 30)
            if ended is None:
                proc.kill()
                proc.wait()
                return "hang", "still running 30 s after SIGINT", time.perf_counter() - start
            interrupted = True
        else:
            interrupted = False
        seconds = time.perf_counter() - start
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    code, peak = ended
    last = (text.strip().splitlines() or [""])[-1][:120]
    if "Traceback" in text:
        return "traceback", last, seconds
    if not interrupted:
        return "bad exit", f"exit {code} before the interrupt: {last}", seconds
    if written < case.size:
        return "hang", f"only {written:,} bytes written in {seconds:.0f} s", seconds
    if code != 130:
        return "bad exit", f"exit {code} after SIGINT: {last}", seconds
    if peak > case.max_mb:
        return "leak", f"peak memory {peak:,} MB (at most {case.max_mb:,})", seconds
    left = [p.name for p in out.parent.iterdir() if out.name in p.name]
    return ("leak", f"files left: {left}", seconds) if left else ("ok", None, seconds)
