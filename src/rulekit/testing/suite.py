"""Policy tests: small scenarios, written in YAML next to a client's policy, run by `rulekit test`.

A test file (any name ending in `tests.yaml`, or any `.yaml` file in a `tests/` folder)::

    policy: policy.yaml            # relative to this file, or a reference such as 4321-dcbao@1
    as_of: 2026-03-31              # optional: the default evaluation instant of every test
    people: |                      # optional: the people table (inline CSV, a list, or a file)
      id,name,team,role
      wang,王磊,east,rep
      boss,张总,,admin
    tests:
      lapse-after-60-days:         # the test's name, as `rulekit test -k` selects it
        description: a signed customer lapses after 30 + 60 days    # optional
        events: |                  # the history: inline CSV (header + rows) ...
          at,customer,type,actor,stage
          2026-01-01,C1,archive,wang,
          2026-01-02,C1,promote,wang,D
        # ... or a list of rows:   events: [{at: 2026-01-01, customer: C1, type: archive, ...}]
        # ... or a table file:     events: history.csv    (relative to this file)
        as_of: 2026-03-31          # required here or at the top (a test must not depend on today)
        expect:
          customers:               # by customer id; only the fields given are compared
            C1: {state: E, owner: wang, lapses: 1, flags: {D: 1}}
            C9: null               # C9 must be unknown (its archive was refused)
          refused:                 # the refused rows: every refusal must be listed here
            - {row: 3, reason: quota_exceeded}          # by data row (1-based, header not counted)
            - {customer: C2, type: claim, reason: claim_pending}
          reps:
            wang: {slots_used: 0, slot_limit: 30}
          alerts:                  # alerts that must be raised at as_of (others may be too)
            - {customer: C1, rule: stalled-proposal, level: critical}
          alerts_absent:           # alerts that must not be raised (same keys, any subset)
            - {customer: C2, rule: stalled-proposal}
          counts: {applied: 12, timers: 2}
      snapshot-priority:
        records: |                 # a snapshot of customer records, evaluated like `rulekit run`
          customer,owner,state,D,D_at,state_since
          C1,wang,D,1,2026-01-01,2026-01-01
        as_of: 2026-01-05
        expect:
          customers: {C1: {priority: 1, overdue_days: 3}}

A test has `events` (replayed like `rulekit replay`) or `records` (evaluated like `rulekit
run`), never both; a test may set its own `policy` and `people`, replacing the file's.

Customer fields are those of `rulekit replay --format json` (state, owner, pending_owner,
flags, stage, state_since, lapses, renewals, holds_slot; for records also priority,
overdue_days, due, violations) and the policy's own fields (last_activity_at, region...).
Rep fields: slots_used, slot_limit (for records also expected_signings, funnel,
violations). Instants are compared as instants (`2026-01-31` = `2026-01-31T00:00:00+08:00`
in a policy of that timezone); numbers as numbers; a nested mapping (`flags`, `due`,
`funnel`) partially; a list (`violations`) as a set. `refused` entries may give `row`,
`customer`, `type`, `actor`, `at` and `reason`; `alerts` entries `customer`, `rule`,
`level` and `message`.

A malformed test file (a YAML error, a test without `expect`, an unknown key or field) is
a TestFileError that names the file, line and column.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rulekit.policy.yamlsrc import Document
from rulekit.source import Span

if TYPE_CHECKING:
    from rulekit.compiler import CompiledPolicy
    from rulekit.engine.result.result import Result
    from rulekit.tables import Table

TOP_KEYS = ("policy", "as_of", "people", "tests", "description")
CASE_KEYS = ("description", "policy", "events", "records", "as_of", "people", "expect")
EXPECT_KEYS = ("customers", "refused", "reps", "alerts", "alerts_absent", "counts")
REFUSED_KEYS = ("row", "customer", "type", "actor", "at", "reason")
ALERT_KEYS = ("customer", "rule", "level", "message")
COUNT_KEYS = ("events", "applied", "rejected", "timers")
CUSTOMER_FIELDS = (
    "state",
    "owner",
    "pending_owner",
    "flags",
    "stage",
    "state_since",
    "lapses",
    "renewals",
    "holds_slot",
    "priority",
    "overdue_days",
    "due",
    "violations",
)
REP_FIELDS = ("slots_used", "slot_limit", "expected_signings", "funnel", "violations")
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}

PASSED, FAILED, ERROR = "passed", "failed", "error"


class TestFileError(Exception):
    """A test file that cannot be read or is malformed: where, what, and how to fix it."""

    __test__ = False  # not a pytest class

    def __init__(self, span: Span, message: str, hint: str | None = None) -> None:
        self.span = span
        self.message = message
        self.hint = hint
        super().__init__(f"{span}: {message}")

    def lines(self) -> list[str]:
        """`file:line:column: error: message`, then the hint."""
        out = [f"{self.span}: error: {self.message}"]
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return out

    def as_json(self) -> dict[str, Any]:
        """The error as JSON."""
        return {
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "message": self.message,
            "hint": self.hint,
        }


# -- reading test files ----------------------------------------------------------------------


@dataclass(slots=True)
class TestCase:
    """One test of a test file, as written."""

    __test__ = False

    file: TestFile
    name: str
    policy: str | None
    events: Any
    records: Any
    as_of: Any
    people: Any
    expect: dict[str, Any]
    description: str | None = None

    @property
    def id(self) -> str:
        """`file::name`, as printed and as `-k` matches."""
        return f"{self.file.label}::{self.name}"

    def path(self, *keys: str | int) -> tuple[str | int, ...]:
        """The document path of a key of this test."""
        return ("tests", self.name, *keys)

    def where(self, *keys: str | int) -> Span:
        """The span of a key of this test (or of its nearest written parent)."""
        return self.file.where(self.path(*keys))


@dataclass(slots=True)
class TestFile:
    """A parsed test file."""

    __test__ = False

    path: Path
    label: str
    doc: Document
    policy: str | None
    as_of: Any
    people: Any
    cases: list[TestCase] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        """The folder relative names are read from."""
        return self.path.parent

    def where(self, path: tuple[str | int, ...]) -> Span:
        """The span of the value at `path` (its key when it has one)."""
        span = self.doc.key_span(path)
        return span if span is not None else Span(self.label, 1, 1, 1, 1)


def label_of(path: Path) -> str:
    """The file as printed: relative to the current directory when it is inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def is_test_file_name(path: Path) -> bool:
    """True for `*tests.yaml` / `*tests.yml`, and `*.yaml` / `*.yml` inside a `tests/` folder."""
    name = path.name.lower()
    if not name.endswith((".yaml", ".yml")):
        return False
    stem = name.rsplit(".", 1)[0]
    return stem.endswith("tests") or path.parent.name.lower() == "tests"


