"""A large history in-process: reading it, replaying it, its document, a dry-run of two policies.

    python benchmarks/replay_1m.py                     # 1M events, bare rows
    python benchmarks/replay_1m.py --fields            # with `region` and `industry` cells
    python benchmarks/replay_1m.py --events 5000000    # the 5M-event shape
    python benchmarks/replay_1m.py --history FILE.csv  # a history already written

The history is generated (seeded, data.history: about 3.1 events per customer, 1,000 reps)
and written as CSV; `--fields` adds two declared fields of the default policy to every row
(a customer keeps its values), as real exports carry them. Then, in one process, each phase
is timed once: wall and CPU seconds (`time.process_time`, every thread of the process) and
the process's peak RSS so far:

- read: the CSV file into polars (`read_table_fast`) and into sorted Events (`read_events`);
- replay: the events through the default policy (the log let go as it is applied);
- document: the result's JSON document (and `--fields`' fields when the history has them);
- dry-run: `rulekit.dry_run` of the default policy against an overlay (quota 30, lapse after
  60 days), the history read once for both.

A script that prints numbers, not a test.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import CANDIDATE, HISTORY_AS_OF, history  # noqa: E402
from vs_handwritten import with_fields, write  # noqa: E402


def peak_mb() -> float:
    """The process's peak RSS so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(rows: list[tuple[str, float, float, float]], name: str, fn: Callable[[], Any]) -> Any:
    """Run `fn` as phase `name`: append (name, wall s, CPU s, peak RSS MB) to `rows`."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    rows.append((name, time.perf_counter() - wall, time.process_time() - cpu, peak_mb()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--fields", action="store_true", help="add region and industry cells")
    parser.add_argument("--history", type=Path, help="a history CSV file instead of a new one")
    parser.add_argument("--no-dry-run", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.history
        if path is None:
            path = Path(tmp) / "history.csv"
            columns, body = history(args.events, max(1, round(args.events / 3.1)), 1000, seed=1)
            if args.fields:
                columns, body = with_fields(columns, body)
            write(path, columns, body)
            del body
        measure(path, Path(tmp), not args.no_dry_run)


def measure(path: Path, tmp: Path, dry_run: bool) -> None:
    """Time the phases on the history at `path` and print the table."""
    import rulekit
    from rulekit.api import _instant
    from rulekit.engine import runner
    from rulekit.engine.core import program as programs
    from rulekit.engine.core.people import People
    from rulekit.engine.input.history import read_events
    from rulekit.tables.fastcsv import read_table_fast

    rows: list[tuple[str, float, float, float]] = [("start (imports)", 0.0, 0.0, peak_mb())]
    policy = rulekit.load("4321-dcbao@1")
    program = programs.build(policy)
    as_of = _instant(HISTORY_AS_OF, policy)
    table = timed(rows, "read: CSV file into polars", partial(read_table_fast, path))
    log = timed(rows, "read: events", partial(read_events, table, program, as_of))
    events = len(log)  # not `log.events`: that would make an Event per row, as no command does
    fields = any(name in program.field_types for name in table.columns)
    table = None  # let the frame go, as the command line does once the events exist
    replay = partial(runner.replay_log, program, People(), log, str(path), as_of, keep_log=False)
    log = None
    result = timed(rows, "replay", replay)
    timed(rows, "document", partial(result.document, fields=fields))
    del result, replay
    if dry_run:
        overlay = tmp / "candidate.yaml"
        overlay.write_text(CANDIDATE, encoding="utf-8")
        timed(
            rows,
            "dry-run of two policies",
            lambda: rulekit.dry_run("4321-dcbao@1", overlay, path, as_of=HISTORY_AS_OF),
        )
    size = os.path.getsize(path)
    print(f"history: {path.name}, {events:,} events, {size / 1e6:.0f} MB; fields: {fields}")
    print(f"{'phase':32s} {'wall s':>8s} {'CPU s':>8s} {'peak RSS MB':>12s}")
    for name, wall, cpu, peak in rows:
        print(f"{name:32s} {wall:8.2f} {cpu:8.2f} {peak:12.0f}")
    reading = sum(r[1] for r in rows if r[0].startswith("read"))
    replayed = reading + sum(r[1] for r in rows if r[0] == "replay")
    print(f"read + replay: {replayed:.2f} s wall ({events / max(replayed, 1e-9):,.0f} events/s)")


if __name__ == "__main__":
    main()
