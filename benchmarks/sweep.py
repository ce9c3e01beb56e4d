"""Time `rulekit sweep` of 20 candidates: in-process (1 worker), 2 local workers, and a Dask
LocalCluster of 2 workers started beforehand; over acme-valves' history and a 1M-event one.

python benchmarks/sweep.py [--events 1000000] [--customers 100000] [--reps 1000]
                           [--history FILE --as-of T] [--skip-large] [--skip-acme]

Prints, for each history: the read, the parse and one replay (the cost model's units); what is
shipped to the workers (the history packed as compact bytes: its size and the time to pack it,
against the pickled size of the parsed events) and the time to scatter it to 2 workers; the
wall time of each way of running with its speedup over 1 worker; and the memory of each worker
(RSS and peak RSS after the sweep). The three ways must give the same JSON; the script stops
if they do not.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from data import HISTORY_AS_OF, history  # noqa: E402
from history import write_csv  # noqa: E402

ACME = ROOT / "examples" / "acme-valves"


def memory() -> tuple[int, int]:
    """This process's resident and peak resident memory in bytes (Linux)."""
    found = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) * 1024
    return found.get("VmRSS", 0), found.get("VmHWM", 0)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def case(
    name: str,
    policy: str,
    events: str,
    as_of: str,
    vary: list[str],
    people: str | None,
    ways: list[str],
) -> None:
    import rulekit
    from rulekit.analysis.dryrun import ends
    from rulekit.engine import runner
    from rulekit.engine.core import program as programs
    from rulekit.engine.core.people import People
    from rulekit.engine.input.history import read_events
    from rulekit.engine.input.people_file import read_people
    from rulekit.sweep import run
    from rulekit.sweep.shared import Shared
    from rulekit.sweep.work import History
    from rulekit.tables import read_table
    from rulekit.tables.fastcsv import read_table_fast

    baseline = rulekit.load(policy)
    instant = rulekit.api._instant(as_of, baseline)
    axes = run.axes(baseline, vary)
    folks_table = read_table(people) if people else None
    table, read_s = timed(lambda: read_table_fast(events))
    program = programs.build(baseline)
    cpu0 = time.process_time()
    log, parse_s = timed(lambda: read_events(table, program, instant))
    cpu1 = time.process_time()
    folks = read_people(folks_table) if folks_table is not None else People()
    result, replay_s = timed(lambda: runner.replay_log(program, folks, log, events, instant))
    cpu2 = time.process_time()
    here = History(
        baseline.document, baseline.files, Shared.here(table), folks, events, instant, False,
        ends(result),
    )  # fmt: skip
    shipped, pack_s = timed(here.packed)
    size = len(pickle.dumps(shipped, protocol=5))
    events_size, count = len(pickle.dumps(log, protocol=5)), len(log.events)
    n = len(run.grid(axes))
    print(f"\n== {name}: {count:,} events, {result.customer_count:,} customers, "
          f"{n} candidates ({' × '.join(a.name for a in axes)})")  # fmt: skip
    print(f"read {read_s:.2f} s · parse {parse_s:.2f} s (cpu {cpu1 - cpu0:.2f} s) · one replay "
          f"{replay_s:.2f} s (cpu {cpu2 - cpu1:.2f} s)")  # fmt: skip
    print(f"shipped history {size / 1e6:.1f} MB ({shipped.events.kind}, packed in {pack_s:.2f} s)"
          f"; the parsed events would pickle to {events_size / 1e6:.1f} MB")  # fmt: skip

    def sweep(**where: Any) -> tuple[str, float, float]:
        cpu0 = time.process_time()
        out, wall = timed(
            lambda: run.sweep(baseline, table, instant, axes, people=folks_table, **where)
        )
        return json.dumps(out.document()), wall, time.process_time() - cpu0

    print(f"{'way':<44}{'wall s':>9}{'cpu s':>8}  load", flush=True)
    done: dict[str, tuple[str, float, float]] = {}
    for way in ways:
        if way == "serial":
            done[way] = sweep(workers=1)
            label = "1 worker (in-process, one by one)"
        elif way == "local":
            done[way] = sweep(workers=2)
            label = "--workers 2 (LocalCluster started by sweep)"
        else:
            done[way] = cluster_way(name, sweep, shipped)
            label = "--cluster (LocalCluster of 2, already up)"
        _, wall, cpu = done[way]
        print(f"{label:<44}{wall:>9.2f}{cpu:>8.1f}  {os.getloadavg()[0]:.1f}", flush=True)
    if len({out for out, _, _ in done.values()}) > 1:
        raise SystemExit(f"{name}: the ways gave different results")
    print(f"results identical in {len(done)} ways")
    if "serial" in done:
        t1, c1 = done["serial"][1], done["serial"][2]
        for way in ("local", "cluster"):
            if way in done:
                print(f"wall speedup of {way} over 1 worker: {t1 / done[way][1]:.2f}")
        if "cluster" in done:  # the CPU each side spent: the speedup idle cores would show
            bound = done["cluster"][2] + max(BUSY.values())
            print(f"cpu: 1 worker {c1:.1f} s; cluster: this process {done['cluster'][2]:.1f} s "
                  f"+ busiest worker {max(BUSY.values()):.1f} s -> speedup on idle cores "
                  f"{c1 / bound:.2f}")  # fmt: skip
    main_now, main_peak = memory()
    print(f"this process: RSS {main_now / 1e6:,.0f} MB, peak {main_peak / 1e6:,.0f} MB")