def discover(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[Path], list[Path]]:
    """(files named on the command line, files found under the named folders), sorted.

    Raises:
        TestFileError: a path does not exist.
    """
    named: list[Path] = []
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_file():
            named.append(p)
        elif p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if is_test_file_name(candidate):
                        found.append(candidate)
        else:
            raise TestFileError(
                Span(os.fspath(raw), 1, 1, 1, 1),
                "no such file or folder",
                "name test files (…tests.yaml) or folders that hold them",
            )
    return named, [f for f in found if f not in named]


def looks_like_test_file(path: Path) -> bool:
    """True if the file's top level has a `tests:` key (a found file without one is skipped)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return True  # let load() report it
    return any(line.startswith(("tests:", '"tests":', "'tests':")) for line in text.splitlines())


def load(path: str | os.PathLike[str]) -> TestFile:
    """Read and check the structure of a test file.

    Raises:
        TestFileError: the file cannot be read, is not YAML, or is malformed.
    """
    from rulekit.diagnostics import DiagnosticError
    from rulekit.policy.yamlsrc import parse_yaml, read_text

    file = Path(path)
    label = label_of(file)
    try:
        text = read_text(os.fspath(file))
    except DiagnosticError as exc:
        d = exc.diagnostics[0]
        span = d.span or Span(label, 1, 1, 1, 1)
        raise TestFileError(Span(label, span.line, span.column, 1, 1), d.message, d.hint) from None
    doc, diags = parse_yaml(text, label)
    if doc is None:
        d = diags[0]
        message = d.message.replace("a policy file", "a test file")
        raise TestFileError(d.span or Span(label, 1, 1, 1, 1), message, d.hint)
    tf = TestFile(file, label, doc, None, None, None)
    data = doc.data
    if not isinstance(data, dict):
        raise TestFileError(
            tf.where(()),
            "a test file is a mapping with `policy:` and `tests:`",
            "see `rulekit test --help` for the format",
        )
    _known_keys(tf, (), data, TOP_KEYS, "a test file")
    if "tests" not in data:
        raise TestFileError(
            tf.where(()), "no `tests:` in this file", "add `tests:` with one entry per test"
        )
    tf.policy = _text_or_none(tf, ("policy",), data.get("policy"), "policy")
    tf.as_of = _scalar(tf, ("as_of",), data.get("as_of"), "as_of")
    tf.people = data.get("people")
    tests = data["tests"]
    if not isinstance(tests, dict) or not tests:
        raise TestFileError(
            tf.where(("tests",)),
            "`tests:` must map test names to tests",
            "write `tests:` then, indented, `my-test: {events: ..., as_of: ..., expect: ...}`",
        )
    for name, body in tests.items():
        tf.cases.append(_case(tf, str(name), body))
    return tf


def _known_keys(
    tf: TestFile, path: tuple[str | int, ...], data: dict[str, Any], keys: Iterable[str], what: str
) -> None:
    allowed = list(keys)
    for key in data:
        if key not in allowed:
            near = _nearest(str(key), allowed)
            hint = f"did you mean `{near}`?" if near else f"the keys are {', '.join(allowed)}"
            raise TestFileError(tf.where((*path, key)), f"unknown key `{key}` in {what}", hint)


def _nearest(word: str, choices: Sequence[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _text_or_none(tf: TestFile, path: tuple[str | int, ...], value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TestFileError(tf.where(path), f"`{what}` must be text, a path or ID@MAJOR")
    return value


def _scalar(tf: TestFile, path: tuple[str | int, ...], value: Any, what: str) -> Any:
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise TestFileError(tf.where(path), f"`{what}` must be an instant such as 2026-03-31")
    from datetime import UTC

    from rulekit.timeutil import parse_instant

    try:
        parse_instant(str(value), UTC)
    except ValueError as exc:
        raise TestFileError(tf.where(path), f"`{what}`: {exc}") from None
    return str(value)


def _case(tf: TestFile, name: str, body: Any) -> TestCase:
    path: tuple[str | int, ...] = ("tests", name)
    if not isinstance(body, dict):
        raise TestFileError(
            tf.where(path),
            f"test `{name}` must be a mapping with `events` (or `records`), `as_of` and `expect`",
        )
    _known_keys(tf, path, body, CASE_KEYS, f"test `{name}`")
    if "events" in body and "records" in body:
        raise TestFileError(
            tf.where((*path, "records")),
            f"test `{name}` has both `events` and `records`",
            "`events` is a history to replay, `records` a snapshot to evaluate: keep one",
        )
    if "events" not in body and "records" not in body:
        raise TestFileError(
            tf.where(path),
            f"test `{name}` has neither `events` nor `records`",
            "give the history as `events:` (CSV text, a list of rows, or a file name)",
        )
    if "expect" not in body:
        raise TestFileError(
            tf.where(path),
            f"test `{name}` has no `expect`",
            "add `expect:` with `customers:`, `refused:`, `reps:`, `alerts:` or `counts:`",
        )
    expect = body["expect"]
    if not isinstance(expect, dict) or not expect:
        raise TestFileError(
            tf.where((*path, "expect")),
            f"`expect` of test `{name}` must be a mapping",
            "e.g. `expect: {customers: {C1: {state: D}}}`",
        )
    _known_keys(tf, (*path, "expect"), expect, EXPECT_KEYS, "`expect`")
    as_of = _scalar(tf, (*path, "as_of"), body.get("as_of"), "as_of")
    if as_of is None and tf.as_of is None:
        raise TestFileError(
            tf.where(path),
            f"test `{name}` has no `as_of`",
            "set `as_of:` in the test or at the top of the file: a test must not depend on "
            "today's date",
        )
    case = TestCase(
        tf,
        name,
        _text_or_none(tf, (*path, "policy"), body.get("policy"), "policy") or tf.policy,
        body.get("events"),
        body.get("records"),
        as_of or tf.as_of,
        body.get("people", tf.people),
        expect,
        body.get("description"),
    )
    if case.policy is None:
        raise TestFileError(
            tf.where(path),
            f"test `{name}` names no policy",
            "set `policy: policy.yaml` (or `policy: 4321-dcbao@1`) at the top of the file",
        )
    _check_expect(case)
    return case


def _check_expect(case: TestCase) -> None:
    tf, expect = case.file, case.expect

    def err(keys: tuple[str | int, ...], message: str, hint: str | None = None) -> TestFileError:
        return TestFileError(case.where("expect", *keys), message, hint)

    for section in ("customers", "reps"):
        value = expect.get(section)
        if section in expect and not isinstance(value, dict):
            raise err((section,), f"`{section}` must map ids to fields", "e.g. `C1: {state: D}`")
        for key, fields in (value or {}).items():
            if fields is None and section == "customers":
                continue
            if not isinstance(fields, dict):
                raise err(
                    (section, key),
                    f"the expectation of `{key}` must be a mapping of fields",
                    "e.g. `{state: D, owner: wang}`; `null` expects an unknown customer",
                )
            known = CUSTOMER_FIELDS if section == "customers" else REP_FIELDS
            if section == "reps":
                _known_keys(tf, case.path("expect", section, key), fields, known, f"rep `{key}`")
    sections = (("refused", REFUSED_KEYS), ("alerts", ALERT_KEYS), ("alerts_absent", ALERT_KEYS))
    for section, keys in sections:
        if section not in expect:
            continue
        items = expect[section]
        if items is None:
            items = expect[section] = []
        if not isinstance(items, list):
            raise err((section,), f"`{section}` must be a list", "e.g. `- {row: 3, reason: …}`")
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not item:
                raise err((section, i), f"each `{section}` entry is a mapping")
            _known_keys(tf, case.path("expect", section, i), item, keys, f"a `{section}` entry")
    if "counts" in expect:
        counts = expect["counts"]
        if not isinstance(counts, dict):
            raise err(("counts",), "`counts` must be a mapping", "e.g. `{applied: 10}`")
        _known_keys(tf, case.path("expect", "counts"), counts, COUNT_KEYS, "`counts`")


# -- running ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Mismatch:
    """One expected value that differs from what the engine gave."""

    section: str  # customers, refused, reps, alerts, counts
    key: str | None  # the customer, rep, row...
    field: str | None
    expected: Any
    got: Any
    message: str

    def as_json(self) -> dict[str, Any]:
        """The mismatch as JSON."""
        return {
            "section": self.section,
            "key": self.key,
            "field": self.field,
            "expected": self.expected,
            "got": self.got,
            "message": self.message,
        }


@dataclass(slots=True)
class CaseResult:
    """How one test went."""

    case: TestCase
    outcome: str  # passed, failed, error
    mismatches: list[Mismatch] = field(default_factory=list)
    timelines: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    usage_error: bool = False  # the error is an unreadable file (exit 2), not invalid input
    result: Result | None = None

    def as_json(self) -> dict[str, Any]:
        """The result as JSON."""
        return {
            "id": self.case.id,
            "file": self.case.file.label,
            "test": self.case.name,
            "outcome": self.outcome,
            "mismatches": [m.as_json() for m in self.mismatches],
            "timelines": self.timelines,
            "error": self.error,
        }


class Runner:
    """Runs tests, loading each policy once."""

    def __init__(self, policy_path: Sequence[str | os.PathLike[str]] = ()) -> None:
        self.policy_path = list(policy_path)
        self._policies: dict[tuple[str, str], CompiledPolicy] = {}

    def policy(self, case: TestCase) -> CompiledPolicy:
        """The compiled policy of a test (a file relative to the test file, or a reference).

        Raises:
            PolicyError: the policy cannot be loaded.
        """
        from rulekit import api

        assert case.policy is not None
        folder = case.file.folder
        local = folder / case.policy
        target = os.fspath(local) if local.exists() else case.policy
        key = (os.fspath(folder), target)
        if key not in self._policies:
            self._policies[key] = api.load(target, policy_path=[folder, *self.policy_path])
        return self._policies[key]

    def run(self, case: TestCase) -> CaseResult:
        """Run one test and compare what it expects with what the engine gives."""
        from rulekit import api
        from rulekit.api import PolicyError
        from rulekit.engine import runner
        from rulekit.engine.input.errors import InputError
        from rulekit.tables import TableError

        try:
            policy = self.policy(case)
            as_of = api._instant(case.as_of, policy)
            people = table_of(case, "people", case.people, ()) if case.people is not None else None
            if case.records is not None:
                table = table_of(case, "records", case.records, ("customer", "state"))
                result = runner.run(policy, table, as_of, people=people, engine="row")
            else:
                table = table_of(case, "events", case.events, ("at", "customer", "type", "actor"))
                result = runner.replay(policy, table, as_of, people=people)
        except PolicyError as exc:
            first = exc.diagnostics[0] if exc.diagnostics else None
            where = f"{first.span}: " if first and first.span else ""
            more = len(exc.diagnostics) - 1
            text = f"the policy is invalid: {where}{first.message if first else ''}"
            if more > 0:
                text += f" (and {more} more; run `rulekit validate` on it)"
            unreadable = any(d.code == "RK001" for d in exc.diagnostics)
            return CaseResult(case, ERROR, error=text, usage_error=unreadable)
        except TableError as exc:
            return CaseResult(case, ERROR, error=f"{exc.path}: {exc.message}", usage_error=True)
        except InputError as exc:
            return CaseResult(case, ERROR, error="; ".join(exc.messages))
        except ValueError as exc:
            return CaseResult(case, ERROR, error=str(exc))
        mismatches = compare(case, result)
        outcome = FAILED if mismatches else PASSED
        out = CaseResult(case, outcome, mismatches, result=result)
        if mismatches:
            ids = [m.key for m in mismatches if m.section == "customers" and m.key is not None]
            for cid in dict.fromkeys(ids):
                out.timelines[cid] = timeline(result, cid, table, people, policy, as_of)
        return out


def table_of(case: TestCase, what: str, value: Any, columns: Sequence[str]) -> Table:
    """A Table from inline CSV text, a list of row mappings, or a file relative to the test.

    Raises:
        TestFileError: the value is none of these.
        TableError: a named file or the CSV text cannot be read.
    """
    from rulekit.tables import Table, read_table
    from rulekit.tables.csvtable import read_csv

    label = f"{case.file.label}::{case.name}:{what}"
    if isinstance(value, str):
        if "\n" not in value.strip() and "," not in value:
            return read_table(case.file.folder / value.strip())
        table = read_csv(label, value.encode("utf-8"), None)
        rows = [[c.strip() or None if isinstance(c, str) else c for c in row] for row in table.rows]
        return Table(label, None, table.columns, rows, "utf-8", table.problems, table.lines)
    if isinstance(value, list):
        names: list[str] = [] if value else list(columns)
        for i, row in enumerate(value):
            if not isinstance(row, dict):
                raise TestFileError(
                    case.where(what, i), f"each row of `{what}` is a mapping of column: value"
                )
            for key in row:
                if str(key) not in names:
                    names.append(str(key))
        rows = [[_cell(row.get(c)) for c in names] for row in value]
        return Table(label, None, names, rows, None)
    raise TestFileError(
        case.where(what),
        f"`{what}` must be CSV text (after `|`), a list of rows, or a table file name",
    )


def _cell(value: Any) -> Any:
    """A YAML value as a CSV cell would hold it: text, or None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value).strip()
    return text or None


