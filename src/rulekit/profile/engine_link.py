"""Every import of the engine's internals that the profile needs, in one module.

The profile reads promotions from two sources:

- a history (`replay`): every promotion the replay applies, with the owner it is credited to
  (the customer's owner once applied; the actor if the customer has none) and the instant the
  customer entered the stage before (the previous stage's date, or for the path's first stage
  the instant it entered the state it was promoted from);
- a snapshot (`run`): the `*_at` dates of the flags that are 1, credited to the record's
  owner. A snapshot keeps only the current flags, so promotions cleared by a re-claim are not
  in it, and the first stage's days cannot be known (its previous state's date is not kept).

`dry-run` reads its promotions back from the history and the refusals after each replay
(`replay_keeping_promotions`), which costs nothing during the replay.

When the engine's modules move, only this module's imports change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rulekit.compiler import CompiledPolicy
from rulekit.engine import runner
from rulekit.engine.core import collector
from rulekit.engine.core import program as programs
from rulekit.engine.core.event import Event
from rulekit.engine.core.people import People
from rulekit.engine.input.errors import InputError
from rulekit.engine.input.event_rows import EventLog, column_index
from rulekit.engine.input.history import read_events
from rulekit.engine.input.people_file import read_people as read_people_file
from rulekit.engine.replay.replayer import Replayer
from rulekit.engine.result import result as results
from rulekit.engine.result.result import Result
from rulekit.tables import Table
from rulekit.tables.fastcsv import TextFrame

__all__ = [
    "InputError",
    "Promotion",
    "Source",
    "kind_of",
    "log_is_exact",
    "promotions_of_log",
    "read_people",
    "replay_keeping_promotions",
    "replay_log_recording",
    "replay_source",
    "snapshot_source",
    "source_from_result",
]


@dataclass(frozen=True, slots=True)
class Promotion:
    """One applied promotion: who is credited, which customer, which stage, when.

    `since` is when the customer entered the stage before (None when unknown).
    """

    rep: str | None
    customer: str
    stage: str
    at: datetime
    since: datetime | None


@dataclass(slots=True)
class Source:
    """What a profile is computed from: the run's reps, their teams and names, promotions."""

    mode: str  # "replay" or "run"
    path: str
    result: Result
    promotions: list[Promotion]
    reps: list[str]  # every rep of the run, sorted
    teams: dict[str, str | None] = field(default_factory=dict)  # rep -> team
    names: dict[str, str | None] = field(default_factory=dict)  # rep -> name


class _Recorder(Replayer):
    """A replayer that notes every promotion it applies."""

    def __init__(self, program: programs.Program, people: People) -> None:
        super().__init__(program, people)
        self.promotions: list[Promotion] = []

    def apply(self, event: Event) -> None:
        stage = event.stage
        customer = self.world.customers.get(event.customer)
        if stage is None or event.type not in self.program.promotes:
            # a grant of a waiting promotion marks its stage, dated at the grant
            pending = customer.pending if customer is not None else None
            if pending is None or pending.argument not in self.program.stage_index:
                super().apply(event)
                return
            stage = pending.argument
        assert stage is not None
        index = self.program.stage_index.get(stage, 0)
        since: datetime | None = None
        if customer is not None and index >= 1:
            since = customer.dates[index - 2] if index >= 2 else customer.state_since
        applied = self.world.applied
        super().apply(event)
        if self.world.applied == applied or index < 1:
            return
        after = self.world.customers.get(event.customer)
        if after is None or after.flags[index - 1] != 1 or after.dates[index - 1] != event.at:
            return  # applied without marking the stage (a promotion now awaiting approval)
        rep = after.owner or event.actor
        self.promotions.append(Promotion(rep, event.customer, stage, event.at, since))


def read_people(people: Table | None) -> People:
    """The people of a run (the engine's rules: without a file, `admin` is the admin)."""
    return read_people_file(people) if people is not None else People()


def replay_log_recording(
    program: programs.Program,
    people: People,
    log: EventLog,
    path: str,
    as_of: datetime,
    *,
    skip_bad_rows: bool = False,
    keep_log: bool = True,
) -> tuple[Result, list[Promotion]]:
    """`runner.replay_log`, also returning the promotions applied, in processing order
    (`keep_log` off: the log's events are let go once applied, as `runner.replay` does).

    Raises:
        InputError: the log has malformed rows and `skip_bad_rows` is off.
    """
    with collector.paused():
        if log.bad and not skip_bad_rows:
            raise InputError([m for bad in log.bad for m in bad.messages(path)])
        replayer = _Recorder(program, people)
        world = replayer.replay(log, as_of, skip_bad_rows)
        counted = len(log) + (sum(not b.late for b in log.bad) if skip_bad_rows else 0)
        if not keep_log:
            log.release()
        return results.build(program, world, as_of, "replay", counted), replayer.promotions


def log_is_exact(program: programs.Program) -> bool:
    """True when every promoting transition is the owner's only and needs no approval."""
    return all(
        move.roles == frozenset({"owner"}) and move.approval is None
        for kind in program.promotes
        for move in program.moves_by_event.get(kind, ())
    )


