"""Where the columnar engine's time goes: each step of `rulekit.run` on a generated snapshot
read from a CSV file, then the JSON document, in seconds (best of --repeat).

    python benchmarks/profile_columnar.py [--records 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data  # noqa: E402
from run import write_records  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import rulekit
    from rulekit.api import _instant
    from rulekit.engine.columnar.engine import _Run
    from rulekit.engine.core.people import People
    from rulekit.engine.input.record_frame import SnapshotReader
    from rulekit.tables.fastcsv import read_text_frame

    columns, rows = data.snapshot(args.records, max(100, args.records // 100), seed=1)
    policy = rulekit.load("4321-dcbao@1")
    as_of = _instant(data.AS_OF, policy)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "records.csv")
        write_records(path, columns, rows)
        del rows
        gc.collect()
        best: dict[str, float] = {}

        def step(name: str, fn: Callable[..., Any], *args: Any) -> Any:
            start = time.perf_counter()
            out = fn(*args)
            seconds = time.perf_counter() - start
            best[name] = min(best.get(name, seconds), seconds)
            return out

        for _ in range(args.repeat):
            source = step("read the CSV file (polars)", read_text_frame, path)
            run = _Run(policy, source, as_of, People())
            frame = step(
                "read the cells (dates, flags, numbers)", SnapshotReader(run.program, source).frame
            )
            frame, fired = step("fire the timers", run.fire_timers, frame)
            frame = step("evaluate the conditions", run.measure, frame)
            frame = step("rank each rep's pool", run.rank, frame)
            result = step("result: reps, customer frame", run.build, frame, fired)
            step("document() (the JSON document's objects)", result.document)
    total = sum(v for k, v in best.items() if not k.startswith("document"))
    print(f"{args.records:,} records, best of {args.repeat}")
    for name, seconds in best.items():
        print(f"  {name:45s} {seconds:7.3f} s")
    print(f"  {'rulekit.run in all (the steps above but the document)':45s} {total:7.3f} s")


if __name__ == "__main__":
    main()