# -- comparing -------------------------------------------------------------------------------


def compare(case: TestCase, result: Result) -> list[Mismatch]:
    """Every difference between what `case` expects and `result`."""
    expect = case.expect
    out: list[Mismatch] = []
    doc = result.document()
    if "customers" in expect:
        out += _customers(case, result, doc, expect["customers"] or {})
    if "refused" in expect:
        out += _refused(result, doc, expect["refused"])
    if "reps" in expect:
        out += _reps(case, result, doc, expect["reps"] or {})
    if "alerts" in expect:
        out += _alerts(result, expect["alerts"])
    if "alerts_absent" in expect:
        out += _alerts_absent(result, expect["alerts_absent"])
    if "counts" in expect:
        for name, want in expect["counts"].items():
            got = doc["counts"].get(name)
            if not same(want, got, result):
                out.append(
                    Mismatch(
                        "counts",
                        None,
                        name,
                        want,
                        got,
                        f"counts: {name} expected {show(want)}, got {show(got, result)}",
                    )
                )
    return out


def _customers(
    case: TestCase, result: Result, doc: dict[str, Any], expect: dict[str, Any]
) -> list[Mismatch]:
    rows = {row["customer"]: row for row in doc["customers"]}
    extras = {c.customer: c.fields for c in result.customers}
    assert result.world is not None
    policy_fields = list(result.world.program.policy.model.fields)
    known = [*CUSTOMER_FIELDS, *policy_fields]
    out: list[Mismatch] = []
    for raw_id, fields in expect.items():
        cid = str(raw_id)
        row = rows.get(cid)
        if fields is None:
            if row is not None:
                out.append(
                    Mismatch(
                        "customers",
                        cid,
                        None,
                        None,
                        row["state"],
                        f"customer {cid}: expected unknown, got state {row['state']}",
                    )
                )
            continue
        for name in fields:
            if name not in known:
                near = _nearest(str(name), known)
                raise TestFileError(
                    case.where("expect", "customers", raw_id, name),
                    f"unknown customer field `{name}`",
                    f"did you mean `{near}`?" if near else f"the fields are {', '.join(known)}",
                )
        if row is None:
            out.append(
                Mismatch(
                    "customers",
                    cid,
                    None,
                    fields,
                    None,
                    f"customer {cid}: expected {show(fields)}, but it is unknown "
                    "(never archived, or its archive was refused)",
                )
            )
            continue
        for name, want in fields.items():
            if name in row:
                got = row[name]
            else:
                value = extras.get(cid, {}).get(name)
                got = result.iso(value) if isinstance(value, datetime) else value
            out += _field("customers", f"customer {cid}", cid, name, want, got, result)
    return out


