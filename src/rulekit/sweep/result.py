"""A sweep's result: the baseline's summary, each candidate's, the ranking; as JSON or polars.

The JSON document is `{"baseline": SUMMARY, "candidates": [{"params", **SUMMARY, "changed"}]}`
with SUMMARY = `{"policy", "counts", "states", "rejected", "expected_signings", "lapses"}`,
candidates in grid order, or best first under a ranking (ties in grid order). A candidate
whose values make the policy invalid has null objectives and its `diagnostics`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rulekit.diagnostics import Diagnostic
from rulekit.report.diagnostics import full_message
from rulekit.sweep.rank import Ranking, objectives

if TYPE_CHECKING:
    import polars as pl

SUMMARY_KEYS = ("policy", "counts", "states", "rejected", "expected_signings", "lapses")


@dataclass(slots=True)
class Row:
    """One candidate: its values, and its summary or why it could not run."""

    index: int
    params: dict[str, Any]
    summary: dict[str, Any] | None = None
    changed: int | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    score: float | None = None

    @property
    def valid(self) -> bool:
        return self.summary is not None

    def objectives(self) -> dict[str, float]:
        """The rankable numbers by name (empty for an invalid candidate)."""
        if self.summary is None or self.changed is None:
            return {}
        return objectives(self.summary, self.changed)

    def document(self, policy: dict[str, Any]) -> dict[str, Any]:
        if self.summary is not None:
            return {"params": self.params, **self.summary, "changed": self.changed}
        out: dict[str, Any] = {"params": self.params, "policy": policy}
        out.update({key: None for key in SUMMARY_KEYS[1:]})
        out["changed"] = None
        out["diagnostics"] = [_diagnostic(d) for d in self.diagnostics]
        return out


def _diagnostic(d: Diagnostic) -> dict[str, Any]:
    s = d.span
    return {
        "file": s.file if s else None,
        "line": s.line if s else 1,
        "column": s.column if s else 1,
        "severity": d.severity.value,
        "code": d.code,
        "message": full_message(d),
    }


@dataclass(slots=True)
class SweepResult:
    """The baseline and every candidate of a sweep."""

    paths: list[str]  # the varied entries, in --vary order
    baseline: dict[str, Any]  # SUMMARY
    rows: list[Row]  # grid order
    as_of: str
    ranking: Ranking | None = None

    def rank(self, ranking: Ranking | None) -> None:
        """Score every valid candidate by `ranking` (None: no ranking, grid order)."""
        self.ranking = ranking
        for row in self.rows:
            row.score = ranking.score(row.objectives()) if ranking and row.valid else None

    def ranked(self) -> list[Row]:
        """Best first (highest score), ties and unscored candidates in grid order; grid
        order without a ranking."""
        if self.ranking is None:
            return list(self.rows)
        return sorted(self.rows, key=lambda r: (r.score is None, -(r.score or 0.0), r.index))

    @property
    def invalid(self) -> list[Row]:
        return [r for r in self.rows if not r.valid]

    def document(self) -> dict[str, Any]:
        """The JSON document (see the module's doc)."""
        policy = self.baseline["policy"]
        return {
            "baseline": self.baseline,
            "candidates": [row.document(policy) for row in self.ranked()],
        }

    def frame(self) -> pl.DataFrame:
        """One row per candidate in grid order: `candidate` (its grid index), the varied
        entries, `valid`, the objectives (`states.S`, `rejected.R` included), `score`."""
        import polars as pl

        states = sorted({s for r in self.rows if r.summary for s in r.summary["states"]})
        states = sorted(set(states) | set(self.baseline["states"]))
        reasons = sorted({x for r in self.rows if r.summary for x in r.summary["rejected"]})
        reasons = sorted(set(reasons) | set(self.baseline["rejected"]))
        records = []
        for row in self.rows:
            values = row.objectives()
            record: dict[str, Any] = {"candidate": row.index}
            record.update({path: _cell(row.params.get(path)) for path in self.paths})
            record["valid"] = row.valid
            for name in ("expected_signings", "lapses", "changed", "refused", "applied"):
                record[name] = values.get(name)
            record["events"] = values.get("events")
            record["timers"] = values.get("timers")
            for s in states:
                record[f"states.{s}"] = values.get(f"states.{s}", 0.0) if row.valid else None
            for x in reasons:
                record[f"rejected.{x}"] = values.get(f"rejected.{x}", 0.0) if row.valid else None
            record["score"] = row.score
            records.append(record)
        return pl.DataFrame(records, infer_schema_length=None)


def _cell(value: Any) -> Any:
    """A varied value for a DataFrame column: numbers and text as they are, lists as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
