"""rulekit against a hand-written implementation of the default policy, as whole processes.

    python benchmarks/vs_handwritten.py [HANDWRITTEN.py] [--customers 100000] [--repeat 3]
        [--fields] [--text]

HANDWRITTEN.py is a standard-library program that prints the same JSON document as
`rulekit replay|run --format json` for the default policy (`HANDWRITTEN.py replay|run FILE
--as-of T`); by default the reference implementation beside the project
(../shared/bench/fast_default.py). Both read the same generated CSV files; the documents
are compared (parsed) before any time is read, then each command runs `--repeat` times,
interleaved, and the table shows medians, peak RSS and rulekit's speed as a multiple of the
hand-written one (> 1: rulekit is faster). `--fields` adds two declared fields of the default
policy (`region`, `industry`) to every history row, as real exports carry them; `--text`
also times `rulekit replay` and `rulekit run` with their default text output.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import HISTORY_AS_OF, history  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HANDWRITTEN = ROOT.parent / "shared" / "bench" / "fast_default.py"
REGIONS = ("华东", "华北", "华南", "西南")
RUN_AS_OF = "2027-03-31"  # a quarter after the history: timers fall due
INDUSTRIES = ("制造", "能源", "医药", "化工", "食品")


def write(path: Path, columns: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(columns)
        out.writerows(rows)


def with_fields(columns: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Add `region` and `industry` cells to every row (a customer keeps its values)."""
    at = columns.index("customer")
    out = []
    for row in rows:
        n = int(row[at][1:])
        out.append([*row, REGIONS[n % len(REGIONS)], INDUSTRIES[n % len(INDUSTRIES)]])
    return [*columns, "region", "industry"], out


def timed(cmd: list[str], out: Path) -> tuple[float, float]:
    """Run `cmd` with stdout to `out`: (wall seconds, peak RSS in MB). The peak is read by
    GNU time where there is one: a child forked from this process would report at least
    this process's own size (Linux keeps the high-water mark across fork and exec)."""
    rss_file = out.with_suffix(".rss")
    gnu_time = shutil.which("time") or "/usr/bin/time"
    measured = os.path.exists(gnu_time)
    full = [gnu_time, "-f", "%M", "-o", str(rss_file), *cmd] if measured else cmd
    with out.open("wb") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdout=fh, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {err[-2000:]}")
    if measured:
        return wall, int(rss_file.read_text().split()[-1]) / 1024
    return wall, usage.ru_maxrss / 1024


def normal(doc: dict[str, Any]) -> dict[str, Any]:
    """The document without what the hand-written program leaves out of `run`'s rep rows:
    the funnel's `new` count and an empty `violations` list (rulekit writes both)."""
    for rep in doc.get("reps", []):
        if isinstance(rep.get("funnel"), dict):
            rep["funnel"].pop("new", None)
        if rep.get("violations") == []:
            del rep["violations"]
    return doc


def compare(label: str, commands: dict[str, list[str]], tmp: Path, repeat: int) -> list[str]:
    outputs = {name: tmp / f"{label}-{name}.out".replace(" ", "_") for name in commands}
    for name, cmd in commands.items():
        timed(cmd, outputs[name])
    docs = {
        name: normal(json.loads(outputs[name].read_bytes()))
        for name in commands
        if "(text)" not in name
    }
    first = next(iter(docs.values()))
    for name, doc in docs.items():
        if doc != first:
            raise SystemExit(f"{label}: the documents of {name} and the hand-written differ")
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
    for _ in range(repeat):
        for name, cmd in commands.items():
            wall, rss = timed(cmd, outputs[name])
            times[name].append(wall)
            peaks[name] = max(peaks[name], rss)
    base = statistics.median(times["hand-written"])
    rows = []
    for name in commands:
        median = statistics.median(times[name])
        ratio = "—" if name == "hand-written" else f"{base / median:.2f}×"
        rows.append(f"{label} | {name} | {median:.2f} | {peaks[name]:,.0f} | {ratio}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("handwritten", nargs="?", default=str(DEFAULT_HANDWRITTEN))
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--events-per-customer", type=float, default=3.7)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fields", action="store_true", help="add region and industry cells")
    parser.add_argument("--text", action="store_true", help="also time the text output")
    args = parser.parse_args()
    if not Path(args.handwritten).is_file():
        raise SystemExit(f"{args.handwritten}: no such file (give the hand-written program)")
    rulekit = str(Path(sys.executable).with_name("rulekit"))
    hand = [sys.executable, args.handwritten]
    events = int(args.customers * args.events_per_customer)
    print(f"generating {args.customers:,} customers, about {events:,} events …", file=sys.stderr)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        columns, rows = history(events, args.customers, args.reps, seed=1)
        if args.fields:
            columns, rows = with_fields(columns, rows)
        events_csv = tmp / "history.csv"
        write(events_csv, columns, rows)
        records_csv = tmp / "records.csv"  # the replay's snapshot: consistent records
        subprocess.run(
            [rulekit, "replay", "4321-dcbao@1", str(events_csv), "--as-of", HISTORY_AS_OF,
             "--format", "json", "--out", str(records_csv)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        replay_rk = [rulekit, "replay", "4321-dcbao@1", str(events_csv), "--as-of", HISTORY_AS_OF]
        replay = {
            "hand-written": [*hand, "replay", str(events_csv), "--as-of", HISTORY_AS_OF],
            "rulekit": [*replay_rk, "--format", "json"],
        }
        if args.text:
            replay["rulekit (text)"] = replay_rk
        run_rk = [rulekit, "run", "4321-dcbao@1", str(records_csv), "--as-of", RUN_AS_OF]
        run = {
            "hand-written": [*hand, "run", str(records_csv), "--as-of", RUN_AS_OF],
            "rulekit": [*run_rk, "--format", "json"],
        }
        if args.text:
            run["rulekit (text)"] = run_rk
        table = ["what | program | median s | peak MB | speed vs hand-written"]
        table += compare(f"replay {len(rows):,} events", replay, tmp, args.repeat)
        table += compare(f"run {args.customers:,} records", run, tmp, args.repeat)
    print("\n".join(table))


if __name__ == "__main__":
    main()
