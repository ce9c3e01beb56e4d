"""What a result's JSON document costs: building the result, making the document, writing it.

    python benchmarks/profile_document.py [--customers 100000] [--events 370000] [--repeat 3]
        [--history FILE.csv]

Generates a history (benchmarks/data.py, seed 1, 1,000 reps), or reads FILE, and replays it
once under the default policy at 2026-12-31; then times, in CPU seconds (`time.process_time`,
best of --repeat): `build` (the Result from the replayed world), writing the document a chunk
at a time as `rulekit replay --format json` does (`document(lazy=True)` through
`json_doc.write`, to a null stream), and making the whole document at once then writing it.
The same for `run` of the replay's customer table (the columnar engine). Last, the memory the
document takes while it is written (tracemalloc's peak, one run each way).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import HISTORY_AS_OF, history  # noqa: E402


class _Null:
    """A text stream whose buffer throws the bytes away."""

    class buffer:  # noqa: N801
        @staticmethod
        def write(data: Any) -> int:
            return len(data)

        @staticmethod
        def flush() -> None:
            return None

    def flush(self) -> None:
        return None


def best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        work()
        times.append(time.process_time() - t0)
    return min(times)


def traced_peak(work: Callable[[], object]) -> float:
    """MB allocated at the peak of `work`, above what was allocated before it."""
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=370_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--history", help="a history CSV file to replay instead")
    args = parser.parse_args()

    import rulekit
    from rulekit.engine import runner
    from rulekit.engine.result import result as results
    from rulekit.report import json_doc
    from rulekit.tables import Table
    from rulekit.tables.fastcsv import read_table_fast
    from rulekit.tables.writer import write_table

    gc.disable()  # as the console script runs
    policy = rulekit.load("4321-dcbao@1")
    as_of = rulekit.api._instant(HISTORY_AS_OF, policy)
    if args.history:
        replayed = runner.replay(policy, read_table_fast(args.history), as_of)
    else:
        columns, rows = history(args.events, args.customers, 1000, seed=1)
        replayed = runner.replay(policy, Table("<history>", None, columns, rows, None), as_of)
    world = replayed.world
    assert world is not None
    null = _Null()

    def lazy(result: Any) -> Callable[[], None]:
        return lambda: json_doc.write(result.document(lazy=True), null)  # type: ignore[arg-type]

    def whole(result: Any) -> Callable[[], None]:
        return lambda: json_doc.write(result.document(), null)  # type: ignore[arg-type]

    print(
        f"replay: {replayed.events:,} events, {replayed.customer_count:,} customers, "
        f"{len(replayed.rejected):,} refused (CPU seconds, best of {args.repeat})"
    )
    build = best(args.repeat, lambda: results.build(world.program, world, as_of, "replay", 0))
    print(f"  build the result              {build:6.3f}")
    print(f"  write the document by chunks  {best(args.repeat, lazy(replayed)):6.3f}")
    print(f"  make the whole document+write {best(args.repeat, whole(replayed)):6.3f}")
    print(f"  memory of the document: by chunks {traced_peak(lazy(replayed)):.1f} MB, "
          f"whole {traced_peak(whole(replayed)):.1f} MB")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / "customers.csv"
        write_table(snapshot, *replayed.customer_table())
        run = rulekit.run(policy, snapshot, as_of=HISTORY_AS_OF)
        print(f"run (columnar): {run.customer_count:,} customers")
        print(f"  write the document by chunks  {best(args.repeat, lazy(run)):6.3f}")
        print(f"  make the whole document+write {best(args.repeat, whole(run)):6.3f}")
        print(f"  memory of the document: by chunks {traced_peak(lazy(run)):.1f} MB, "
              f"whole {traced_peak(whole(run)):.1f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
