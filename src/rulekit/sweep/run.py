"""A sweep from start to end: read the history once, check the candidates, replay the baseline,
run the candidates where asked, and collect the result.

The history is read once per distinct way of reading it (candidates that vary numbers,
durations or rules read events alike, so once in all); workers receive the table itself, as
compact bytes, and read it once each (`shared`). The baseline is replayed here, in this
process, while the candidates run elsewhere; it decides `changed`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from rulekit.analysis.dryrun import ends, summary
from rulekit.compiler import CompiledPolicy
from rulekit.engine import runner
from rulekit.engine.core import collector
from rulekit.engine.core import program as programs
from rulekit.engine.core.people import People
from rulekit.engine.input.errors import InputError
from rulekit.engine.input.history import read_events
from rulekit.engine.input.people_file import read_people
from rulekit.engine.replay.world import REASONS
from rulekit.sweep.candidates import Candidate, candidates
from rulekit.sweep.execute import Progress, execute
from rulekit.sweep.grid import Axis, duplicate, entries, grid, parse_axis
from rulekit.sweep.rank import Ranking, parse
from rulekit.sweep.result import Row, SweepResult
from rulekit.sweep.shared import Shared, event_log, forget, keep
from rulekit.sweep.work import History, Task
from rulekit.tables import Table
from rulekit.tables.fastcsv import TextFrame
from rulekit.timeutil import format_instant


def axes(baseline: CompiledPolicy, vary: Sequence[str] | Mapping[str, Any]) -> list[Axis]:
    """The axes of `--vary PATH=VALUES` texts, or of a mapping {PATH: VALUES} where VALUES is
    such a text or a list of values.

    Raises:
        OptionError: an unknown PATH, a bad value list, a path varied twice, too big a grid.
    """
    known = entries(baseline.document)
    texts = list(vary) if not isinstance(vary, Mapping) else [
        f"{path}={_spelled(values)}" for path, values in vary.items()
    ]  # fmt: skip
    out = [parse_axis(text, known) for text in texts]
    problem = duplicate(out)
    if problem is not None:
        raise problem
    grid(out)  # raises if too big
    return out


def _spelled(values: Any) -> str:
    """A mapping's VALUES as a `--vary` text: a list whose strings hold commas (or begin with
    `[`) as a JSON list, any other as a comma list."""
    if isinstance(values, str):
        return values
    if isinstance(values, bool | int | float):
        return _scalar_text(values)
    items = list(values)
    if any(isinstance(v, str) and ("," in v or v.lstrip().startswith("[")) for v in items):
        return json.dumps(items, ensure_ascii=False)
    return ",".join(_scalar_text(v) for v in items)


def _scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def ranking(baseline: CompiledPolicy, text: str | None) -> Ranking | None:
    """Parse a `--rank-by` expression against the baseline's states and the refusal reasons.

    Raises:
        OptionError: the expression is malformed or names an unknown objective.
    """
    if text is None:
        return None
    return parse(text, list(baseline.model.states), [*REASONS, "bad_row"])


def sweep(
    baseline: CompiledPolicy,
    events: Table | TextFrame,
    as_of: datetime,
    grid_axes: Sequence[Axis],
    *,
    people: Table | None = None,
    skip_bad_rows: bool = False,
    workers: int | None = None,
    cluster: Any = None,
    rank_by: Ranking | None = None,
    progress: Progress | None = None,
    started: Callable[[int], None] | None = None,
    starting: Callable[[int], None] | None = None,
) -> SweepResult:
    """Replay `events` under the baseline and under every candidate of the grid.

    Raises:
        InputError: the history or people table has malformed rows (and `skip_bad_rows` is off).
    """
    found = candidates(baseline, grid_axes, grid(grid_axes))
    shared = Shared.here(events)
    try:
        with collector.paused():
            program = programs.build(baseline)
            folks = read_people(people) if people is not None else People()
            log = read_events(events, program, as_of)
            if log.bad and not skip_bad_rows:
                raise InputError([m for bad in log.bad for m in bad.messages(events.path)])
            keep(shared, program, as_of, log)
            readings = [program.event_reading()]
            tasks = [_task(c, readings, shared, as_of) for c in found if c.valid]
            base = runner.replay_log(
                program, folks, log, events.path, as_of, skip_bad_rows=skip_bad_rows
            )
        del log
        history = History(
            baseline.document,
            baseline.files,
            shared,
            folks,
            events.path,
            as_of,
            skip_bad_rows,
            ends(base),
        )
        outcomes = execute(
            history,
            tasks,
            workers=workers,
            cluster=cluster,
            progress=progress,
            started=started,
            starting=starting,
        )
    finally:
        forget(shared)
    by_index = {o.index: o for o in outcomes}
    rows = []
    for c in found:
        done = by_index.get(c.index)
        if done is None:
            rows.append(Row(c.index, c.params, diagnostics=c.diagnostics))
        else:
            rows.append(Row(c.index, c.params, done.summary, done.changed))
    result = SweepResult(
        [a.name for a in grid_axes], summary(base), rows, format_instant(as_of, baseline.tz)
    )
    result.rank(rank_by)
    return result


def _task(candidate: Candidate, readings: list[Any], shared: Shared, as_of: datetime) -> Task:
    """The candidate's task. A candidate that reads events its own way (a varied field's type
    or column) has them read here first: a history it cannot read fails the sweep here, as
    for the baseline, and in-process runs take that log."""
    assert candidate.policy is not None
    program = programs.build(candidate.policy)
    reading = program.event_reading()
    if reading not in readings:
        readings.append(reading)
        event_log(shared, program, as_of)
    return Task(candidate.index, candidate.overlay)
