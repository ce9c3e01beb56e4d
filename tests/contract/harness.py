"""Run the real `rulekit replay` / `rulekit run` on generated cases and diff with the reference.

    .venv/bin/python -m tests.contract.harness --seeds 500            # summary + histogram
    .venv/bin/python -m tests.contract.harness --seed 17 --show 20    # one case, its diffs
    .venv/bin/python -m tests.contract.harness --seeds 200 --no-ambiguous --dump /tmp/cases

Exit code 0 when every case agrees, 1 otherwise, 3 when the commands do not exist yet.
"""

from __future__ import annotations

import argparse
import collections
import csv
import io
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

if __package__ in (None, ""):  # run as a script: python tests/contract/harness.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.contract.generate import Case, gen_case, overlay_yaml  # noqa: E402
from tests.contract.reference import BadRows, read_csv, replay, run  # noqa: E402

MISSING = "<missing>"


@dataclass
class Diff:
    where: str  # customer id, rep id, "row N", or "" for the document
    field: str  # histogram key: "customers.state", "reps.slots_used", "counts.timers", ...
    expected: Any
    got: Any

    def __str__(self) -> str:
        at = f"[{self.where}] " if self.where else ""
        return f"{at}{self.field}: expected {self.expected!r}, got {self.got!r}"


# --------------------------------------------------------------------------- the real CLI


def _cli() -> Any:
    from rulekit.cli.main import cli

    return cli


def command_available(name: str) -> bool:
    """True when `rulekit NAME --help` works (exit 0)."""
    try:
        res = CliRunner().invoke(_cli(), [name, "--help"])
    except Exception:  # pragma: no cover - an import error in the CLI
        return False
    return res.exit_code == 0


def invoke(case: Case, workdir: Path) -> tuple[int, str, str]:
    """Run the real command for `case` in `workdir`: (exit code, stdout, stderr)."""
    workdir.mkdir(parents=True, exist_ok=True)
    if case.policy.is_default:
        policy = "4321-dcbao@1"
    else:
        path = workdir / "overlay.yaml"
        path.write_text(overlay_yaml(case.policy), encoding="utf-8")
        policy = str(path)
    table = write_table(
        case.table,
        workdir / ("events" if case.kind == "replay" else "records"),
        TABLE_FORMATS[case.seed % len(TABLE_FORMATS)] if case.seed >= 0 else "csv",
    )
    args = [case.kind, policy, str(table), "--as-of", case.as_of, "--format", "json"]
    if case.people is not None:
        people = workdir / "people.csv"
        people.write_text(case.people, encoding="utf-8")
        args += ["--people", str(people)]
    if case.skip_bad_rows:
        args.append("--skip-bad-rows")
    res = CliRunner().invoke(_cli(), args)
    err = res.stderr if res.stderr else ""
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        import traceback

        err += "".join(traceback.format_exception(res.exception))
    return res.exit_code, res.stdout, err


#: the table formats of CONTRACT section 1, one per seed in turn (plain CSV most often)
TABLE_FORMATS = (
    "csv",
    "csv",
    "csv-bom",
    "csv",
    "gb18030",
    "csv",
    "jsonl",
    "csv",
    "parquet",
    "xlsx",
)


def write_table(text: str, stem: Path, fmt: str) -> Path:
    """Write CSV text as `fmt` (every cell a string, blanks as empty strings); the path."""
    if fmt == "csv":
        path = stem.with_suffix(".csv")
        path.write_text(text, encoding="utf-8")
    elif fmt == "csv-bom":
        path = stem.with_suffix(".csv")
        path.write_text(text, encoding="utf-8-sig")
    elif fmt == "gb18030":
        path = stem.with_suffix(".csv")
        path.write_bytes(text.encode("gb18030"))
    else:
        rows = list(csv.reader(io.StringIO(text)))
        header, body = rows[0], rows[1:]
        if fmt == "jsonl":
            path = stem.with_suffix(".jsonl")
            lines = [
                json.dumps(dict(zip(header, r, strict=True)), ensure_ascii=False) for r in body
            ]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        elif fmt == "parquet":
            import polars as pl

            path = stem.with_suffix(".parquet")
            cols = {h: [r[i] for r in body] for i, h in enumerate(header)}
            pl.DataFrame(cols, schema=dict.fromkeys(header, pl.String)).write_parquet(path)
        else:
            import xlsxwriter

            path = stem.with_suffix(".xlsx")
            book = xlsxwriter.Workbook(str(path))
            sheet = book.add_worksheet()
            for i, r in enumerate(rows):
                for j, v in enumerate(r):
                    if v != "":
                        sheet.write_string(i, j, v)
            book.close()
    return path


def expected(case: Case) -> dict[str, Any] | None:
    """The reference document, or None when the input is invalid (exit 1 expected)."""
    rows = read_csv(case.table)
    if case.kind == "run":
        return run(rows, case.as_of, case.policy)
    people = read_csv(case.people) if case.people is not None else None
    try:
        return replay(rows, case.as_of, case.policy, people, case.skip_bad_rows)
    except BadRows:
        return None


# --------------------------------------------------------------------------- comparison


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, int | float) and isinstance(b, int | float):
            return abs(a - b) < 1e-9
        return False
    return bool(a == b) and type(a) is type(b)


