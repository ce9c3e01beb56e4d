"""The library surface: load and validate policies, replay histories, evaluate snapshots."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rulekit.compiler import CompiledPolicy, check_policy, compile_policy
from rulekit.diagnostics import Diagnostic, DiagnosticError
from rulekit.record import Record

if TYPE_CHECKING:
    import polars as pl

    from rulekit.analysis.diff import DiffItem
    from rulekit.analysis.dryrun import DryRun
    from rulekit.analysis.explain import Explanation
    from rulekit.engine.result.result import Result
    from rulekit.profile.model import ProfileReport

PathLike = str | os.PathLike[str]


class PolicyError(Exception):
    """A policy could not be loaded; `diagnostics` says why and where."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        lines = [f"{d.span}: {d.code} {d.message}" if d.span else d.message for d in diagnostics]
        super().__init__("invalid policy:\n" + "\n".join(lines))


class ValidateReport(Record):
    """What `validate` found over several files."""

    __slots__ = ("diagnostics", "unreadable")

    def __init__(
        self, diagnostics: list[Diagnostic] | None = None, unreadable: bool = False
    ) -> None:
        self.diagnostics: list[Diagnostic] = [] if diagnostics is None else diagnostics
        self.unreadable = unreadable


def load(policy: PathLike, *, policy_path: Sequence[PathLike] = ()) -> CompiledPolicy:
    """Load, check and compile a policy file or reference (`4321-dcbao@1`).

    Raises:
        PolicyError: the policy has errors (warnings do not stop loading).
    """
    compiled, diags = compile_policy(os.fspath(policy), policy_path=policy_path)
    if compiled is None:
        raise PolicyError([d for d in diags if d.is_error] or diags)
    return compiled


def validate(
    paths: Iterable[PathLike], *, policy_path: Sequence[PathLike] = ()
) -> list[Diagnostic]:
    """Check policy files; return every diagnostic (errors and warnings), sorted by place."""
    return validate_report(paths, policy_path=policy_path).diagnostics


def validate_text(
    text: str, name: str = "<text>", *, policy_path: Sequence[PathLike] = ()
) -> list[Diagnostic]:
    """Check a policy given as text (an editor's buffer); `name` labels the diagnostics."""
    return sorted(check_policy(name, policy_path=policy_path, text=text), key=Diagnostic.sort_key)


def validate_report(
    paths: Iterable[PathLike], *, policy_path: Sequence[PathLike] = ()
) -> ValidateReport:
    """Check policy files; also say whether a file could not be read at all."""
    report = ValidateReport()
    seen: set[tuple[object, ...]] = set()
    for path in paths:
        try:
            diags = check_policy(os.fspath(path), policy_path=policy_path)
        except DiagnosticError as exc:  # pragma: no cover - check_policy returns these
            diags = exc.diagnostics
        for d in diags:
            key = (d.code, d.message, d.span)
            if key not in seen:
                seen.add(key)
                report.diagnostics.append(d)
            if d.code == "RK001":
                report.unreadable = True
    report.diagnostics.sort(key=Diagnostic.sort_key)
    return report


def _policy(policy: CompiledPolicy | PathLike, policy_path: Sequence[PathLike]) -> CompiledPolicy:
    return policy if isinstance(policy, CompiledPolicy) else load(policy, policy_path=policy_path)


def _table(
    source: Any, sheet: str | None = None, columns: Sequence[str] = (), fast: bool = False
) -> Any:
    """A Table from a path, a Table, or a list of row dicts (`columns` name an empty list's);
    `fast`: a plain CSV file as a TextFrame (read straight into polars)."""
    from rulekit.tables import Table, read_table
    from rulekit.tables.fastcsv import TextFrame

    if isinstance(source, Table | TextFrame):
        return source
    if isinstance(source, list):
        names: list[str] = [] if source else list(columns)
        for row in source:
            for key in row:
                if key not in names:
                    names.append(key)
        rows = [[row.get(c) for c in names] for row in source]
        return Table("<rows>", None, names, rows, None)
    if fast:
        from rulekit.tables.fastcsv import read_table_fast

        return read_table_fast(os.fspath(source), sheet=sheet)
    return read_table(os.fspath(source), sheet=sheet)


def _history(events: Any, sheet: str | None) -> Any:
    """An event history as the engines read it (a plain CSV file straight into polars)."""
    return _table(events, sheet, ("at", "customer", "type", "actor"), fast=True)


def _people(people: Any) -> Any:
    """The optional people table."""
    return _table(people) if people is not None else None


