"""Run the engine on tables: replay a history, or evaluate a snapshot of records."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime

from rulekit.compiler import CompiledPolicy
from rulekit.engine.columnar.world_alerts import WorldAlerts
from rulekit.engine.core import collector
from rulekit.engine.core import program as programs
from rulekit.engine.core.people import People
from rulekit.engine.input.errors import InputError
from rulekit.engine.input.event_rows import EventLog
from rulekit.engine.input.history import read_events
from rulekit.engine.input.people_file import read_people
from rulekit.engine.replay.replayer import Replayer
from rulekit.engine.result import result as results
from rulekit.engine.snapshot import records as snapshot
from rulekit.tables import Table, read_table
from rulekit.tables.fastcsv import TextFrame


def replay(
    policy: CompiledPolicy,
    events: Table | TextFrame,
    as_of: datetime,
    *,
    people: Table | None = None,
    skip_bad_rows: bool = False,
    watch: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> results.Result:
    """Replay `events` under `policy` up to `as_of`.

    Raises:
        InputError: the events or people table has malformed rows (and `skip_bad_rows` is
            off): every bad row is listed, nothing is replayed.
    """
    with collector.paused():
        program = programs.build(policy)
        folks = read_people(people) if people is not None else People()
        log = read_events(events, program, as_of)
        return replay_log(
            program,
            folks,
            log,
            events.path,
            as_of,
            skip_bad_rows=skip_bad_rows,
            watch=watch,
            progress=progress,
            keep_log=False,
        )


def replay_log(
    program: programs.Program,
    people: People,
    log: EventLog,
    path: str,
    as_of: datetime,
    *,
    skip_bad_rows: bool = False,
    watch: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep_log: bool = True,
) -> results.Result:
    """`replay` of events already read (by `read_events` from the table at `path`).

    With `keep_log` off, the log's events are let go once applied (a caller that read them
    for this replay alone): the result is built in the memory they held.

    Raises:
        InputError: the log has malformed rows and `skip_bad_rows` is off.
    """
    with collector.paused():
        if log.bad and not skip_bad_rows:
            raise InputError([m for bad in log.bad for m in bad.messages(path, log.lines)])
        replayer = Replayer(program, people, watch)
        total = len(log)
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if progress is not None and (done % 5000 == 0 or done == total):
                progress(done, total)

        world = replayer.replay(log, as_of, skip_bad_rows, tick if progress else None)
        counted = len(log) + (sum(not b.late for b in log.bad) if skip_bad_rows else 0)
        if not keep_log:
            log.release()
        result = results.build(program, world, as_of, "replay", counted)
        if result.states is not None:  # the text report counts its alerts with polars
            result.alert_source = WorldAlerts(world, result.states, as_of)
        return result


def run(
    policy: CompiledPolicy,
    records: Table | TextFrame,
    as_of: datetime,
    *,
    people: Table | None = None,
    engine: str = "auto",
) -> results.Result:
    """Evaluate a snapshot of `records` under `policy` at `as_of`.

    `engine` is "row" (one customer at a time), "columnar" (polars over the whole table;
    anything it cannot do exactly falls back to the row engine, with a note on stderr) or
    "auto" (columnar where it can, row elsewhere, without a note). `records` may be a
    TextFrame (a CSV file read straight into polars): the row engine re-reads its file.

    Raises:
        InputError: the records have malformed rows: every one is listed.
    """
    folks = read_people(people) if people is not None else People()
    if engine in ("columnar", "auto"):
        from rulekit.engine.columnar.alerts import NotColumnar
        from rulekit.engine.columnar.engine import run_columnar

        try:
            return run_columnar(policy, records, as_of, folks)
        except NotColumnar as exc:
            if engine == "columnar":
                print(
                    f"rulekit: the columnar engine cannot run {policy.id} on {records.path} "
                    f"({exc}); using the row engine",
                    file=sys.stderr,
                )
    table = read_table(records.path) if isinstance(records, TextFrame) else records
    program = programs.build(policy)
    replayer = Replayer(program, folks)
    problems = [f"{p.location(table.path)}: {p.message}" for p in table.problems]
    problems += snapshot.read_records(table, program, replayer)
    if problems:
        raise InputError(problems)
    world = snapshot.evaluate(replayer, as_of)
    return results.build(program, world, as_of, "run", 0)