def _field(
    section: str, who: str, key: str, name: str, want: Any, got: Any, result: Result
) -> list[Mismatch]:
    if isinstance(want, dict) and isinstance(got, dict):
        out = []
        for sub, w in want.items():
            g = got.get(str(sub))
            if not same(w, g, result):
                out.append(
                    Mismatch(
                        section,
                        key,
                        f"{name}.{sub}",
                        w,
                        g,
                        f"{who}: {name}.{sub} expected {show(w)}, got {show(g, result)}",
                    )
                )
        return out
    if same(want, got, result):
        return []
    return [
        Mismatch(
            section,
            key,
            name,
            want,
            got,
            f"{who}: {name} expected {show(want)}, got {show(got, result)}",
        )
    ]


def _reps(
    case: TestCase, result: Result, doc: dict[str, Any], expect: dict[str, Any]
) -> list[Mismatch]:
    rows = {row["rep"]: row for row in doc["reps"]}
    out: list[Mismatch] = []
    for raw_id, fields in expect.items():
        rep = str(raw_id)
        row = rows.get(rep)
        if row is None:
            out.append(
                Mismatch(
                    "reps",
                    rep,
                    None,
                    fields,
                    None,
                    f"rep {rep}: not known to the run (no event by or for this rep)",
                )
            )
            continue
        for name, want in fields.items():
            if name not in row:
                raise TestFileError(
                    case.where("expect", "reps", raw_id, name),
                    f"`{name}` is reported for snapshots (`records`) only",
                    "use `records:` instead of `events:`, or drop this field",
                )
            out += _field("reps", f"rep {rep}", rep, name, want, row[name], result)
    return out


