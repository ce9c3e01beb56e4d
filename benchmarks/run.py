"""rulekit's benchmark suite: snapshot evaluation against hand-written code and zen-engine,
replay of a large history, and a dry-run of two policies. One process, `time.perf_counter`.

    python benchmarks/run.py                      # 100k and 1M records, 1M-event replay
    python benchmarks/run.py --quick              # 100k records, 100k-event replay (< 1 min)
    python benchmarks/run.py --sizes 200000 --repeat 5 --no-zen

Per snapshot size: build the records (data.snapshot), run every variant once and CHECK that
they agree with the hand-written Python function on every customer's state, stage, priority,
overdue_days, violations, holds_slot, state_since, lapses and due timer, and every rep's
slots_used, expected_signings, funnel and violations (exit 1 with the first differences if
not); then time each (best of --repeat; a variant whose one run takes longer than --budget
seconds is not repeated) and print: variant, records, seconds, records/s, ratio to the
hand-written Python function. Then (d) replay of a history and (e) a dry-run of the default
policy against an overlay (quota 30, lapse 60d) over it, with peak RSS per phase.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import data  # noqa: E402
import handwritten  # noqa: E402
import handwritten_polars  # noqa: E402
from history import write_csv  # noqa: E402


def _load_zen_bench() -> Any:
    """benchmarks/zen.py under another name (`import zen` must reach zen-engine)."""
    spec = importlib.util.spec_from_file_location("zen_bench", HERE / "zen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


zen_bench = _load_zen_bench()


# -- the machine ----------------------------------------------------------------------------
def machine() -> str:
    model = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        model = platform.processor() or "?"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for name in ("polars", "zen-engine", "psutil"):
        try:
            from importlib.metadata import version

            versions.append(f"{name} {version(name)}")
        except Exception:  # noqa: BLE001 - not installed
            versions.append(f"{name} n/a")
    return (
        f"machine: {usable} usable CPUs (nproc), {os.cpu_count()} online · {model} · "
        f"Python {platform.python_version()} ({platform.python_implementation()}) · "
        + " · ".join(versions)
    )


# -- peak memory ----------------------------------------------------------------------------
class PeakRSS:
    """Samples the process's RSS every few ms while a phase runs; `.peak` in bytes."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        try:
            import psutil

            self._proc: Any = psutil.Process()
        except ImportError:  # fall back to the process's lifetime peak
            self._proc = None

    def _rss(self) -> int:
        if self._proc is not None:
            return int(self._proc.memory_info().rss)
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakRSS:
        self.peak = self._rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


# -- canonical forms for the agreement check ------------------------------------------------
Canon = tuple[dict[str, tuple[Any, ...]], dict[str, tuple[Any, ...]], int]


def _naive(value: datetime | None, tz: Any = None) -> str | None:
    """An instant as naive local ISO text (aware ones converted to the policy's zone)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(tz).replace(tzinfo=None)
    return value.isoformat(timespec="seconds")


def _customer(
    state: Any,
    stage: Any,
    prio: Any,
    overdue: Any,
    viol: Any,
    holds: Any,
    since: Any,
    lapses: Any,
    due: Any,
    tz: Any = None,
) -> tuple[Any, ...]:
    """One customer's compared fields, in one form whatever the variant gave."""
    return (
        state, stage, prio, overdue, tuple(viol), bool(holds), _naive(since, tz), int(lapses),
        (due[0], _naive(due[1], tz)) if due else None,
    )  # fmt: skip


def canon_lists(out: tuple[list[list[Any]], dict[str, tuple[Any, ...]], int]) -> Canon:
    """handwritten.evaluate's (and zen's aggregate's) output."""
    rows, reps, timers = out
    customers = {}
    for cid, *fields in rows:
        customers[cid] = _customer(*fields)
    canon_reps = {
        rep: (used, signings, tuple(funnel.items()), tuple(viol))
        for rep, (used, signings, funnel, viol) in reps.items()
    }
    return customers, canon_reps, timers


