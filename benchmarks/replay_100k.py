"""Time `rulekit replay` of 100,000 events as a process, and the replay alone in-process.

python benchmarks/replay_100k.py [--events 100000] [--customers 10000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from history import generate, write_csv  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = generate(args.events, args.customers, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "history.csv")
        write_csv(path, rows)
        rulekit = Path(sys.executable).with_name("rulekit")
        cmd = [
            str(rulekit),
            "replay",
            "4321-dcbao@1",
            path,
            "--as-of",
            "2026-06-30",
            "--format",
            "json",
        ]
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, check=True)
            best = min(best, time.perf_counter() - t0)
        size = len(done.stdout)
        import rulekit
        from rulekit.engine import runner
        from rulekit.tables import read_table

        policy = rulekit.load("4321-dcbao@1")
        t0 = time.perf_counter()
        table = read_table(path)
        t1 = time.perf_counter()
        result = runner.replay(policy, table, rulekit.api._instant("2026-06-30", policy))
        t2 = time.perf_counter()
        result.document()
        t3 = time.perf_counter()
    print(
        f"events: {len(rows):,}  customers: {args.customers:,}  "
        f"applied: {result.applied:,}  refused: {len(result.rejected):,}  timers: {result.timers:,}"
    )
    print(
        f"process (replay --format json, best of {args.repeat}): {best:.2f} s"
        f"  output {size / 1e6:.1f} MB"
    )
    print(f"in-process: read {t1 - t0:.2f} s · replay {t2 - t1:.2f} s · document {t3 - t2:.2f} s")
    print(f"replay rate: {len(rows) / (t2 - t1):,.0f} events/s")


if __name__ == "__main__":
    main()