BUSY: dict[str, float] = {}  # CPU seconds each worker of the last cluster way spent


def cluster_way(
    name: str, sweep: Callable[..., tuple[str, float, float]], shipped: Any
) -> tuple[str, float, float]:
    """The sweep on a LocalCluster of 2 started beforehand; prints the scatter time and each
    worker's memory (RSS and peak RSS) and CPU."""
    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster, Client(cluster) as client:  # fmt: skip
        shared, scatter_s = timed(lambda: client.scatter(shipped, broadcast=True, hash=False))
        client.cancel([shared])
        cpu_before = client.run(time.process_time)
        out = sweep(cluster=client)
        cpu_after = client.run(time.process_time)
        rss = client.run(memory)
    print(f"  scatter of the shipped history to 2 workers {scatter_s:.2f} s")
    BUSY.clear()
    for address, (now, peak) in sorted(rss.items()):
        BUSY[address] = cpu_after[address] - cpu_before[address]
        print(f"  worker {address}: RSS {now / 1e6:,.0f} MB, peak {peak / 1e6:,.0f} MB, "
              f"cpu {BUSY[address]:.1f} s")  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--history", help="a history CSV of the default policy to use instead")
    parser.add_argument("--as-of", default=HISTORY_AS_OF, help="the large history's as-of")
    parser.add_argument("--skip-large", action="store_true", help="acme-valves only")
    parser.add_argument("--skip-acme", action="store_true", help="the large history only")
    parser.add_argument(
        "--ways", default="serial,local,cluster", help="which ways to run, in this order"
    )
    args = parser.parse_args()
    ways = args.ways.split(",")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    if not args.skip_acme:
        case(
            "acme-valves",
            str(ACME / "policy.yaml"),
            str(ACME / "history.xlsx"),
            "2027-01-01",
            ["transitions.lapse.after=30d..90d/15d", "quota.limit=20..35/5"],
            str(ACME / "people.csv"),
            ways,
        )
    if args.skip_large:
        return
    large = ["transitions.lapse.after=60d..120d/15d", "quota.limit=35..50/5"]
    if args.history:
        case(args.history, "4321-dcbao@1", args.history, args.as_of, large, None, ways)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "history.csv")
            _, rows = history(args.events, args.customers, args.reps, seed=1)
            write_csv(path, rows)
            del rows
            case(f"{args.events:,} events", "4321-dcbao@1", path, args.as_of, large, None, ways)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
