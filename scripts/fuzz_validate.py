"""Fuzz `rulekit validate`: mutated policies and random condition strings must give diagnostics.

    python scripts/fuzz_validate.py --cases 100000 --seed 1 --jobs 2

Every case goes through `rulekit.api.validate_text` (the whole pipeline: YAML, models,
overlay merge, conditions, graph checks). A crash is any exception, or a diagnostic without
a known code; crashing inputs are written to --crashes. Prints the counts and exits 1 on a crash.
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import random
import sys
import time
import traceback
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from rulekit.policy.yamlsrc import parse_yaml  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "policy" / "4321-dcbao.yaml").read_text(encoding="utf-8")
OVERLAY = (ROOT / "examples" / "acme-valves" / "policy.yaml").read_text(encoding="utf-8")
BASE_DATA = parse_yaml(BASE, "base.yaml")[0].data  # type: ignore[union-attr]

TOKENS = [
    *"abcdeDCBAO_ ()[],.'\"=!<>+-*/%0123456789\\{}:#@，（）",
    "浙江",
    "负责人",
    " and ",
    " or ",
    " not ",
    " in ",
    " not in ",
    "null",
    "true",
    "30d",
    "12mo",
    "2026-03-01",
    "2026-03-01T09:30",
    "38%",
    "state",
    "stage",
    "owner",
    "event.type",
    "days_since(",
    "now()",
    "coalesce(",
    "next_stage.target.days",
    "stages.D.flag",
    "==",
    "!=",
    "<=",
    ">=",
    "[new, D, C]",
    "'O+'",
    "O+",
    "region",
    "budget",
    "last_activity_at",
]
SCALARS = [
    None,
    True,
    0,
    -1,
    1.5,
    "",
    "x",
    "30d",
    "0d",
    "-3d",
    "12mo",
    "100%",
    "150%",
    "1.0.0",
    "state in [new, D]",
    "L",
    "start",
    "same",
    "any",
    "admin",
    "rep",
    "owner",
    "promote Z",
    "promote D",
    [],
    {},
    ["a", "b"],
    {"x": 1},
    "浙江",
    "\t",
    "a: b",
    "- x",
    "*a",
    "&a x",
]


def random_condition(rng: random.Random) -> str:
    return "".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 30)))


def case_condition(rng: random.Random) -> str:
    text = random_condition(rng).replace("\\", "\\\\").replace('"', '\\"')
    key = rng.choice(["when", "when", "message", "requires"])
    if key == "requires":
        return OVERLAY + f'stages:\n  B: {{requires: "{text}"}}\n'
    extra = '    when: "true"\n' if key == "message" else ""
    return OVERLAY + f'  fuzz:\n    {key}: "{text}"\n' + extra


def case_lines(rng: random.Random) -> str:
    lines = rng.choice([BASE, OVERLAY]).splitlines()
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        action = rng.choice(["delete", "duplicate", "splice", "indent", "swap"])
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = " " * rng.randint(0, 4) + lines[i].lstrip()
        elif action == "swap":
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            j = rng.randint(0, len(lines[i]))
            piece = "".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 4)))
            lines[i] = lines[i][:j] + piece + lines[i][j + rng.randint(0, 4) :]
        if not lines:
            break
    return "\n".join(lines) + "\n"


def _mutate(node: object, rng: random.Random, depth: int = 0) -> object:
    if isinstance(node, dict) and node and rng.random() < 0.8:
        key = rng.choice(list(node))
        roll = rng.random()
        if roll < 0.15:
            del node[key]
        elif roll < 0.25:
            node[str(key) + rng.choice(["", "x", "_"])] = copy.deepcopy(rng.choice(SCALARS))
        else:
            node[key] = _mutate(node[key], rng, depth + 1)
        return node
    if isinstance(node, list) and node and rng.random() < 0.8:
        i = rng.randrange(len(node))
        node[i] = _mutate(node[i], rng, depth + 1)
        return node
    return copy.deepcopy(rng.choice(SCALARS))


def case_structure(rng: random.Random) -> str:
    data = copy.deepcopy(BASE_DATA)
    for _ in range(rng.randint(1, 3)):
        data = _mutate(data, rng)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def case_text(rng: random.Random) -> str:
    alphabet = "ab:- \n[]{}'\"#&*!|>%@`,?浙\t"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))


KINDS = [(case_condition, 0.4), (case_lines, 0.25), (case_structure, 0.25), (case_text, 0.1)]


def run(args: tuple[int, int, int, str]) -> tuple[int, int, list[str]]:
    worker, start, count, crashes_dir = args
    from rulekit.api import validate_text
    from rulekit.diagnostics import CODES

    rng = random.Random()
    crashes: list[str] = []
    with_errors = 0
    for n in range(start, start + count):
        rng.seed(n)
        make = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        text = make(rng)
        try:
            diags = validate_text(text, "fuzz.yaml", policy_path=[str(ROOT / "policy")])
            bad = [d for d in diags if d.code not in CODES or not d.message]
            if bad:
                raise AssertionError(f"unknown code or empty message: {bad}")
            with_errors += any(d.is_error for d in diags)
        except Exception:  # noqa: BLE001 - any exception is a crash to report
            path = Path(crashes_dir) / f"crash-{n}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text + "\n# " + traceback.format_exc().replace("\n", "\n# "))
            crashes.append(str(path))
    return count, with_errors, crashes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1, help="case n uses seed*10^9 + n")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--crashes", default="fuzz-crashes")
    args = parser.parse_args()
    base = args.seed * 10**9
    per = -(-args.cases // args.jobs)
    chunks = []
    for w in range(args.jobs):
        count = min(per, args.cases - w * per)
        if count > 0:
            chunks.append((w, base + w * per, count, args.crashes))
    t0 = time.perf_counter()
    with multiprocessing.Pool(len(chunks)) as pool:
        results = pool.map(run, chunks)
    elapsed = time.perf_counter() - t0
    total = sum(r[0] for r in results)
    invalid = sum(r[1] for r in results)
    crashes = [c for r in results for c in r[2]]
    print(
        f"cases: {total:,}  with errors: {invalid:,}  crashes: {len(crashes)}  "
        f"time: {elapsed:.1f} s ({total / elapsed:,.0f} cases/s, {args.jobs} jobs)"
    )
    for c in crashes[:20]:
        print("  crash:", c)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
