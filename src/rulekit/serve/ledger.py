"""The ledger: an append-only log and the current-state tables, written under one lock.

Each process keeps the engine's state in memory (`LiveEngine`). Every write is one database
transaction holding the single-writer lock (SQLite `BEGIN IMMEDIATE`, Postgres
`pg_advisory_xact_lock`); inside it the process first catches up with the entries other
processes committed, then stamps the new event with `at = max(clock now, last at)`, lets the
engine fire the timers due before it (logged as `timer`/`rule`), applies it, appends it to
the log and updates the state tables, and commits before answering. The log is therefore in
commit order, its `at` never goes back, and the engine that decided an event had seen every
entry before it: the same loop `rulekit replay` runs over the exported log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import orjson
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.engine import Connection, Row

from rulekit.serve import tables as t
from rulekit.serve.database import lock, upsert, writer_queue
from rulekit.serve.engine_bridge import (
    CompiledPolicy,
    LiveEngine,
    People,
    Step,
    compile_source,
    people_to_rows,
)
from rulekit.serve.records import (
    CORE_CELLS,
    LedgerError,
    Outcome,
    OutOfOrder,
    Pending,
    Posted,
    cells_of,
    from_utc,
    now_s,
    policy_source,
    utc,
)

__all__ = ["Ledger", "LedgerError", "Outcome", "OutOfOrder", "Posted", "now_s"]

T = TypeVar("T")


class Ledger:
    """The log, the state tables and this process's engine over one database."""

    def __init__(self, db: Engine, people: People) -> None:
        self.db = db
        self.people = people
        self.mutex = threading.RLock()  # one thread of this process at a time in the engine
        self.live: LiveEngine | None = None
        self.version = 0  # the policy version in force (policy_versions.number)
        self.versions: dict[int, str] = {}  # number -> the policy's version string
        self.seq = 0  # the last entry this process's engine has seen
        self.last_at: datetime | None = None
        self.clock: datetime | None = None  # daily sweeps have run up to here
        self._reps: dict[str, int] = {}  # slots as the reps table holds them
        self._entries: list[dict[str, Any]] = []
        self._queue: list[Pending] = []
        self._queue_lock = threading.Lock()

    # -- policy versions ----------------------------------------------------------------------
    def start(self, compiled: CompiledPolicy, at: datetime | None = None) -> None:
        """Record `compiled` as version 1 of an empty ledger, or check it is the one in force.

        Raises:
            LedgerError: the ledger runs another policy (switch with `rulekit deploy`).
        """
        name, source = policy_source(compiled)
        with self.db.begin() as conn:
            lock(conn)
            conn.execute(delete(t.meta).where(t.meta.c.key == "people"))
            conn.execute(
                insert(t.meta).values(
                    key="people", value=orjson.dumps(people_to_rows(self.people)).decode()
                )
            )
            row = conn.execute(
                select(t.policy_versions).order_by(t.policy_versions.c.number.desc()).limit(1)
            ).first()
            if row is None:
                last = conn.execute(select(func.max(t.log.c.seq))).scalar() or 0
                conn.execute(
                    insert(t.policy_versions).values(
                        number=1,
                        policy_id=compiled.id,
                        version=compiled.version,
                        name=name,
                        source=source,
                        from_seq=last + 1,
                        deployed_at=utc(at or now_s()),
                    )
                )
                return
            if row.source != source or row.policy_id != compiled.id:
                raise LedgerError(
                    f"the ledger runs {row.policy_id} {row.version} (from {row.name}), "
                    f"not {compiled.id} {compiled.version} from {name}",
                    "serve the policy in force, or switch with `rulekit deploy NEW_POLICY "
                    "--db URL --yes`",
                    code="policy_mismatch",
                )

    def deployed(self, conn: Connection) -> list[Row[Any]]:
        return list(conn.execute(select(t.policy_versions).order_by(t.policy_versions.c.number)))

    # -- loading and catching up --------------------------------------------------------------
    def _load(self, conn: Connection) -> LiveEngine:
        """Rebuild the engine from the whole log (start, deploy, or after a failed write)."""
        versions = self.deployed(conn)
        if not versions:
            raise LedgerError(
                "the ledger has no policy yet",
                "start it with `rulekit serve POLICY` or `rulekit ledger import POLICY FILE`",
                code="no_policy",
            )
        self.versions = {v.number: v.version for v in versions}
        live = LiveEngine(compile_source(versions[0].source, versions[0].name), self.people)
        self.live, self.version, self.seq, self.last_at = live, versions[0].number, 0, None
        self.clock = None
        self._apply_entries(conn, versions)
        self._finish_catch_up(conn)
        return self.live

    def _apply_entries(self, conn: Connection, versions: Sequence[Row[Any]]) -> None:
        rows = list(conn.execute(select(t.log).where(t.log.c.seq > self.seq).order_by("seq")))
        upcoming = [v for v in versions if v.number > self.version]
        start = 0
        while start < len(rows):  # one run of entries per policy version
            version = rows[start].policy_version
            end = start
            while end < len(rows) and rows[end].policy_version == version:
                end += 1
            while upcoming and upcoming[0].number <= version:
                self._switch(upcoming.pop(0))
            self._apply_run(rows[start:end])
            start = end
        for later in upcoming:
            self._switch(later)

    def _apply_run(self, rows: Sequence[Row[Any]]) -> None:
        live = self.live
        assert live is not None
        parsed = live.parse([cells_of(r) for r in rows if r.kind == "event"], "log")
        if parsed.problems:
            raise LedgerError(
                "the ledger's log holds events its policy cannot read: " + parsed.problems[0],
                "was the ledger written by another rulekit? `rulekit ledger status` tells",
                code="bad_log",
            )
        events = iter(parsed.events)
        for row in rows:
            at = from_utc(row.at)
            if row.kind == "event":
                event = next(events)
                event.at = at
                live.apply(event)
            else:
                live.advance(at)
            self.seq, self.last_at = row.seq, at

    def _switch(self, version: Row[Any]) -> LiveEngine:
        """Carry the customers over to a deployed version at its deploy instant."""
        old = self.live
        assert old is not None
        at = from_utc(version.deployed_at)
        old.advance(at)
        new = LiveEngine(compile_source(version.source, version.name), self.people)
        new.carry_over(old, at)
        self.live, self.version = new, version.number
        self.versions[version.number] = version.version
        return new

    def _finish_catch_up(self, conn: Connection) -> None:
        live = self.live
        assert live is not None
        if live.has_sweeps():
            clock = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "clock")).scalar()
            if clock is not None:
                self.clock = from_utc(clock)
                live.advance(self.clock)
        live.take_touched()  # the process that wrote those entries updated the tables
        self._reps = dict(live.slots())

    def _catch_up(self, conn: Connection) -> LiveEngine:
        """Apply the entries other processes committed since this one last looked."""
        if self.live is None:
            return self._load(conn)
        newest, last = conn.execute(
            select(
                select(func.max(t.policy_versions.c.number)).scalar_subquery(),
                select(func.max(t.log.c.seq)).scalar_subquery(),
            )
        ).one()
        if newest != self.version:
            return self._load(conn)
        if (last or 0) > self.seq:
            self._apply_entries(conn, [])
        self._finish_catch_up(conn)
        return self.live

    def current(self) -> LiveEngine:
        """This process's engine as it is (to read a request against the policy)."""
        live = self.live
        return live if live is not None else self.engine()

    def engine(self) -> LiveEngine:
        """This process's engine, caught up with the log (a read: no write lock)."""
        with self.mutex, self.db.connect() as conn:
            conn = conn.execution_options(reading=True)
            with conn.begin():
                return self._catch_up(conn)

    # -- writing --------------------------------------------------------------------------------
    def write(self, work: Callable[[Connection, LiveEngine], T]) -> T:
        """Run `work` inside one transaction holding the single-writer lock, caught up."""
        with self.mutex, writer_queue(self.db):
            try:
                with self.db.begin() as conn:
                    lock(conn)
                    live = self._catch_up(conn)
                    self._entries = []
                    out = work(conn, live)
                    assert self.live is not None
                    self._flush(conn, self.live)  # a deploy may have switched engines
                return out
            except OutOfOrder:
                raise  # raised before anything changed
            except BaseException:
                self.live = None  # memory may be ahead of the database: rebuild next time
                raise

    def floor(self) -> datetime | None:
        """The earliest instant a new entry may have."""
        if self.clock is not None and (self.last_at is None or self.clock > self.last_at):
            return self.clock
        return self.last_at

    def _log(self, entry: dict[str, Any]) -> int:
        self.seq += 1
        entry["seq"] = self.seq
        entry["policy_version"] = self.version
        self._entries.append(entry)
        at: datetime = entry.pop("when")
        entry["at"] = utc(at)
        if self.last_at is None or at > self.last_at:
            self.last_at = at
        return self.seq

    def _log_steps(self, steps: Sequence[Step]) -> None:
        for s in steps:
            self._log(
                {
                    "when": s.at,
                    "kind": s.kind,
                    "customer": s.customer,
                    "type": s.type,
                    "actor": None,
                    "stage": None,
                    "target": None,
                    "fields": "{}",
                    "applied": True,
                    "reason": None,
                    "state": s.state,
                }
            )

    def _advance(self, live: LiveEngine, at: datetime) -> None:
        self._log_steps(live.advance(at))
        if live.has_sweeps():
            self.clock = at

    def _flush(self, conn: Connection, live: LiveEngine) -> None:
        if self._entries:
            conn.execute(insert(t.log), self._entries)
        rows = []
        for cid in sorted(live.take_touched()):
            row = live.state_row(cid)
            if row is not None:
                row["flags"] = orjson.dumps(row["flags"]).decode()
                rows.append({**row, "seq": self.seq})
        upsert(conn, t.customers, rows, "customer")
        slots = live.slots()
        changed = sorted(
            r for r in set(slots) | set(self._reps) if slots.get(r, 0) != self._reps.get(r, 0)
        )
        upsert(
            conn,
            t.reps,
            [
                {"rep": r, "slots_used": slots.get(r, 0), "slot_limit": live.slot_limit(r)}
                for r in changed
            ],
            "rep",
        )
        self._reps = dict(slots)
        if live.has_sweeps() and self.clock is not None:
            upsert(conn, t.meta, [{"key": "clock", "value": utc(self.clock)}], "key")

    def post(self, posted: Sequence[Posted], now: datetime | None = None) -> list[Outcome]:
        """Write events in order; each is applied or refused (a result either way).

        Group commit: requests of this process that arrive while a write is under way queue
        up, and the next thread to hold the lock writes them all in one transaction (each in
        arrival order, each answered only after that commit).

        Raises:
            OutOfOrder: a given `at` is before the log's last entry (nothing is written).
        """
        mine = Pending(list(posted), now)
        with self._queue_lock:
            self._queue.append(mine)
        with self.mutex:
            if not mine.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                try:
                    self.write(lambda conn, live: self._post_batch(live, batch))
                except BaseException as exc:
                    for p in batch:
                        p.error, p.outcomes = exc, []
                    raise
                finally:
                    for p in batch:
                        p.done = True
        if mine.error is not None:
            raise mine.error
        return mine.outcomes

    def _post_batch(self, live: LiveEngine, batch: list[Pending]) -> None:
        for pending in batch:
            clock = pending.now or now_s()
            floor = self.floor()
            stamps = []
            for p in pending.posted:
                at = p.at if p.at is not None else max(clock, floor or clock)
                if floor is not None and at < floor:
                    pending.error = OutOfOrder(
                        f"`at` {live.iso(at)} is before the last entry of the ledger "
                        f"({live.iso(floor)})",
                        "post history in time order, from the ledger's last instant on",
                        code="out_of_order",
                    )
                    break
                floor = at
                stamps.append(at)
            if pending.error is None:
                pending.outcomes = [
                    self._post_one(live, p, at)
                    for p, at in zip(pending.posted, stamps, strict=True)
                ]

    def _post_one(self, live: LiveEngine, p: Posted, at: datetime) -> Outcome:
        event = p.event
        event.at = at
        reason, before, after = live.apply(event)
        self._log_steps(before)
        if live.has_sweeps():
            self.clock = at
        cells = p.cells
        fields = {k: v for k, v in cells.items() if k not in CORE_CELLS and v is not None}
        customer = live.world.customers.get(event.customer)
        seq = self._log(
            {
                "when": at,
                "kind": "event",
                "customer": event.customer,
                "type": event.type,
                "actor": event.actor,
                "stage": event.stage,
                "target": event.to,
                "fields": orjson.dumps(fields, option=orjson.OPT_SORT_KEYS).decode(),
                "applied": reason is None,
                "reason": reason,
                "state": customer.state if customer is not None else None,
            }
        )
        self._log_steps(after)
        return Outcome(seq, at, reason is None, reason, live.customer(event.customer, at))

    def sync(self, now: datetime | None = None) -> tuple[LiveEngine, datetime]:
        """Fire (and log) what is due by now; the engine and the instant it stands at."""
        clock = now or now_s()
        live = self.engine()
        floor = self.floor()
        at = max(clock, floor) if floor is not None else clock
        due = live.next_due()
        if due is not None and due <= at:

            def work(conn: Connection, live: LiveEngine) -> LiveEngine:
                floor = self.floor()
                self._advance(live, max(at, floor) if floor is not None else at)
                return live

            live = self.write(work)
            floor = self.floor()
            at = max(at, floor) if floor is not None else at
        return live, at

    # -- reading ------------------------------------------------------------------------------
    def view(self, read: Callable[[LiveEngine, datetime], T]) -> T:
        """`read(engine, now)` on the engine brought to now, while no other thread moves it."""
        with self.mutex:
            live, at = self.sync()
            return read(live, at)

    def entries(self, after: int, limit: int) -> list[dict[str, Any]]:
        """Log entries after `seq`, oldest first, for the API."""
        live = self.engine()
        with self.db.connect() as conn:
            conn = conn.execution_options(reading=True)
            rows = conn.execute(
                select(t.log).where(t.log.c.seq > after).order_by("seq").limit(limit)
            )
            return [
                {
                    "seq": r.seq,
                    "at": live.iso(from_utc(r.at)),
                    "kind": r.kind,
                    "customer": r.customer,
                    "type": r.type,
                    "actor": r.actor,
                    "applied": bool(r.applied),
                    "reason": r.reason,
                    "policy_version": self.versions.get(r.policy_version, str(r.policy_version)),
                }
                for r in rows
            ]
