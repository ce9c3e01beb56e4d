"""Reading a policy test file (`tests.yaml`, format in docs/formats.md): finding the files,
checking their structure, and the tests as written."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rulekit.policy.yamlsrc import Document
from rulekit.source import Span
from rulekit.testing.detect import SKIP_DIRS

TOP_KEYS = ("policy", "as_of", "people", "tests", "description")
CASE_KEYS = ("description", "policy", "events", "records", "as_of", "people", "expect", "skip")
EXPECT_KEYS = ("customers", "refused", "reps", "alerts", "alerts_absent", "counts")
REFUSED_KEYS = ("row", "customer", "type", "actor", "at", "reason", "quota")
ALERT_KEYS = ("customer", "rule", "level", "message", "group")
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
    "owned_since",
    "previous_owners",
)
REP_FIELDS = ("slots_used", "slot_limit", "expected_signings", "funnel", "violations", "quotas")


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
    skip: str | None = None  # why the test is skipped (`skip: waiting for the CRM's fix`)

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
            near = nearest(str(key), allowed)
            hint = f"did you mean `{near}`?" if near else f"the keys are {', '.join(allowed)}"
            raise TestFileError(tf.where((*path, key)), f"unknown key `{key}` in {what}", hint)


def nearest(word: str, choices: Sequence[str]) -> str | None:
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
        _skip(tf, (*path, "skip"), body.get("skip")),
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


def _skip(tf: TestFile, path: tuple[str | int, ...], value: Any) -> str | None:
    """`skip: reason` (or `skip: true`): the test is reported as skipped, with the reason."""
    if value is None or value is False:
        return None
    if value is True:
        return "no reason given"
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise TestFileError(
        tf.where(path),
        "`skip` is the reason the test is skipped",
        "write `skip: waiting for the client's answer` (or remove it to run the test)",
    )
