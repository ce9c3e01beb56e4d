"""One candidate's replay, as a worker runs it: the shared history in, the summary out.

`History` is everything candidates share: the parsed event logs, the people, the baseline's
document and how each customer ends under it. It is made once, shipped once to each worker
(pickled; a Dask cluster receives it by `scatter`), and read by every task; a `Task` carries
only a candidate's small overlay. The function is the same in a worker and in-process, so a
sweep gives the same numbers however it is run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rulekit.analysis.dryrun import End, compare, ends, summary
from rulekit.engine import runner
from rulekit.engine.core import collector
from rulekit.engine.core import program as programs
from rulekit.engine.core.people import People
from rulekit.engine.input.event_rows import EventLog
from rulekit.policy.yamlsrc import Document
from rulekit.sweep.candidates import compile_candidate


@dataclass(frozen=True)
class History:
    """What every candidate of a sweep reads, read and parsed once."""

    document: Document  # the baseline policy, resolved
    files: tuple[str, ...]
    logs: tuple[EventLog, ...]  # one per distinct way candidates read events (usually one)
    people: People
    path: str  # the history's file, for messages
    as_of: datetime
    skip_bad_rows: bool
    baseline: dict[str, End]  # how each customer ends under the baseline


@dataclass(frozen=True)
class Task:
    """One candidate to replay: its grid index, its overlay and which log it reads."""

    index: int
    overlay: Document
    log: int


@dataclass(frozen=True)
class Outcome:
    """A replayed candidate: its summary (as the baseline's) and customers changed."""

    index: int
    summary: dict[str, Any]
    changed: int


def run_candidate(history: History, task: Task) -> Outcome:
    """Compile the candidate, replay the shared log under it, and summarise."""
    with collector.paused():
        policy, diagnostics = compile_candidate(history.document, history.files, task.overlay)
        if policy is None:  # pragma: no cover - the sweep checks candidates before sending them
            raise ValueError(f"candidate {task.index} does not compile: {diagnostics}")
        result = runner.replay_log(
            programs.build(policy),
            history.people,
            history.logs[task.log],
            history.path,
            history.as_of,
            skip_bad_rows=history.skip_bad_rows,
        )
        changed = len(compare(history.baseline, ends(result)))
        return Outcome(task.index, summary(result), changed)
