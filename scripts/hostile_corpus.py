"""Generate a corpus of hostile inputs and faults, run rulekit on each, count what went wrong.

    python scripts/hostile_corpus.py [--timeout 30] [--memory-mb 2048] [--jobs 4] [--keep DIR]

Each case runs `rulekit ...` in its own process, under a timeout and an address-space limit
(resource.setrlimit), and is judged on:

- traceback: "Traceback" on stdout or stderr (users must see a message, never a traceback);
- hang: the run did not end within the timeout;
- bad exit: an exit code outside the case's expected ones (0 done, 1 invalid input, 2 usage
  or unreadable/unwritable file), a crash (a signal, 134 from an abort) or the memory limit;
- leak: a check of its own failed (a terminal escape printed raw, a secret printed, an input
  overwritten, a temporary file left behind, an unbounded message...).

The classes follow issue 13: writes and faults, formula cells, `extends` escapes, encodings,
XLSX bombs, huge numbers and deep nesting, non-finite numbers, devices and FIFOs, a large
overlay, long cells and headers, terminal escapes, out-of-range dates and durations; and
runs that never end by themselves (scripts/hostile_long.py), interrupted after a while.
Prints one line per failing case and the totals; exits 1 if anything went wrong.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from hostile_long import LongCase, limits, long_cases, run_long

ROOT = Path(__file__).resolve().parent.parent
POLICY = str(ROOT / "policy" / "4321-dcbao.yaml")
OVERLAY = "rulekit: 1\nid: x\nversion: 1.0.0\nextends: {}\n"
HEAD = "at,customer,type,actor\n"
RECORDS = "customer,owner,state,D,C,B,A,O,D_at,C_at,B_at,A_at,O_at,state_since,lapses,renewals\n"
AS_OF = ["--as-of", "2026-02-01"]

Check = Callable[[subprocess.CompletedProcess[bytes], Path], str | None]


@dataclass
class Case:
    name: str
    args: list[str]
    exits: set[int] = field(default_factory=lambda: {0, 1, 2})
    check: Check | None = None
    stdout: str | None = None  # a file to send stdout to (e.g. /dev/full)


def _no_raw_escape(proc: subprocess.CompletedProcess[bytes], _: Path) -> str | None:
    return "raw terminal escape printed" if b"\x1b]0;" in proc.stdout + proc.stderr else None


def _no_secret(proc: subprocess.CompletedProcess[bytes], _: Path) -> str | None:
    return "secret printed" if b"hunter2" in proc.stdout + proc.stderr else None


def _short_output(proc: subprocess.CompletedProcess[bytes], _: Path) -> str | None:
    size = len(proc.stdout) + len(proc.stderr)
    return f"{size:,} bytes of output" if size > 200_000 else None


def _file_is(path: Path, content: bytes) -> Check:
    def check(proc: subprocess.CompletedProcess[bytes], folder: Path) -> str | None:
        if path.read_bytes() != content:
            return f"{path.name} was changed"
        left = [p.name for p in folder.iterdir() if ".rulekit-" in p.name]
        return f"temporary files left: {left}" if left else None

    return check


def _no_formula(path: Path) -> Check:
    def check(proc: subprocess.CompletedProcess[bytes], _: Path) -> str | None:
        if not path.exists():
            return "no output written"
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            if any(cell.startswith(("=", "+", "@")) for cell in line.split(",")):
                return f"formula cell written: {line[:60]!r}"
        return None

    return check


def _all(*checks: Check) -> Check:
    def check(proc: subprocess.CompletedProcess[bytes], folder: Path) -> str | None:
        for one in checks:
            problem = one(proc, folder)
            if problem:
                return problem
        return None

    return check


def _write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _far_cell(path: Path, cell: str) -> None:
    import xlsxwriter  # type: ignore[import-untyped]

    with xlsxwriter.Workbook(str(path)) as wb:
        ws = wb.add_worksheet()
        ws.write("A1", "at")
        ws.write(cell, "x")


def _zip_bomb(path: Path, megabytes: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<x>" + b" " * (megabytes << 20) + b"</x>")


def build(folder: Path) -> list[Case]:
    """Write the corpus into `folder`; return the cases that run on it."""
    cases: list[Case] = []
    w = lambda name, data: str(_write(folder, name, data))  # noqa: E731
    history = HEAD + "2026-01-01,C1,archive,wang\n2026-01-02,C2,archive,li\n"

    # 1, 2, 15: writes and faults
    for ext in (".csv", ".xlsx", ".jsonl", ".parquet"):
        h = w(f"writes/h{ext}.csv", history)
        cases.append(
            Case(
                f"out over its input ({ext})",
                ["replay", POLICY, h, *AS_OF, "--out", h],
                {2},
                _file_is(Path(h), history.encode()),
            )
        )
    h = w("writes/h.csv", history)
    people = w("writes/people.csv", "id,name,team,role\nwang,W,t,rep\n")
    cases += [
        Case(
            "out over --people",
            ["replay", POLICY, h, *AS_OF, "--people", people, "--out", people],
            {2},
            _file_is(Path(people), Path(people).read_bytes()),
        ),
        Case(
            "out in a missing folder",
            ["replay", POLICY, h, *AS_OF, "--out", str(folder / "nodir" / "x.csv")],
            {2},
        ),
        Case(
            "out with an unknown extension",
            ["replay", POLICY, h, *AS_OF, "--out", str(folder / "x.txt")],
            {2},
        ),
        Case(
            "json to /dev/full",
            ["replay", POLICY, h, *AS_OF, "--format", "json"],
            {2},
            stdout="/dev/full",
        ),
        Case("text to /dev/full", ["replay", POLICY, h, *AS_OF], {2}, stdout="/dev/full"),
        Case(
            "html over an input",
            ["dry-run", "--baseline", POLICY, "--candidate", POLICY, h, *AS_OF, "--html", h],
            {2},
        ),
        Case("schema to /dev/full", ["schema", "-o", "/dev/full"], {2}),
    ]
    # 3: formula cells
    for i, cell in enumerate(
        ['"=HYPERLINK(""http://x"",""y"")"', "@SUM(A1)", "+cmd|x", '"\r=cmd"', '"\t=1"', "-1+2"]
    ):
        h = w(f"formula/h{i}.csv", HEAD + f"2026-01-01,{cell},archive,{cell}\n")
        out = folder / "formula" / f"out{i}.csv"
        cases.append(
            Case(
                f"formula cell {cell!r}",
                ["replay", POLICY, h, *AS_OF, "--out", str(out)],
                {0, 1},
                _no_formula(out),
            )
        )
    # 4: extends escapes
    w("secret.yaml", "password: hunter2\ntoken: hunter2\n")
    w("client/keys/k.yaml", "password: hunter2\n")
    link = folder / "client" / "link.yaml"
    if not link.exists():
        link.symlink_to(folder / "secret.yaml")
    for i, ref in enumerate(
        [
            "../secret.yaml",
            str(folder / "secret.yaml"),
            "keys/k.yaml",
            "link.yaml",
            "../../../../../../etc/hostname.yaml",
        ]
    ):
        o = w(f"client/o{i}.yaml", OVERLAY.format(ref))
        for fmt in ("text", "json", "github"):
            cases.append(
                Case(f"extends {ref} ({fmt})", ["validate", o, "--format", fmt], {1}, _no_secret)
            )
    # 5: encodings
    mixed = (
        HEAD.encode()
        + "2026-01-01,华东,archive,w\n".encode()
        + "2026-01-02,华东,archive,w\n".encode("gbk")
    )
    cases.append(
        Case("mixed UTF-8 and GBK", ["replay", POLICY, w("enc/mixed.csv", mixed), *AS_OF], {2})
    )
    cases.append(
        Case(
            "GBK then UTF-8",
            [
                "replay",
                POLICY,
                w(
                    "enc/mixed2.csv",
                    HEAD.encode()
                    + "2026-01-02,华东,archive,w\n".encode("gbk")
                    + "2026-01-01,华东,archive,w\n".encode(),
                ),
                *AS_OF,
            ],
            {2},
        )
    )
    for i, junk in enumerate([b"\xff\xfe\x00", b"\x80" * 100, bytes(range(256)), b"\x00" * 50]):
        cases.append(
            Case(
                f"junk bytes {i}",
                ["replay", POLICY, w(f"enc/junk{i}.csv", HEAD.encode() + junk + b"\n"), *AS_OF],
            )
        )
    # 6: XLSX
    for cell in ("XFD1048576", "A1048576", "XFD1", "ZZ500000"):
        path = folder / "xlsx" / f"far-{cell}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        _far_cell(path, cell)
        cases.append(Case(f"xlsx cell at {cell}", ["replay", POLICY, str(path), *AS_OF]))
    for mb in (200, 1200):
        path = folder / "xlsx" / f"bomb{mb}.xlsx"
        _zip_bomb(path, mb)
        cases.append(Case(f"zip bomb {mb} MB", ["replay", POLICY, str(path), *AS_OF], {2}))
    cases.append(
        Case("xlsx that is not a zip", ["replay", POLICY, w("xlsx/fake.xlsx", "x,y"), *AS_OF], {2})
    )
    # 7: ranges
    for body in (
        "transitions:\n  lapse: {after: 3000000d}\n",
        "transitions:\n  lapse: {after: 99999y}\n",
        "timezone: Factory\n",
        "timezone: localtime\n",
        "timezone: posix/UTC\n",
        "timezone: ../../etc/passwd\n",
    ):
        p = w(f"ranges/p{len(cases)}.yaml", OVERLAY.format("4321-dcbao@1") + body)
        cases.append(Case(f"policy {body.strip()!r}", ["validate", p], {1}))
        cases.append(Case(f"replay under {body.strip()!r}", ["replay", p, h, *AS_OF], {1}))
    for day in ("0001-01-01", "9999-12-31", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00+14:00"):
        r = w(f"ranges/r{len(cases)}.csv", RECORDS + f"C1,w,D,1,0,0,0,0,{day},,,,,{day},0,0\n")
        for engine in ("row", "columnar"):
            cases.append(
                Case(
                    f"record date {day} ({engine})",
                    ["run", POLICY, r, *AS_OF, "--format", "json", "--engine", engine],
                    {1},
                )
            )
        e = w(f"ranges/e{len(cases)}.csv", HEAD + f"{day},C1,archive,w\n")
        cases.append(Case(f"event at {day}", ["replay", POLICY, e, *AS_OF], {1}))
        cases.append(Case(f"--as-of {day}", ["replay", POLICY, h, "--as-of", day], {2}))
    # 8, 9: numbers and nesting
    big = OVERLAY.format("4321-dcbao@1") + "quota: {limit: " + "9" * 5000 + "}\n"
    cases.append(Case("5,000-digit YAML integer", ["validate", w("num/big.yaml", big)], {1}))
    deep = "[" * 100_000 + "]" * 100_000 + "\n"
    cases.append(Case("deep JSONL", ["replay", POLICY, w("num/deep.jsonl", deep), *AS_OF], {1, 2}))
    longnum = '{"at": ' + "9" * 5000 + ', "customer": "C", "type": "archive", "actor": "w"}\n'
    cases.append(
        Case(
            "5,000-digit JSONL number",
            ["replay", POLICY, w("num/long.jsonl", longnum), *AS_OF],
            {1, 2},
        )
    )
    num_policy = w(
        "num/p.yaml", OVERLAY.format("4321-dcbao@1") + "fields:\n  amount: {type: number}\n"
    )
    for value in ("nan", "inf", "-inf", "1e999", "NaN", "Infinity", "1" * 5000):
        r = w(
            f"num/r-{len(cases)}.csv",
            RECORDS.rstrip("\n")
            + ",amount\n"
            + f"C1,w,D,1,0,0,0,0,2026-01-01,,,,,2026-01-01,0,0,{value}\n",
        )
        cases.append(
            Case(
                f"number cell {value[:10]}",
                [
                    "run",
                    num_policy,
                    r,
                    *AS_OF,
                    "--format",
                    "json",
                    "--policy-path",
                    str(ROOT / "policy"),
                ],
                {1},
            )
        )
        j = w(
            f"num/e-{len(cases)}.jsonl",
            '{"at": "2026-01-01", "customer": "C", "type": '
            f'"archive", "actor": "w", "amount": {value}}}\n',
        )
        cases.append(
            Case(
                f"JSONL number {value[:10]}",
                ["replay", num_policy, j, *AS_OF, "--format", "json"],
                {0, 1, 2},
            )
        )
    # 10: devices and FIFOs
    fifo = folder / "dev" / "fifo.yaml"
    fifo.parent.mkdir(parents=True, exist_ok=True)
    if not fifo.exists():
        os.mkfifo(fifo)
    zero = folder / "dev" / "zero.csv"
    if not zero.exists():
        zero.symlink_to("/dev/zero")
    ov = w("dev/o.yaml", OVERLAY.format("4321-dcbao@1"))
    cases += [
        Case("validate /dev/zero", ["validate", "/dev/zero"], {2}),
        Case("validate a FIFO", ["validate", str(fifo)], {2}),
        Case("a FIFO on the policy path", ["validate", ov], {0}),
        Case("replay /dev/zero as csv", ["replay", POLICY, str(zero), *AS_OF], {2}),
        Case("policy is /dev/urandom", ["replay", "/dev/urandom", h, *AS_OF], {2}),
        Case("history is a FIFO", ["replay", POLICY, str(fifo), *AS_OF], {2}),
        Case("fmt a FIFO", ["fmt", str(fifo)], {2}),
    ]
    # 11: a large overlay
    fields = "".join(f"  f{i}: {{type: string}}\n" for i in range(20_000))
    cases.append(
        Case(
            "overlay of 20,000 fields",
            ["validate", w("big/o.yaml", OVERLAY.format("4321-dcbao@1") + "fields:\n" + fields)],
            {0, 1},
        )
    )
    # 12: long cells, wide headers
    wide = ",".join(f"c{i}" for i in range(300_000)) + "\n1\n"
    cases.append(
        Case(
            "300,000 columns",
            ["replay", POLICY, w("long/wide.csv", wide), *AS_OF],
            {1, 2},
            _short_output,
        )
    )
    dup = ",".join(["a"] * 300_000) + "\n1\n"
    cases.append(
        Case(
            "300,000 equal columns",
            ["replay", POLICY, w("long/dup.csv", dup), *AS_OF],
            {2},
            _short_output,
        )
    )
    cell = HEAD + "x" * 100_000 + ",C1,archive,w\n"
    cases.append(
        Case(
            "100 kB date cell",
            ["replay", POLICY, w("long/cell.csv", cell), *AS_OF],
            {1},
            _short_output,
        )
    )
    many = HEAD + "".join(f"bad{i},C{i},archive,w\n" for i in range(20_000))
    cases.append(
        Case("20,000 bad rows", ["replay", POLICY, w("long/many.csv", many), *AS_OF], {1}, None)
    )
    # 17: terminal escapes
    for i, payload in enumerate(
        ["C\x1b]0;PWNED\x07", "\x1b[2J\x1b[H", "a\u202egnp.exe", "\x1b]0;x\x1b\\"]
    ):
        e = w(f"esc/h{i}.csv", HEAD + f'2026-01-01,"{payload}",archive,"{payload}"\n')
        for fmt in ("text", "json"):
            cases.append(
                Case(
                    f"escape {payload!r} ({fmt})",
                    ["replay", POLICY, e, *AS_OF, "--format", fmt],
                    {0},
                    _no_raw_escape,
                )
            )
        cases.append(
            Case(
                f"escape {payload!r} as an event type",
                [
                    "replay",
                    POLICY,
                    w(f"esc/t{i}.csv", HEAD + f'2026-01-01,C1,"{payload}",w\n'),
                    *AS_OF,
                ],
                {1},
                _no_raw_escape,
            )
        )
    return cases


def run_case(
    case: Case, folder: Path, timeout: float, memory: int
) -> tuple[str, str | None, float]:
    """('ok'|'traceback'|'hang'|'bad exit'|'leak', detail, seconds)."""
    argv = [sys.executable, "-c", "from rulekit.cli.main import main; main()", *case.args]
    start = time.perf_counter()
    out = open(case.stdout, "wb") if case.stdout else subprocess.PIPE  # noqa: SIM115
    try:
        proc = subprocess.run(
            argv,
            stdout=out,
            stderr=subprocess.PIPE,
            timeout=timeout,
            preexec_fn=limits(memory),
            cwd=folder,
        )
    except subprocess.TimeoutExpired:
        return "hang", f"over {timeout:.0f} s", time.perf_counter() - start
    finally:
        if case.stdout:
            out.close()  # type: ignore[union-attr]
    seconds = time.perf_counter() - start
    proc.stdout = proc.stdout or b""
    if b"Traceback" in proc.stdout + proc.stderr:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        return "traceback", tail[0] if tail else "", seconds
    if proc.returncode not in case.exits:
        last = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        return "bad exit", f"exit {proc.returncode}: {last[0][:120] if last else ''}", seconds
    if case.check is not None:
        problem = case.check(proc, folder)
        if problem:
            return "leak", problem, seconds
    return "ok", None, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--keep", help="build the corpus in this folder and keep it")
    parser.add_argument("-k", "--only", help="run only cases whose name contains this")
    args = parser.parse_args(argv)
    folder = Path(args.keep or tempfile.mkdtemp(prefix="rulekit-hostile-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        every = [*build(folder), *long_cases(POLICY)]
        cases = [c for c in every if not args.only or args.only in c.name]
        memory = args.memory_mb << 20

        totals: dict[str, int] = {"ok": 0, "traceback": 0, "hang": 0, "bad exit": 0, "leak": 0}
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            run = lambda c: run_long if isinstance(c, LongCase) else run_case  # noqa: E731
            results = list(pool.map(lambda c: run(c)(c, folder, args.timeout, memory), cases))
        for case, (verdict, detail, seconds) in zip(cases, results, strict=True):
            totals[verdict] += 1
            if verdict != "ok":
                print(f"{verdict:9} {case.name} ({seconds:.1f} s): {detail}")
        slowest = max((r[2] for r in results), default=0.0)
        print(
            f"{len(cases)} cases in {time.perf_counter() - start:.0f} s (slowest {slowest:.1f} s,"
            f" timeout {args.timeout:.0f} s, memory {args.memory_mb} MB): "
            + ", ".join(f"{k} {v}" for k, v in totals.items())
        )
        return 0 if totals["ok"] == len(cases) else 1
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