def canon_rulekit(result: Any) -> Canon:
    tz = result.tz
    customers = {
        c.customer: _customer(
            c.state, c.stage, c.priority, c.overdue_days, c.violations, c.holds_slot,
            c.state_since, c.lapses, c.due, tz,
        )
        for c in result.customers
    }  # fmt: skip
    reps = {
        r.rep: (r.slots_used, r.expected_signings, tuple(r.funnel.items()), tuple(r.violations))
        for r in result.reps
    }
    return customers, reps, result.timers


def canon_polars(out: tuple[Any, Any]) -> Canon:
    customers_df, reps_df = out
    customers = {}
    timers = 0
    for row in customers_df.iter_rows():
        cid, state, stage, prio, overdue, viol, holds, since, lapses, due_to, due_at, t = row
        timers += t
        due = (due_to, due_at) if due_to is not None else None
        customers[cid] = _customer(state, stage, prio, overdue, viol, holds, since, lapses, due)
    labels = handwritten_polars.LABELS
    reps = {}
    for row in reps_df.iter_rows(named=True):
        reps[row["rep"]] = (
            row["slots_used"],
            row["expected_signings"],
            tuple((k, row[k]) for k in labels),
            tuple(row["violations"]),
        )
    return customers, reps, timers


FIELDS = (
    "state",
    "stage",
    "priority",
    "overdue_days",
    "violations",
    "holds_slot",
    "state_since",
    "lapses",
    "due",
)
REP_FIELDS = ("slots_used", "expected_signings", "funnel", "violations")


def differences(name: str, got: Canon, want: Canon, limit: int = 10) -> list[str]:
    """The first differences of `got` from the reference `want`."""
    out: list[str] = []
    for kind, g, w, fields in (
        ("customer", got[0], want[0], FIELDS),
        ("rep", got[1], want[1], REP_FIELDS),
    ):
        for key in sorted(w.keys() - g.keys())[:limit]:
            out.append(f"{name}: {kind} {key} missing")
        for key in sorted(g.keys() - w.keys())[:limit]:
            out.append(f"{name}: {kind} {key} not in the reference")
        for key in sorted(w.keys() & g.keys()):
            if g[key] != w[key]:
                for field, a, b in zip(fields, g[key], w[key], strict=True):
                    if a != b:
                        out.append(f"{name}: {kind} {key} {field}: {a!r} != reference {b!r}")
            if len(out) >= limit:
                return out
    if got[2] != want[2]:
        out.append(f"{name}: timers fired {got[2]} != reference {want[2]}")
    return out[:limit]


# -- timing ---------------------------------------------------------------------------------
# Inputs are built before timing and then frozen (gc.freeze): the collector still runs during
# a timed call, but does not walk the millions of input cells, which would charge every variant
# for the harness's data (a full collection at 1M records takes seconds). --no-gc turns the
# collector off during timed calls instead, as timeit does.
NO_GC = False


def _call(fn: Callable[[], Any]) -> tuple[Any, float]:
    gc.collect()
    if NO_GC:
        gc.disable()
    try:
        t0 = time.perf_counter()
        out = fn()
        return out, time.perf_counter() - t0
    finally:
        gc.enable()


def freeze() -> None:
    """Move every object alive now out of the collector's sight (the inputs)."""
    gc.collect()
    gc.freeze()


def best_of(fn: Callable[[], Any], repeat: int, budget: float, first: float | None) -> tuple:
    """(best seconds, runs): `first` is the check run's time (it counts as a run)."""
    times = [first] if first is not None else []
    while len(times) < repeat and (not times or min(times) * (len(times) + 1) <= budget):
        out, seconds = _call(fn)
        times.append(seconds)
        del out
    return min(times), len(times)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    return _call(fn)