def _refusal_label(item: dict[str, Any]) -> str:
    parts = []
    if "row" in item:
        parts.append(f"row {item['row']}")
    who = " ".join(str(item[k]) for k in ("customer", "type") if k in item)
    if who:
        parts.append(who)
    if "actor" in item:
        parts.append(f"by {item['actor']}")
    if "at" in item:
        parts.append(f"at {item['at']}")
    return " ".join(parts) or "a row"


def _refused(result: Result, doc: dict[str, Any], expect: list[dict[str, Any]]) -> list[Mismatch]:
    got = list(doc["rejected"])
    used: set[int] = set()
    out: list[Mismatch] = []

    def matches(item: dict[str, Any], row: dict[str, Any], keys: Iterable[str]) -> bool:
        return all(same(item[k], row.get(k), result) for k in keys if k in item)

    for item in expect:
        full = next(
            (i for i, r in enumerate(got) if i not in used and matches(item, r, REFUSED_KEYS)),
            None,
        )
        if full is not None:
            used.add(full)
            continue
        ident = [k for k in REFUSED_KEYS if k != "reason"]
        near = next(
            (i for i, r in enumerate(got) if i not in used and matches(item, r, ident)), None
        )
        label = _refusal_label(item)
        if near is not None and "reason" in item:
            used.add(near)
            reason = got[near]["reason"]
            out.append(
                Mismatch(
                    "refused",
                    label,
                    "reason",
                    item["reason"],
                    reason,
                    f"refused {label}: reason expected {item['reason']}, got {reason}",
                )
            )
        else:
            want = f" ({item['reason']})" if "reason" in item else ""
            out.append(
                Mismatch(
                    "refused",
                    label,
                    None,
                    item,
                    None,
                    f"refused {label}: expected refused{want}, but it was not refused",
                )
            )
    for i, row in enumerate(got):
        if i in used:
            continue
        label = f"row {row['row']} {row['customer']} {row['type']} by {row['actor']}"
        out.append(
            Mismatch(
                "refused",
                f"row {row['row']}",
                "reason",
                None,
                row["reason"],
                f"refused {label}: not expected, got {row['reason']}",
            )
        )
    return out


