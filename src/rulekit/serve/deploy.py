"""`rulekit deploy`: dry-run the ledger's own history under a new policy version, then switch.

The switch is one write transaction under the ledger's lock: the timers due under the old
version fire first (logged under it), a new `policy_versions` row starts at the next entry,
and the customers are carried over as they are (state, owner, flags, dates, fields), their
timers recomputed from `state_since` under the new durations. Every later entry of the log
names the version that decided it. Serving processes notice the new version at their next
catch-up and rebuild their engine from the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from rulekit.serve import tables as t
from rulekit.serve.engine_bridge import CompiledPolicy, LiveEngine, dry_run_ledger
from rulekit.serve.history import export_rows
from rulekit.serve.ledger import Ledger
from rulekit.serve.records import now_s, policy_source, utc


@dataclass(frozen=True, slots=True)
class Switched:
    number: int
    from_seq: int
    at: datetime
    customers: int


def dry_run(ledger: Ledger, candidate: CompiledPolicy, at: datetime | None = None) -> Any:
    """Replay the ledger's events under the policy in force and under `candidate`."""
    live = ledger.engine()
    columns, rows = export_rows(ledger)
    return dry_run_ledger(
        live.compiled,
        candidate,
        columns,
        rows,
        ledger.people,
        at or max(now_s(), ledger.floor() or now_s()),
    )


def switch(ledger: Ledger, candidate: CompiledPolicy, at: datetime | None = None) -> Switched:
    """Make `candidate` the policy in force from the next entry of the log on."""
    name, source = policy_source(candidate)

    def work(conn: Connection, live: LiveEngine) -> Switched:
        floor = ledger.floor()
        when = at or now_s()
        when = max(when, floor) if floor is not None else when
        ledger._advance(live, when)  # what is due under the old version fires under it
        number = ledger.version + 1
        row = {
            "number": number,
            "policy_id": candidate.id,
            "version": candidate.version,
            "name": name,
            "source": source,
            "from_seq": ledger.seq + 1,
            "deployed_at": utc(when),
        }
        conn.execute(insert(t.policy_versions).values(**row))
        version = conn.execute(
            t.policy_versions.select().where(t.policy_versions.c.number == number)
        ).one()
        new = ledger._switch(version)
        ledger._advance(new, when)  # timers already past due under the new durations
        return Switched(number, ledger.seq + 1, when, len(new.world.customers))

    return ledger.write(work)