class Table:
    """The printed table."""

    HEAD = ("variant", "records", "seconds", "records/s", "× python", "runs", "peak RSS", "notes")

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(
        self,
        variant: str,
        records: int,
        seconds: float | None,
        ratio_to: float | None = None,
        runs: int | str = "",
        rss: int | None = None,
        notes: str = "",
    ) -> None:
        if seconds is None:
            self.rows.append((variant, f"{records:,}", "n/a", "n/a", "n/a", "", "", notes))
            return
        rate = records / seconds if seconds > 0 else float("inf")
        ratio = f"{ratio_to / seconds:.3f}×" if ratio_to else "—"
        self.rows.append(
            (
                variant,
                f"{records:,}",
                f"{seconds:.3f}",
                f"{rate:,.0f}",
                ratio,
                str(runs),
                f"{rss / 2**20:,.0f} MB" if rss else "",
                notes,
            )
        )

    def section(self, title: str) -> None:
        self.rows.append((f"[{title}]", "", "", "", "", "", "", ""))

    def print(self) -> None:
        widths = [max(len(r[i]) for r in [self.HEAD, *self.rows]) for i in range(len(self.HEAD))]
        right = {1, 2, 3, 4, 5, 6}

        def line(cells: tuple[str, ...]) -> str:
            parts = [
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            return "  ".join(parts).rstrip()

        print(line(self.HEAD))
        print("  ".join("-" * w for w in widths))
        for row in self.rows:
            print(line(row))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- (a), (b), (c): snapshot evaluation -----------------------------------------------------
def write_records(path: str, columns: list[str], rows: list[list[str]]) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows(rows)


def handwritten_from_csv(path: str, as_of: datetime) -> Any:
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        columns = next(reader)
        rows = list(reader)
    return handwritten.evaluate(columns, rows, as_of)


def run_variants(
    table: Table,
    n: int,
    variants: list[tuple[str, Callable[[], Any], Callable[[Any], Canon], str]],
    reference: Canon | None,
    args: argparse.Namespace,
) -> tuple[Canon, float, bool]:
    """Check each variant against `reference` (the first variant's output if None), then time
    it; ratios are to the first variant. Returns (reference, first's seconds, agreed)."""
    ok = True
    base_seconds: float | None = None
    for name, fn, canon, notes in variants:
        log(f"· {name}: checking")
        with PeakRSS() as mem:
            out, first = timed(fn)
            got = canon(out)
            del out
            if reference is None:
                reference = got
            else:
                diff = differences(name, got, reference)
                if diff:
                    ok = False
                    print("\n".join(diff))
            del got
            log(f"· {name}: timing ({first:.2f} s per run)")
            seconds, runs = best_of(fn, args.repeat, args.budget, first)
        if base_seconds is None:
            base_seconds = seconds
        table.add(name, n, seconds, base_seconds, runs, mem.peak, notes)
    assert reference is not None and base_seconds is not None
    return reference, base_seconds, ok


def snapshot_rows(table: Table, n: int, args: argparse.Namespace) -> bool:
    """Time the snapshot variants over n records; False if they disagree."""
    import polars as pl

    import rulekit
    from rulekit.api import _instant
    from rulekit.engine import runner
    from rulekit.tables import Table as RkTable

    reps = max(100, n // 100)
    log(f"· snapshot of {n:,} customers, {reps:,} reps: generating")
    columns, rows = data.snapshot(n, reps, seed=args.seed)
    policy = rulekit.load("4321-dcbao@1")
    as_of = _instant(data.AS_OF, policy)
    local = datetime.fromisoformat(data.AS_OF)
    records = RkTable("<snapshot>", None, columns, rows, None, text_only=True)
    frame = handwritten_polars.frame(columns, rows)
    freeze()

    variants: list[tuple[str, Callable[[], Any], Callable[[Any], Canon], str]] = [
        (
            "python, hand-written",
            lambda: handwritten.evaluate(columns, rows, local),
            canon_lists,
            "handwritten.evaluate over text cells",
        ),
        (
            "rulekit run (default: columnar)",
            lambda: runner.run(policy, records, as_of),
            canon_rulekit,
            "engine.runner.run, in-memory Table of text cells",
        ),
        (
            "rulekit run, row engine",
            lambda: runner.run(policy, records, as_of, engine="row"),
            canon_rulekit,
            'engine="row": one customer at a time',
        ),
        (
            "polars, hand-written",
            lambda: handwritten_polars.evaluate(handwritten_polars.frame(columns, rows), local),
            canon_polars,
            "incl. building the DataFrame from the rows",
        ),
        (
            "polars, hand-written (frame ready)",
            lambda: handwritten_polars.evaluate(frame, local),
            canon_polars,
            "DataFrame of text columns built beforehand",
        ),
    ]
    table.section(f"snapshot evaluation · {n:,} customers · {reps:,} reps · as of {data.AS_OF}")
    reference, base_seconds, ok = run_variants(table, n, variants, None, args)
    ok = zen_row(table, n, columns, rows, reference, base_seconds, args) and ok
    if args.files:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "records.csv")
            write_records(path, columns, rows)
            size = os.path.getsize(path) / 2**20
            table.section(f"the same from a CSV file ({size:.0f} MB): read + evaluate")
            file_variants = [
                (
                    "python csv module + hand-written",
                    lambda: handwritten_from_csv(path, local),
                    canon_lists,
                    "csv.reader, then handwritten.evaluate",
                ),
                (
                    "rulekit.run(policy, path)",
                    lambda: rulekit.run(policy, path, as_of=data.AS_OF),
                    canon_rulekit,
                    "the library call: polars reads the file, columnar engine",
                ),
                (
                    'rulekit.run(policy, path, engine="row")',
                    lambda: rulekit.run(policy, path, as_of=data.AS_OF, engine="row"),
                    canon_rulekit,
                    "read_table + the row engine",
                ),
                (
                    "polars read_csv + hand-written",
                    lambda: handwritten_polars.evaluate(
                        pl.read_csv(path, infer_schema=False), local
                    ),
                    canon_polars,
                    "all columns read as text",
                ),
            ]
            _, _, file_ok = run_variants(table, n, file_variants, reference, args)
            ok = ok and file_ok
    return ok


def zen_row(
    table: Table,
    n: int,
    columns: list[str],
    rows: list[list[str]],
    reference: Canon,
    base_seconds: float,
    args: argparse.Namespace,
) -> bool:
    """(c) zen-engine evaluating the per-record logic as a JDM decision, record by record."""
    ok = True
    # (c) zen-engine, per record
    name = "zen-engine JDM, per record"
    if args.no_zen:
        table.add(name, n, None, notes="skipped (--no-zen)")
        return ok
    try:
        decision = zen_bench.decision(data.AS_OF)
    except Exception as exc:  # noqa: BLE001 - any refusal of the engine is reported
        table.add(name, n, None, notes=f"n/a: {type(exc).__name__}: {exc}"[:120])
        return ok
    if args.zen_max and n > args.zen_max:
        table.add(name, n, None, notes=f"skipped: more than --zen-max {args.zen_max:,} records")
        return ok
    log(f"· {name}: checking (this is slow)")
    try:
        with PeakRSS() as mem:
            results, first = timed(lambda: zen_bench.evaluate_records(decision, columns, rows))
            agg, agg_seconds = timed(partial(zen_bench.aggregate, columns, rows, results))
            diff = differences(name, canon_lists(agg), reference)  # type: ignore[arg-type]
            del agg, results
            if diff:
                ok = False
                print("\n".join(diff))
            seconds, runs = best_of(
                lambda: zen_bench.evaluate_records(decision, columns, rows),
                args.repeat,
                args.budget,
                first,
            )
    except Exception as exc:  # noqa: BLE001
        table.add(name, n, None, notes=f"n/a: {type(exc).__name__}: {exc}"[:120])
        return ok
    table.add(
        name,
        n,
        seconds,
        base_seconds,
        runs,
        mem.peak,
        f"ranking + per-rep sums in Python not timed (+{agg_seconds:.2f} s)",
    )
    return ok


# -- (d), (e): replay and dry-run ------------------------------------------------------------
def once(
    table: Table, name: str, n: int, fn: Callable[[], Any], notes: str | Callable[[Any], str]
) -> Any:
    """Run `fn` once, watching its peak RSS; add its row to `table`; return what it gave
    (the caller drops it, so that the next phase's peak does not count it)."""
    with PeakRSS() as mem:
        out, seconds = timed(fn)
    text = notes(out) if callable(notes) else notes
    table.add(name, n, seconds, runs=1, rss=mem.peak, notes=text)
    return out


def replay_rows(table: Table, events: int, customers: int, args: argparse.Namespace) -> None:
    import rulekit
    from rulekit.analysis.dryrun import dry_run
    from rulekit.api import _instant
    from rulekit.engine import runner
    from rulekit.engine.core import program as programs
    from rulekit.engine.input.history import read_events
    from rulekit.tables import read_table
    from rulekit.tables.fastcsv import read_table_fast

    reps = max(100, customers // 100)
    log(f"· history of {events:,} events over {customers:,} customers: generating")
    columns, rows = data.history(events, customers, reps, seed=args.seed)
    n = len(rows)
    baseline = rulekit.load("4321-dcbao@1")
    as_of = _instant(data.HISTORY_AS_OF, baseline)
    table.section(
        f"replay · {n:,} events · {customers:,} customers · {reps:,} reps · "
        f"as of {data.HISTORY_AS_OF}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "history.csv")
        write_csv(path, rows)
        del rows
        size = os.path.getsize(path)
        freeze()
        log("· read the CSV")
        events_frame = once(
            table,
            "read CSV into polars (read_table_fast)",
            n,
            lambda: read_table_fast(path),
            f"{size / 2**20:.0f} MB file",
        )
        once(
            table,
            "read CSV as rows (tables.read_table)",
            n,
            lambda: read_table(path),
            "the reader of XLSX-like or quoted files; not used below",
        )
        program = programs.build(baseline)
        freeze()  # the frame read
        once(
            table,
            "parse events (engine.events.read_events)",
            n,
            partial(read_events, events_frame, program, as_of),
            "column-wise from the frame; part of the replay row below",
        )
        del events_frame
        log("· replay")
        once(
            table,
            "replay (engine.runner.replay)",
            n,
            lambda: runner.replay(baseline, read_table_fast(path), as_of),
            lambda result: (
                f"from the file: read + parse + replay + result; applied "
                f"{result.applied:,}, refused {len(result.rejected):,}, timers {result.timers:,}"
            ),
        )
        cand_path = os.path.join(tmp, "candidate.yaml")
        with open(cand_path, "w", encoding="utf-8") as fh:
            fh.write(data.CANDIDATE)
        candidate = rulekit.load(cand_path)
        log("· dry-run")
        once(
            table,
            "dry-run default vs quota 30/lapse 60d",
            n,
            lambda: dry_run(baseline, candidate, read_table_fast(path), as_of),
            lambda dry: f"from the file: two replays + diff; {len(dry.changed):,} customers change",
        )
    gc.unfreeze()
    gc.collect()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="snapshot sizes, comma-separated")
    parser.add_argument("--quick", action="store_true", help="100k records and 100k events only")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds: no repeat beyond")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000, help="customers of the history")
    parser.add_argument("--no-zen", action="store_true")
    parser.add_argument("--zen-max", type=int, default=0, help="skip zen above this many records")
    parser.add_argument("--no-replay", action="store_true")
    parser.add_argument(
        "--no-files", dest="files", action="store_false", help="skip the from-a-CSV-file rows"
    )
    parser.add_argument("--no-gc", action="store_true", help="collector off in timed calls")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.quick:
        sizes = [100_000]
        args.events, args.customers = 100_000, 10_000
        args.repeat = min(args.repeat, 2)
        args.budget = min(args.budget, 8.0)
    global NO_GC
    NO_GC = args.no_gc
    print(machine())
    gc_note = "off during timed calls" if NO_GC else "on, inputs frozen (gc.freeze)"
    print(f"one process, time.perf_counter, best of {args.repeat}; garbage collector {gc_note}")
    table = Table()
    # replay first: its peak RSS is then not inflated by the snapshots' freed memory
    if not args.no_replay:
        replay_rows(table, args.events, args.customers, args)
    ok = True
    for n in sizes:
        ok = snapshot_rows(table, n, args) and ok
        gc.unfreeze()
        gc.collect()
    print()
    table.print()
    if not ok:
        print("\nvariants DISAGREE (differences above)", file=sys.stderr)
        return 1
    print("× python: speed relative to the first row of its section (higher is faster)")
    print("\nall variants agree with the hand-written Python function")
    return 0


if __name__ == "__main__":
    sys.exit(main())