def _alerts(result: Result, expect: list[dict[str, Any]]) -> list[Mismatch]:
    rows = [{k: getattr(a, k) for k in ALERT_KEYS} for a in result.alerts]
    out: list[Mismatch] = []
    for item in expect:
        if any(all(same(item[k], r.get(k), result) for k in item) for r in rows):
            continue
        label = " ".join(f"{k} {item[k]}" for k in ALERT_KEYS if k in item)
        seen = [r for r in rows if "customer" in item and r["customer"] == str(item["customer"])]
        got = ", ".join(f"{r['rule']} ({r['level']})" for r in seen) or "none"
        who = f" for {item['customer']}" if "customer" in item else ""
        out.append(
            Mismatch(
                "alerts",
                str(item.get("customer")) if "customer" in item else None,
                None,
                item,
                got,
                f"alerts: expected {label}, not raised (alerts{who}: {got})",
            )
        )
    return out


def _alerts_absent(result: Result, expect: list[dict[str, Any]]) -> list[Mismatch]:
    """Each entry must match no alert raised at as-of."""
    rows = [{k: getattr(a, k) for k in ALERT_KEYS} for a in result.alerts]
    out: list[Mismatch] = []
    for item in expect:
        hits = [r for r in rows if all(same(item[k], r.get(k), result) for k in item)]
        if not hits:
            continue
        label = " ".join(f"{k} {item[k]}" for k in ALERT_KEYS if k in item)
        got = ", ".join(f"{r['rule']} ({r['level']}) for {r['customer']}" for r in hits)
        out.append(
            Mismatch(
                "alerts_absent",
                str(item.get("customer")) if "customer" in item else None,
                None,
                item,
                got,
                f"alerts_absent: expected no alert {label}, but raised: {got}",
            )
        )
    return out