def _instant(value: Any, policy: CompiledPolicy) -> Any:
    from datetime import datetime

    from rulekit.timeutil import parse_instant

    if value is None:
        return datetime.now(policy.tz)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=policy.tz)
    return parse_instant(str(value), policy.tz)


def replay(
    policy: CompiledPolicy | PathLike,
    events: Any,
    *,
    as_of: Any = None,
    people: Any = None,
    skip_bad_rows: bool = False,
    policy_path: Sequence[PathLike] = (),
    sheet: str | None = None,
) -> Result:
    """Replay a history (a table file, a `Table`, or a list of row dicts) under a policy.

    Args:
        policy: A compiled policy, a policy file or a reference such as `4321-dcbao@1`.
        events: The event history.
        as_of: The instant to replay up to (ISO text or datetime); now if None.
        people: The optional people table (`id, name, team, role`).
        skip_bad_rows: Report malformed rows as `bad_row` refusals instead of failing.
        policy_path: Directories to look up policy references in.
        sheet: The XLSX sheet to read.

    Raises:
        PolicyError: the policy is invalid.
        InputError: a table has malformed rows.
        TableError: a table cannot be read.
    """
    from rulekit.engine import runner

    compiled = _policy(policy, policy_path)
    return runner.replay(
        compiled,
        _history(events, sheet),
        _instant(as_of, compiled),
        people=_people(people),
        skip_bad_rows=skip_bad_rows,
    )


def run(
    policy: CompiledPolicy | PathLike,
    records: Any,
    *,
    as_of: Any = None,
    people: Any = None,
    policy_path: Sequence[PathLike] = (),
    sheet: str | None = None,
    engine: str = "auto",
) -> Result:
    """Evaluate a snapshot of customer records under a policy at `as_of` (see `replay`).

    `engine`: "auto" (the default) evaluates with polars where it can and with the row engine
    elsewhere; "columnar" does the same but says on stderr when it falls back; "row" always
    uses the row engine (needed for `Result.alerts` and `Result.world`).
    """
    from rulekit.engine import runner

    compiled = _policy(policy, policy_path)
    return runner.run(
        compiled,
        _table(records, sheet, ("customer", "state"), fast=engine != "row"),
        _instant(as_of, compiled),
        people=_people(people),
        engine=engine,
    )


def dry_run(
    baseline: CompiledPolicy | PathLike,
    candidate: CompiledPolicy | PathLike,
    events: Any,
    *,
    as_of: Any = None,
    people: Any = None,
    skip_bad_rows: bool = False,
    policy_path: Sequence[PathLike] = (),
    sheet: str | None = None,
) -> DryRun:
    """Replay one history under two policies and compare them (`rulekit dry-run`).

    The result has `.baseline` and `.candidate` (each a `Result`), `.changed` (the customers
    that end in another state or with another owner) and `.document()` (the dry-run JSON
    document of docs/formats.md).

    Raises:
        PolicyError: a policy is invalid.
        InputError: the history has malformed rows.
        TableError: a table cannot be read.
    """
    from rulekit.analysis.dryrun import dry_run as compare

    a, b = _policy(baseline, policy_path), _policy(candidate, policy_path)
    return compare(
        a,
        b,
        _history(events, sheet),
        _instant(as_of, a),
        people=_people(people),
        skip_bad_rows=skip_bad_rows,
    )


def explain(
    policy: CompiledPolicy | PathLike,
    events: Any,
    customer: str,
    *,
    as_of: Any = None,
    people: Any = None,
    skip_bad_rows: bool = False,
    policy_path: Sequence[PathLike] = (),
    sheet: str | None = None,
) -> Explanation:
    """One customer's path through a replay (`rulekit explain`): `.steps`, `.lines()` (the
    text), `.document()` (the JSON). Raises as `replay` does."""
    from rulekit.analysis.explain import Explanation
    from rulekit.engine import runner

    compiled = _policy(policy, policy_path)
    result = runner.replay(
        compiled,
        _table(events, sheet, ("at", "customer", "type", "actor")),
        _instant(as_of, compiled),
        people=_people(people),
        skip_bad_rows=skip_bad_rows,
        watch=customer,
    )
    assert result.world is not None
    return Explanation(customer, result, result.world.steps)


