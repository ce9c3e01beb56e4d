"""Start-up cost of rulekit as whole processes: `validate`, `--help` and `import rulekit`.

    python benchmarks/startup.py [--runs 15] [--python .venv/bin/python] [--baseline SRC]

Each command runs once to warm the operating system's file cache and Python's bytecode
cache (`__pycache__`, written even when PYTHONDONTWRITEBYTECODE is set in the caller's
environment, as an installed package has it), then `--runs` times, the commands
interleaved. The table shows, per command, the median and the best wall time and the
median CPU time (user + system, from the kernel's accounting of the child) in
milliseconds. On a shared machine the CPU time and the best wall time are the numbers to
compare; the median wall time is what a loaded machine gives. `--baseline SRC` also runs
every command with another copy of rulekit's source first on the path (PYTHONPATH=SRC, e.g.
an older commit's `src` from `git archive`), each run of it next to one of this copy, and
adds its median and best wall time, its median CPU time and the ratio of the CPU times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = "policy/4321-dcbao.yaml"
OVERLAY = "examples/acme-valves/proposal.yaml"
FOLDER = "examples/pool-rules"


def commands(python: str) -> list[tuple[str, list[str]]]:
    """(label, argv) of each timed command."""
    rulekit = [str(Path(python).parent / "rulekit")]
    return [
        (f"rulekit validate {DEFAULT}", [*rulekit, "validate", DEFAULT]),
        (f"rulekit validate {OVERLAY} (overlay)", [*rulekit, "validate", OVERLAY]),
        (f"rulekit validate {FOLDER}/ (folder)", [*rulekit, "validate", FOLDER]),
        ("rulekit validate 4321-dcbao@1", [*rulekit, "validate", "4321-dcbao@1"]),
        ("rulekit --help", [*rulekit, "--help"]),
        ('python -c "import rulekit"', [python, "-c", "import rulekit"]),
        ("python -c pass (the interpreter alone)", [python, "-c", "pass"]),
    ]


def once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run `argv`; return (wall ms, CPU ms of the child)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else b""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {err.decode()[-2000:]}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    parser.add_argument("--baseline", help="another rulekit source folder to compare with")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    base_env = {**env, "PYTHONPATH": str(Path(args.baseline).resolve())} if args.baseline else None
    todo = commands(args.python)
    for _, argv in todo:
        once(argv, env)
        if base_env:
            once(argv, base_env)
    walls: dict[str, list[float]] = {label: [] for label, _ in todo}
    cpus: dict[str, list[float]] = {label: [] for label, _ in todo}
    base_walls: dict[str, list[float]] = {label: [] for label, _ in todo}
    base_cpus: dict[str, list[float]] = {label: [] for label, _ in todo}
    for _ in range(args.runs):
        for label, argv in todo:
            if base_env:
                base_wall, base_cpu = once(argv, base_env)
                base_walls[label].append(base_wall)
                base_cpus[label].append(base_cpu)
            wall, cpu = once(argv, env)
            walls[label].append(wall)
            cpus[label].append(cpu)
    print(f"{args.runs} runs each, interleaved; load average {os.getloadavg()[0]:.2f}; ms")
    head = f"{'command':<58} {'wall median':>11} {'wall best':>9} {'CPU median':>10}"
    base_head = f" {'base median':>11} {'base best':>9} {'base CPU':>8} {'ratio':>6}"
    print(head + (base_head if base_env else ""))
    for label, _ in todo:
        cpu = statistics.median(cpus[label])
        line = (
            f"{label:<58} {statistics.median(walls[label]):>11.0f} {min(walls[label]):>9.0f} "
            f"{cpu:>10.0f}"
        )
        if base_env:
            base = statistics.median(base_cpus[label])
            wall = statistics.median(base_walls[label])
            line += f" {wall:>11.0f} {min(base_walls[label]):>9.0f} {base:>8.0f} {cpu / base:>6.2f}"
        print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