def same(want: Any, got: Any, result: Result | None = None) -> bool:
    """True if an expected value equals the engine's (instants as instants, numbers as numbers)."""
    if want is None or got is None:
        return want is None and got is None
    if isinstance(got, bool) or isinstance(want, bool):
        return bool(_bool(want) == _bool(got))
    if isinstance(got, list):
        wants = want if isinstance(want, list) else [want]
        return sorted(str(w) for w in wants) == sorted(str(g) for g in got)
    if isinstance(got, dict):
        if not isinstance(want, dict):
            return False
        return all(same(w, got.get(str(k)), result) for k, w in want.items())
    if isinstance(got, int | float) and not isinstance(want, dict | list):
        try:
            return abs(float(want) - float(got)) < 1e-6
        except (TypeError, ValueError):
            return False
    if str(want) == str(got):
        return True
    if result is not None and isinstance(got, str):
        a, b = _instant(str(want), result), _instant(got, result)
        return a is not None and a == b
    return False


def _bool(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    if isinstance(value, int):
        return bool(value)
    return value


def _instant(text: str, result: Result) -> datetime | None:
    from rulekit.timeutil import parse_instant

    if len(text) < 10 or not text[:4].isdigit() or text[4] != "-":
        return None
    try:
        return parse_instant(text, result.tz)
    except ValueError:
        return None


def show(value: Any, result: Result | None = None) -> str:
    """A value as a consultant would write it in the test file."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v, result)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v, result) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if result is not None and isinstance(value, str) and _instant(value, result) is not None:
        return short_instant(value)
    return str(value)


def short_instant(text: str) -> str:
    """`2026-01-31T09:00:00+08:00` as `2026-01-31 09:00`, a midnight as `2026-01-31`."""
    day, _, rest = text.partition("T")
    clock = rest[:5]
    return day if not clock or clock == "00:00" else f"{day} {clock}"


# -- timelines -------------------------------------------------------------------------------


def timeline(
    result: Result,
    cid: str,
    table: Table,
    people: Table | None,
    policy: CompiledPolicy,
    as_of: datetime,
    limit: int = 10,
) -> str:
    """One line: what happened to customer `cid`, and where it stands at as-of."""
    end = f"as-of {short_instant(result.iso(as_of) or '')}"
    row = next((c for c in result.customers if c.customer == cid), None)
    if row is not None and row.state_since is not None:
        days = int((as_of - row.state_since).total_seconds() // 86400)
        end += f" ({days} day{'s' if days != 1 else ''} in {row.state})"
    elif row is None:
        end += " (unknown)"
    if result.mode != "replay":
        since = short_instant(result.iso(row.state_since) or "") if row else ""
        start = f"record: {row.state} since {since}" if row and since else "record"
        return f"{start} · {end}"
    from rulekit.engine import runner

    watched = runner.replay(policy, table, as_of, people=people, watch=cid)
    assert watched.world is not None
    parts: list[str] = []
    last = ""
    for s in watched.world.steps:
        when = short_instant(watched.iso(s.at) or "")
        if s.kind == "timer":
            text = f"{s.move} → {s.state}"
        elif s.event is None:  # a rule's action or routing: no event of the history
            text = f"{s.move or 'rule'} → {s.state}"
        elif s.reason:
            assert s.event is not None
            arg = f" {s.event.stage}" if s.event.stage else ""
            text = f"{s.event.type}{arg} by {s.event.actor} refused ({s.reason})"
        else:
            assert s.event is not None
            arg = f" {s.event.stage}" if s.event.stage else ""
            move = s.move if s.move and s.move != s.event.type else f"{s.event.type}{arg}"
            text = f"{move} → {s.state}"
        if when == last and parts:  # steps of the same instant share its date
            parts[-1] += f", {text}"
        else:
            parts.append(f"{when} {text}")
        last = when
    if not parts:
        parts.append("no event about it")
    if len(parts) > limit:
        parts = [*parts[:2], f"… {len(parts) - limit + 2} more …", *parts[-(limit - 2) :]]
    return " · ".join([*parts, end])


# -- a whole run -----------------------------------------------------------------------------


@dataclass(slots=True)
class Session:
    """Every test file read and every test run."""

    __test__ = False

    files: list[TestFile] = field(default_factory=list)
    errors: list[TestFileError] = field(default_factory=list)
    results: list[CaseResult] = field(default_factory=list)
    deselected: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """tests, passed, failed, errors (tests that could not run), file_errors."""
        tally = {PASSED: 0, FAILED: 0, ERROR: 0}
        for r in self.results:
            tally[r.outcome] += 1
        return {
            "tests": len(self.results),
            "passed": tally[PASSED],
            "failed": tally[FAILED],
            "errors": tally[ERROR],
            "file_errors": len(self.errors),
            "deselected": self.deselected,
        }

    def exit_code(self) -> int:
        """0 all passed, 1 a test failed or could not run on invalid input, 2 a bad test file."""
        if self.errors or any(r.usage_error for r in self.results):
            return 2
        if any(r.outcome != PASSED for r in self.results):
            return 1
        return 0


def select(case: TestCase, keywords: Sequence[str]) -> bool:
    """True if `-k` selects the test: a keyword is part of its name or id (case ignored)."""
    if not keywords:
        return True
    ident = case.id.lower()
    return any(k.lower() in ident for k in keywords)


def collect(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[TestFile], list[TestFileError]]:
    """Read every test file under `paths`."""
    files: list[TestFile] = []
    errors: list[TestFileError] = []
    try:
        named, found = discover(paths)
    except TestFileError as exc:
        return [], [exc]
    for path in [*named, *found]:
        if path in found and not looks_like_test_file(path):
            continue
        try:
            files.append(load(path))
        except TestFileError as exc:
            errors.append(exc)
    return files, errors


def run_tests(
    paths: Sequence[str | os.PathLike[str]],
    keywords: Sequence[str] = (),
    policy_path: Sequence[str | os.PathLike[str]] = (),
) -> Session:
    """Read the test files under `paths` and run the selected tests."""
    session = Session()
    session.files, session.errors = collect(paths)
    runner = Runner(policy_path)
    for tf in session.files:
        for case in tf.cases:
            if not select(case, keywords):
                session.deselected += 1
                continue
            try:
                session.results.append(runner.run(case))
            except TestFileError as exc:
                session.errors.append(exc)
    return session


def iter_results(session: Session) -> Iterator[Result]:
    """The engine results of the tests that ran."""
    for r in session.results:
        if r.result is not None:
            yield r.result


__all__ = [
    "CaseResult",
    "Mismatch",
    "Runner",
    "Session",
    "TestCase",
    "TestFile",
    "TestFileError",
    "collect",
    "compare",
    "discover",
    "iter_results",
    "load",
    "run_tests",
    "same",
    "select",
    "timeline",
]
