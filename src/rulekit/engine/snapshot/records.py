"""Evaluate a snapshot: read customer records, fire the timers due by as-of, and compute the
per-customer and per-rep figures (stage, priority, overdue days, due timer, forecast, funnel).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from rulekit.engine.core.people import People
from rulekit.engine.core.program import Program
from rulekit.engine.core.record import Customer, Env
from rulekit.engine.input import cells
from rulekit.engine.input.errors import InputError
from rulekit.engine.input.event_rows import column_index, place
from rulekit.engine.replay.replayer import Replayer
from rulekit.engine.replay.world import World
from rulekit.tables import Table


def read_records(table: Table, program: Program, replayer: Replayer) -> list[str]:
    """Load a records table into the replayer's world; return `file:row:column` problems."""
    tz = program.tz
    cols = column_index(table.columns, program)
    problems: list[str] = []
    if "customer" not in cols or "state" not in cols:
        missing = [c for c in ("customer", "state") if c not in cols]
        raise InputError(
            [f"{table.path}: the column `{c}` is missing" for c in missing],
            bad_rows=False,
            hint="map the client's column in the policy: `fields: {state: {type: string, "
            "column: <its name>}}`",
        )
    world = replayer.world
    core = {"customer", "owner", "state", "pending_owner", "state_since"}
    fields = [
        (n, cols[n], t) for n, t in program.field_types.items() if n in cols and n not in core
    ]
    by_format = {f: cells.Instants(tz, f) for f in {None, *program.formats.values()}}

    def reader(name: str) -> cells.Instants:
        return by_format[program.formats.get(name)]

    since_at = reader("state_since")
    lines = table.lines

    def where(number: int, column: str) -> str:
        return place(table.path, number, lines, column)

    i_customer, i_state = cols["customer"], cols["state"]
    i_owner, i_pending, i_since = (
        cols.get("owner"),
        cols.get("pending_owner"),
        cols.get("state_since"),
    )
    stage_cols = [
        (s.index - 1, s.code, cols.get(s.code), cols.get(f"{s.code}_at"), reader(f"{s.code}_at"))
        for s in program.stages
    ]
    states = set(program.states)
    n_stages = len(program.stages)
    for number, row in enumerate(table.rows, start=1):
        cid = cells.text(row[i_customer])
        state = cells.text(row[i_state])
        if cid is None or cid in world.customers or state not in states:
            if cid is None:
                message = ("customer", "`customer` is blank")
            elif cid in world.customers:
                message = ("customer", f"`{cid}` appears twice")
            else:
                what = f"`{state}` is not a state of the policy" if state else "`state` is blank"
                message = ("state", what)
            problems.append(f"{where(number, message[0])}: {message[1]}")
            continue
        ok = True
        try:
            since = since_at(row[i_since]) if i_since is not None else None
        except cells.CellError as exc:
            problems.append(f"{where(number, 'state_since')}: {exc}")
            continue
        customer = Customer(cid, state, n_stages, since)
        customer.owner = cells.text(row[i_owner]) if i_owner is not None else None
        pending = cells.text(row[i_pending]) if i_pending is not None else None
        if pending is not None:
            customer.pending_owner = pending
            customer.pending = program.approval_from.get(state)
        flags, dates = customer.flags, customer.dates
        for k, _code, i_flag, i_date, at in stage_cols:
            for i in (i_flag, i_date):
                if i is None:
                    continue
                try:
                    if i == i_flag:
                        flags[k] = cells.fast_flag(row[i])
                    else:
                        dates[k] = at(row[i])
                except cells.CellError as exc:  # named by its own column: `D_at`, not `D`
                    problems.append(f"{where(number, table.columns[i])}: {exc}")
                    ok = False
        for name, i, kind in fields:
            cell = row[i]
            if cell is None or cell == "":
                continue
            try:
                if kind in ("date", "datetime"):
                    value = reader(name)(cell)
                else:
                    value = cells.typed(cell, kind, tz)
            except cells.CellError as exc:
                problems.append(f"{where(number, table.columns[i])}: {exc}")
                ok = False
                continue
            if value is not None:
                customer.fields[name] = value
        if ok:
            world.customers[cid] = customer
    return problems


def evaluate(replayer: Replayer, as_of: datetime) -> World:
    """Fire the timers due by `as_of` over the loaded records."""
    world = replayer.world
    for customer in world.customers.values():
        world.commit(customer, as_of)
        world.timers.schedule(customer)
    replayer.advance(as_of)
    return world


def ranks(program: Program, world: World, as_of: datetime) -> dict[str, int]:
    """Priority rank of each ranked customer inside its owner's pool (1 = first)."""
    among = program.rank_among
    if among is None:
        return {}
    pools: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for customer in world.customers.values():
        if customer.owner is None:
            continue
        env = Env(program, customer, as_of)
        if not among(env):
            continue
        key = tuple(_sort_part(k.expression(env), k.descending) for k in program.rank_order)
        pools[customer.owner].append((*key, customer.id))
    out: dict[str, int] = {}
    for pool in pools.values():
        pool.sort()
        for rank, entry in enumerate(pool, start=1):
            out[entry[-1]] = rank
    return out


class _Desc:
    """Inverts the order of a value (for descending keys)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Desc) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.value == other.value


def _sort_part(value: Any, descending: bool) -> tuple[int, Any]:
    """A sort key part: nulls last in either direction."""
    if value is None:
        return (1, 0)
    return (0, _Desc(value) if descending else value)


def measure(pair: tuple[Any, Any] | None, env: Env) -> Any:
    """A per-customer number (`overdue`, `forecast`) if its `among` holds, else None."""
    if pair is None:
        return None
    among, value = pair
    if not among(env):
        return None
    return value.fn(env)


def funnel(program: Program, world: World, label_none: str) -> dict[str, Counter[str]]:
    """Per owner: owned customers counted by stage (`label_none` for no stage)."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for customer in world.customers.values():
        if customer.owner is None:
            continue
        stage = program.stage_at(customer.stage_index())
        out[customer.owner][stage.code if stage else label_none] += 1
    return out


__all__ = ["People", "evaluate", "funnel", "measure", "ranks", "read_records"]
