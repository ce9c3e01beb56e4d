"""A whole `rulekit test` run: every test file read, the selected tests run, the counts and
the exit code."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rulekit.testing.cases import (
    TestCase,
    TestFile,
    TestFileError,
    discover,
    load,
)
from rulekit.testing.detect import looks_like_test_file
from rulekit.testing.runner import ERROR, FAILED, PASSED, SKIPPED, CaseResult, Runner

if TYPE_CHECKING:
    from rulekit.engine.result.result import Result


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
        tally = {PASSED: 0, FAILED: 0, ERROR: 0, SKIPPED: 0}
        for r in self.results:
            tally[r.outcome] += 1
        return {
            "tests": len(self.results),
            "passed": tally[PASSED],
            "failed": tally[FAILED],
            "errors": tally[ERROR],
            "skipped": tally[SKIPPED],
            "file_errors": len(self.errors),
            "deselected": self.deselected,
        }

    def exit_code(self) -> int:
        """0 all passed, 1 a test failed or could not run on invalid input, 2 a bad test file."""
        if self.errors or any(r.usage_error for r in self.results):
            return 2
        if any(r.outcome not in (PASSED, SKIPPED) for r in self.results):
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
