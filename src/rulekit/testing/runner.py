"""Running one test: its policy (loaded once), its events or records as a table, the engine's
result compared with what the test expects."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rulekit.testing.cases import TestCase, TestFileError
from rulekit.testing.compare import Mismatch, compare
from rulekit.testing.timeline import timeline

if TYPE_CHECKING:
    from rulekit.compiler import CompiledPolicy
    from rulekit.engine.result.result import Result
    from rulekit.tables import Table

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"


@dataclass(slots=True)
class CaseResult:
    """How one test went."""

    case: TestCase
    outcome: str  # passed, failed, error, skipped
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
            "skip": self.case.skip,
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
        if case.skip is not None:
            return CaseResult(case, SKIPPED)
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
