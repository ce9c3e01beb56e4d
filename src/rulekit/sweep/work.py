"""One candidate's replay, as a worker runs it: the shared history in, the summary out.

`History` is everything candidates share: the history's table (`shared.Shared`: compact
bytes, read into events once per worker), the people, the baseline's document and how each
customer ends under it. It is made once, shipped once to each worker (a Dask cluster receives
it by `scatter`), and read by every task; a `Task` carries only a candidate's small overlay.
The function is the same in a worker and in-process, so a sweep gives the same numbers however
it is run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from rulekit.analysis.dryrun import End, compare, ends, summary
from rulekit.engine import runner
from rulekit.engine.core import collector
from rulekit.engine.core import program as programs
from rulekit.engine.core.people import People
from rulekit.policy.yamlsrc import Document
from rulekit.sweep.candidates import compile_candidate
from rulekit.sweep.shared import Shared, event_log


@dataclass(frozen=True)
class History:
    """What every candidate of a sweep reads, read and parsed once."""

    document: Document  # the baseline policy, resolved
    files: tuple[str, ...]
    events: Shared  # the history's table
    people: People
    path: str  # the history's file, for messages
    as_of: datetime
    skip_bad_rows: bool
    baseline: dict[str, End]  # how each customer ends under the baseline

    def packed(self) -> History:
        """This history as it is shipped to other processes: the table as compact bytes."""
        return replace(self, events=self.events.packed())


@dataclass(frozen=True)
class Task:
    """One candidate to replay: its grid index and its overlay."""

    index: int
    overlay: Document


@dataclass(frozen=True)
class Outcome:
    """A replayed candidate: its summary (as the baseline's) and customers changed."""

    index: int
    summary: dict[str, Any]
    changed: int


def run_candidate(history: History, task: Task) -> Outcome:
    """Compile the candidate, replay the shared history under it, and summarise."""
    with collector.paused():
        policy, diagnostics = compile_candidate(history.document, history.files, task.overlay)
        if policy is None:  # pragma: no cover - the sweep checks candidates before sending them
            raise ValueError(f"candidate {task.index} does not compile: {diagnostics}")
        program = programs.build(policy)
        result = runner.replay_log(
            program,
            history.people,
            event_log(history.events, program, history.as_of),
            history.path,
            history.as_of,
            skip_bad_rows=history.skip_bad_rows,
        )
        changed = len(compare(history.baseline, ends(result)))
        return Outcome(task.index, summary(result), changed)


class WorkerInterrupted(Exception):
    """A Ctrl-C reached a worker while it replayed a candidate. Local workers ignore SIGINT,
    but polars installs its own handler, which aborts a running query with KeyboardInterrupt:
    in a worker that is an ordinary error of the task (the worker lives on, prints nothing),
    and the sweep that receives it is cancelled."""


def run_candidate_on_worker(history: History, task: Task) -> Outcome:
    """`run_candidate` as a Dask worker runs it: an interrupt is the task's error."""
    try:
        return run_candidate(history, task)
    except KeyboardInterrupt:
        raise WorkerInterrupted(f"candidate {task.index} interrupted") from None
