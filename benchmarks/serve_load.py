"""Load test of `rulekit serve` on SQLite and Postgres (loopback only, bounded in time).

50 concurrent clients, each a rep holding 49 of its 50 slots, race to claim 100 pool
customers (each tries `--tries` of them in a seeded random order), against two `serve`
processes sharing one ledger. Prints requests/s and p50/p99 latency per database, and checks
the outcome: no rep over 50 slots, no customer claimed twice, every request answered.

    python benchmarks/serve_load.py [--tries 20] [--db sqlite|postgres|both]

Postgres: RULEKIT_TEST_PG_URL, else a throwaway server from Debian's `postgresql` package.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.serve import pgserver  # noqa: E402
from tests.serve.helpers import serving, snapshot, write_tokens  # noqa: E402
from tests.serve.workload import (  # noqa: E402
    Tally,
    percentile,
    race_setup,
    race_worker,
    run_threads,
)

REPS = [f"q{i:02d}" for i in range(50)]


def load(url: str, tries: int, processes: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="rulekit-load-") as folder:
        cwd = Path(folder)
        tokens = write_tokens(cwd / "tokens.csv", REPS)
        with serving(url, tokens, cwd, n=processes) as servers:
            bases = [s.base for s in servers]
            started = time.perf_counter()
            pool = race_setup(bases[0], REPS, held=49, pool=100)
            setup = time.perf_counter() - started
            tally = Tally()
            workers = [
                threading.Thread(target=race_worker, args=(bases, rep, pool, seed, tries, tally))
                for seed, rep in enumerate(REPS)
            ]
            started = time.perf_counter()
            run_threads(workers, limit=300)
            elapsed = time.perf_counter() - started
            doc = snapshot(bases[0])
    slots = [r["slots_used"] for r in doc["reps"]]
    claims = Counter(c["pending_owner"] for c in doc["customers"] if c["pending_owner"])
    assert max(slots) <= 50, "a rep went over 50 slots"
    assert all(n == 1 for n in claims.values()), "a rep holds two new claims"
    assert tally.errors == 0 and set(tally.statuses) == {200}, tally.statuses
    n = len(tally.latencies)
    return {
        "requests": n,
        "seconds": elapsed,
        "rps": n / elapsed,
        "p50_ms": percentile(tally.latencies, 50) * 1000,
        "p99_ms": percentile(tally.latencies, 99) * 1000,
        "setup_s": setup,
        "claims_applied": sum(claims.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=20, help="claims per client")
    parser.add_argument("--processes", type=int, default=2, help="serve processes per ledger")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="rulekit-load-db-") as folder:
            results["sqlite"] = load(f"sqlite:///{folder}/ledger.db", args.tries, args.processes)
    if args.db in ("postgres", "both"):
        reason = pgserver.why_not()
        if reason is not None:
            print(f"postgres: skipped ({reason})", file=sys.stderr)
        else:
            with pgserver.throwaway() as url:
                pgserver.reset(url)
                results["postgres"] = load(url, args.tries, args.processes)
                pgserver.reset(url)
    print(f"{'db':<10}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'setup s':>9}")
    for name, r in results.items():
        print(
            f"{name:<10}{r['requests']:>9.0f}{r['rps']:>9.1f}{r['p50_ms']:>9.1f}"
            f"{r['p99_ms']:>9.1f}{r['setup_s']:>9.1f}"
        )


if __name__ == "__main__":
    main()