def diff(
    old: CompiledPolicy | PathLike,
    new: CompiledPolicy | PathLike,
    *,
    identity: bool = False,
    policy_path: Sequence[PathLike] = (),
) -> list[DiffItem]:
    """What changes between two resolved policies (`rulekit diff`): one `DiffItem` per
    change (`path`, `kind`, `old`, `new`, where the new value is set). Raises PolicyError."""
    from rulekit.analysis.diff import diff as compare

    return compare(_policy(old, policy_path), _policy(new, policy_path), identity=identity)


def sweep(
    policy: CompiledPolicy | PathLike,
    history: Any,
    *,
    as_of: Any = None,
    vary: dict[str, Any],
    cluster: Any = None,
    workers: int | None = None,
    people: Any = None,
    rank_by: str | None = None,
    skip_bad_rows: bool = False,
    policy_path: Sequence[PathLike] = (),
    sheet: str | None = None,
) -> pl.DataFrame:
    """Replay a history under every candidate of a grid: the policy with the `vary` entries set.

    Args:
        policy: The baseline: a compiled policy, a file or a reference.
        history: The event history (a table file, a `Table`, or a list of row dicts), read once.
        as_of: The instant to replay up to; now if None.
        vary: {entry: values}, an entry of the resolved policy (`quota.limit`) and its values:
            a list (`[30, 40]`, `["45d", "60d"]`) or the `--vary` spelling (`"30d..120d/15d"`).
            The grid is their product, the first entry varying slowest.
        cluster: None to run locally, a Dask scheduler address, or a `distributed.Client`.
        workers: Local worker processes when `cluster` is None: None for one per core, 1 to
            run in this process (a program that starts workers needs the
            `if __name__ == "__main__":` guard of Python's multiprocessing).
        people: The optional people table.
        rank_by: An expression of objectives (`-lapses`) that fills the `score` column.
        skip_bad_rows: Report malformed rows as `bad_row` refusals instead of failing.
        policy_path: Directories to look up policy references in.
        sheet: The XLSX sheet to read.

    Returns:
        One row per candidate in grid order: `candidate` (its grid index), a column per
        varied entry, `valid`, `expected_signings`, `lapses`, `changed`, `refused`, `applied`,
        `events`, `timers`, `states.S` and `rejected.R` counts, and `score`. An invalid
        candidate has `valid` false and nulls.

    Raises:
        PolicyError: the baseline is invalid.
        ValueError: an unknown entry or a malformed value list or ranking (`OptionError`).
        InputError: the history has malformed rows.
        TableError: a table cannot be read.
    """
    from rulekit.sweep import run

    compiled = _policy(policy, policy_path)
    result = run.sweep(
        compiled,
        _history(history, sheet),
        _instant(as_of, compiled),
        run.axes(compiled, vary),
        people=_people(people),
        skip_bad_rows=skip_bad_rows,
        workers=workers,
        cluster=cluster,
        rank_by=run.ranking(compiled, rank_by),
    )
    return result.frame()


def profile(
    policy: CompiledPolicy | PathLike,
    source: Any,
    *,
    as_of: Any = None,
    people: Any = None,
    cycles: int = 0,
    rep: str | None = None,
    kind: str = "auto",
    lang: str | None = None,
    skip_bad_rows: bool = False,
    policy_path: Sequence[PathLike] = (),
    sheet: str | None = None,
) -> ProfileReport:
    """Each rep's capability profile: promotions per stage against the policy's targets.

    Args:
        policy: A compiled policy, a policy file or a reference such as `4321-dcbao@1`.
        source: An event history or a snapshot of records (a table file, a `Table`, or a
            list of row dicts).
        as_of: The end of the latest cycle (ISO text or datetime); now if None.
        people: The optional people table (`id, name, team, role`): teams and names.
        cycles: How many cycles before the latest one to profile too.
        rep: Keep this rep's profile only (and its team's).
        kind: "history", "records", or "auto" (a history has `at` and `type` columns).
        lang: "en" or "zh" for the labels; default from RULEKIT_LANG or the locale.

    Raises:
        PolicyError: the policy is invalid.
        ProfileError: the profile cannot be made (no stages, an unknown rep, an input that
            is neither a history nor a snapshot).
        InputError: a table has malformed rows.
        TableError: a table cannot be read.
    """
    from rulekit.profile.build import report_of, source_of

    compiled = _policy(policy, policy_path)
    instant = _instant(as_of, compiled)
    table = _history(source, sheet)
    found = source_of(
        compiled,
        table,
        instant,
        kind=kind,
        people=_people(people),
        skip_bad_rows=skip_bad_rows,
    )
    return report_of(compiled, found, instant, before=cycles, rep=rep, lang=lang)