def _cmp_obj(exp: dict[str, Any], got: Any, where: str, prefix: str, out: list[Diff]) -> None:
    if not isinstance(got, dict):
        out.append(Diff(where, prefix or "document", "an object", got))
        return
    for k, v in exp.items():
        key = f"{prefix}.{k}" if prefix else k
        if k not in got:
            out.append(Diff(where, key, v, MISSING))
        elif isinstance(v, dict) and isinstance(got[k], dict):
            _cmp_obj(v, got[k], where, key, out)
        elif not _same(v, got[k]):
            out.append(Diff(where, key, v, got[k]))
    for k in got:
        if k not in exp:
            key = f"{prefix}.{k}" if prefix else k
            out.append(Diff(where, f"extra:{key}", MISSING, got[k]))


def _cmp_keyed(exp: list[dict[str, Any]], got: Any, key: str, name: str, out: list[Diff]) -> None:
    if not isinstance(got, list):
        out.append(Diff("", name, "a list", got))
        return
    got_ids = [g.get(key) if isinstance(g, dict) else g for g in got]
    exp_ids = [e[key] for e in exp]
    if sorted(map(str, got_ids)) == sorted(map(str, exp_ids)) and got_ids != exp_ids:
        out.append(Diff("", f"{name}.order", exp_ids[:8], got_ids[:8]))
    by_id = {g.get(key): g for g in got if isinstance(g, dict)}
    for e in exp:
        g = by_id.get(e[key])
        if g is None:
            out.append(Diff(str(e[key]), f"{name}.missing", e, MISSING))
        else:
            _cmp_obj(e, g, str(e[key]), name, out)
    exp_set = set(exp_ids)
    for g in got:
        if isinstance(g, dict) and g.get(key) not in exp_set:
            out.append(Diff(str(g.get(key)), f"{name}.unexpected", MISSING, g))


def compare(exp: dict[str, Any], got: Any) -> list[Diff]:
    """Field-by-field differences between the reference document and the engine's."""
    out: list[Diff] = []
    if not isinstance(got, dict):
        return [Diff("", "document", "a JSON object", got)]
    for k in ("policy", "as_of", "counts"):
        if k not in got:
            out.append(Diff("", k, exp[k], MISSING))
        elif isinstance(exp[k], dict):
            _cmp_obj(exp[k], got[k], "", k, out)
        elif not _same(exp[k], got[k]):
            out.append(Diff("", k, exp[k], got[k]))
    if "customers" in got:
        _cmp_keyed(exp["customers"], got["customers"], "customer", "customers", out)
    else:
        out.append(Diff("", "customers", "a list", MISSING))
    if "reps" in got:
        _cmp_keyed(exp["reps"], got["reps"], "rep", "reps", out)
    else:
        out.append(Diff("", "reps", "a list", MISSING))
    if "rejected" in got:
        _cmp_keyed(exp["rejected"], got["rejected"], "row", "rejected", out)
    else:
        out.append(Diff("", "rejected", "a list", MISSING))
    for k in got:
        if k not in exp:
            out.append(Diff("", f"extra:{k}", MISSING, got[k]))
    return out


def check(case: Case, workdir: Path) -> list[Diff]:
    """Run one case through the real CLI; the differences from the reference."""
    exp = expected(case)
    code, stdout, stderr = invoke(case, workdir)
    if exp is None:
        if code != 1:
            return [Diff("", "exit_code", 1, f"{code}; stderr: {stderr[-300:]}")]
        if stdout.strip():
            try:
                json.loads(stdout)
            except ValueError:
                return [Diff("", "stdout", "nothing or one JSON document", stdout[:200])]
        return []
    if code != 0:
        return [Diff("", "exit_code", 0, f"{code}; stderr: {stderr[-600:]}")]
    try:
        got = json.loads(stdout)
    except ValueError:
        return [Diff("", "stdout", "one JSON document", stdout[:300])]
    return compare(exp, got)


def histogram_key(d: Diff) -> str:
    return d.field


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seeds", type=int, default=100, help="how many seeds (from --start)")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--seed", type=int, default=None, help="run one seed only")
    ap.add_argument("--show", type=int, default=3, help="diffs printed per failing seed")
    ap.add_argument("--quiet", action="store_true", help="summary only")
    ap.add_argument(
        "--no-ambiguous", action="store_true", help="avoid inputs resting on open points"
    )
    ap.add_argument("--dump", type=Path, default=None, help="keep each case's files here")
    args = ap.parse_args(argv)

    missing = [c for c in ("replay", "run") if not command_available(c)]
    if len(missing) == 2:
        print("rulekit has neither `replay` nor `run` yet: nothing to compare", file=sys.stderr)
        return 3
    seeds = [args.seed] if args.seed is not None else range(args.start, args.start + args.seeds)
    hist: collections.Counter[str] = collections.Counter()
    seeds_by_field: dict[str, list[int]] = collections.defaultdict(list)
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            case = gen_case(seed, ambiguous=not args.no_ambiguous)
            if case.kind in missing:
                skipped += 1
                continue
            base = args.dump if args.dump is not None else Path(tmp)
            diffs = check(case, base / f"seed{seed}")
            if not diffs:
                passed += 1
                continue
            failed += 1
            fields = {histogram_key(d) for d in diffs}
            for f in fields:
                hist[f] += 1
                seeds_by_field[f].append(seed)
            if not args.quiet:
                print(f"FAIL {case.describe()}: {len(diffs)} differences")
                for d in diffs[: args.show]:
                    print(f"    {d}")
    print()
    print(f"seeds: {passed} passed, {failed} failed, {skipped} skipped (command missing)")
    if hist:
        print("fields that differ (number of failing seeds, first seeds):")
        for f, n in hist.most_common():
            print(f"  {n:5d}  {f:40s} {seeds_by_field[f][:6]}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
