"""`take` generated for one transition, for the specialised replay loop.

`rulekit.engine.core.effects.take` walks a transition's `set` entries for every customer it
moves. For a hot loop, each transition's effect is generated once as a small Python function
from the checked program: its constants, its target state and the fields it sets are
literals (`repr`), a `set` that reads only the actor or a core column of the event reads it
directly, any other condition is called with an Env built once. The function changes the
customer exactly as `take` does, in the same order, and returns nothing (a trace asks
`take` for the values set). No user text is ever compiled: names and values are `repr`'d
literals or entries of the function's globals.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rulekit.engine.core.effects import QUICK_READS, set_owner
from rulekit.engine.core.event import Event
from rulekit.engine.core.program import Move, Program
from rulekit.engine.core.record import Customer, Env

#: an effect: (customer, at, event or None, actor or None: the event's) -> None
Effect = Callable[[Customer, datetime, "Event | None", "str | None"], None]

_ACTOR = "(actor if actor is not None else (event.actor if event is not None else None))"


def effect(program: Program, move: Move) -> Effect:
    """The effect of taking `move`, generated and compiled once."""
    names: dict[str, Any] = {"__builtins__": {}, "Env": Env, "program": program}
    names.update(set_owner=set_owner, choose=move.choose, len=len, dict=dict)
    body: list[str] = []
    quick = [_quick(value) for _, value in move.sets]
    if move.choose is not None or any(
        callable(value) and read is None for (_, value), read in zip(move.sets, quick, strict=True)
    ):
        body.append("env = Env(program, customer, at, event, actor)")
    if move.choose is not None:
        body.append("to = choose.pick(customer.flags, env)")
    for i, ((_, value), read) in enumerate(zip(move.sets, quick, strict=True)):
        if not callable(value):
            names[f"c{i}"] = value
            body.append(f"v{i} = c{i}")
        elif read == "actor":
            body.append(f"v{i} = {_ACTOR}")
        elif read is not None:
            body.append(f"v{i} = ({read} if event is not None else None)")
        else:
            names[f"f{i}"] = value
            body.append(f"v{i} = f{i}(env)")
    if move.clear_stages:
        body += ["n = len(customer.flags)", "customer.flags = [0] * n"]
        body.append("customer.dates = [None] * n")
    fields = False
    for i, (name, _) in enumerate(move.sets):
        if name == "owner":
            body += [f"if v{i} != customer.owner:", f"    set_owner(customer, v{i}, at)"]
        elif name == "pending_owner":
            body.append(f"customer.pending_owner = v{i}")
        else:
            if not fields:
                body.append("fields = dict(customer.fields)")  # `save` keeps the old dict
                fields = True
            body += [
                f"if v{i} is None:",
                f"    fields.pop({name!r}, None)",
                "else:",
                f"    fields[{name!r}] = v{i}",
            ]
    if fields:
        body.append("customer.fields = fields")
    enter = ["customer.state = to", "customer.state_since = at", "customer.version += 1"]
    if move.choose is not None:
        body += ["if to is not None:", *(f"    {line}" for line in enter)]
    elif move.target is not None:
        body += [f"to = {move.target!r}", *enter]
    source = "def effect(customer, at, event, actor):\n" + "".join(
        f"    {line}\n" for line in body or ["return None"]
    )
    code = compile(source, f"<effect of transition {move.name!r}>", "exec")
    fn = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    built: Effect = types.FunctionType(fn, names, "effect")
    return built


def _quick(value: Any) -> str | None:
    """What a `set` value reads when it is only the actor or a core column of the event."""
    return QUICK_READS.get(getattr(value, "python_source", "")) if callable(value) else None