def promotions_of_log(
    program: programs.Program, log: EventLog, result: Result
) -> list[Promotion] | None:
    """The promotions a finished replay applied, read back from its log and its refusals,
    with no cost during the replay; None when the policy does not allow it exactly.

    Exact when every promoting transition may be taken by the owner only (so the actor is
    the owner) and none waits for an approval: every event of the log is either applied or
    refused (by row), and an applied promotion marks its stage. `since` is the customer's
    latest earlier promotion into the previous stage (what the replay's stage date is,
    clear or not); for the first stage it is None (the replay alone knows that wait).
    """
    if not log_is_exact(program):
        return None
    refused = result.rejected.row_numbers()
    promotes, index = program.promotes, program.stage_index
    latest: dict[tuple[str, int], datetime] = {}
    out = []
    for _, at, customer, kind, actor, stage, _, _ in log.rows_with_stage(refused):
        if kind not in promotes:
            continue
        k = index.get(stage, 0)
        if k < 1:
            continue
        since = latest.get((customer, k - 1)) if k > 1 else None
        latest[(customer, k)] = at
        out.append(Promotion(actor, customer, stage, at, since))
    return out


def replay_keeping_promotions(
    program: programs.Program,
    people: People,
    log: EventLog,
    path: str,
    as_of: datetime,
    *,
    skip_bad_rows: bool = False,
    keep_log: bool = True,
) -> tuple[Result, list[Promotion]]:
    """`runner.replay_log` and its promotions: read back from the log when that is exact
    (no cost during the replay; the first stage's wait unknown), else recorded. The log's
    events are read back before they are let go (`keep_log` off)."""
    if not log_is_exact(program):
        return replay_log_recording(
            program, people, log, path, as_of, skip_bad_rows=skip_bad_rows, keep_log=keep_log
        )
    result = runner.replay_log(program, people, log, path, as_of, skip_bad_rows=skip_bad_rows)
    found = promotions_of_log(program, log, result) or []
    if not keep_log:
        log.release()
    return result, found


def build_program(policy: CompiledPolicy) -> programs.Program:
    """The engine's runtime view of a policy."""
    return programs.build(policy)


def read_log(table: Table | TextFrame, program: programs.Program, as_of: datetime) -> EventLog:
    """A history's events up to `as_of` (malformed rows kept apart)."""
    return read_events(table, program, as_of)


def same_reading(a: programs.Program, b: programs.Program) -> bool:
    """True when two programs read a history into the same events."""
    return a.event_reading() == b.event_reading()


def kind_of(columns: Sequence[str], policy: CompiledPolicy) -> str | None:
    """`history` when the table has the event columns `at` and `type`, `records` when it has
    `state` (and no `type`), None when neither; column names mapped by the policy's fields."""
    program = programs.build(policy)
    cols = column_index(list(columns), program)
    if "type" in cols and "at" in cols:
        return "history"
    if "state" in cols and "customer" in cols:
        return "records"
    return None


def _labels(people: People, reps: list[str]) -> tuple[dict[str, str | None], dict[str, str | None]]:
    teams = {r: people.team(r) for r in reps}
    names = {r: (people.listed[r].name if r in people.listed else None) for r in reps}
    return teams, names


def replay_source(
    policy: CompiledPolicy,
    events: Table | TextFrame,
    as_of: datetime,
    *,
    people: Table | None = None,
    skip_bad_rows: bool = False,
) -> Source:
    """Replay a history and keep its promotions."""
    with collector.paused():
        program = programs.build(policy)
        folks = read_people(people)
        log = read_events(events, program, as_of)
        result, promotions = replay_log_recording(
            program, folks, log, events.path, as_of, skip_bad_rows=skip_bad_rows, keep_log=False
        )
    return source_from_result("replay", events.path, result, promotions, folks)


def source_from_result(
    mode: str, path: str, result: Result, promotions: list[Promotion], people: People
) -> Source:
    """A Source from a result, its promotions and the people of the run."""
    reps = sorted({r.rep for r in result.reps} | {p.rep for p in promotions if p.rep})
    teams, names = _labels(people, reps)
    return Source(mode, path, result, promotions, reps, teams, names)


def snapshot_source(
    policy: CompiledPolicy,
    records: Table | TextFrame,
    as_of: datetime,
    *,
    people: Table | None = None,
) -> Source:
    """Evaluate a snapshot and read its promotions from the `*_at` dates of its 1 flags."""
    folks = read_people(people)
    result = runner.run(policy, records, as_of, people=people)
    codes = list(policy.model.stages)
    promotions: list[Promotion] = []
    for c in result.customers:
        previous: datetime | None = None
        for i, code in enumerate(codes):
            at = c.dates.get(code)
            if c.flags.get(code) == 1 and at is not None and at <= as_of:
                promotions.append(Promotion(c.owner, c.customer, code, at, previous if i else None))
            previous = at if c.flags.get(code) == 1 else None
    promotions.sort(key=lambda p: (p.at, p.customer, codes.index(p.stage)))
    return source_from_result("run", records.path, result, promotions, folks)
