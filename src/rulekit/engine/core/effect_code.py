"""`take` generated for one transition, for the specialised replay loop.

`rulekit.engine.core.effects.take` walks a transition's `set` entries for every customer it
moves. For a hot loop, each transition's effect is generated once as a small Python function
from the checked program: its constants, its target state and the fields it sets are
literals (`repr`), a `set` that reads only the actor or a core column of the event reads it
directly, any other condition is called with an Env built once. The function changes the
customer exactly as `take` does, in the same order, and returns nothing (a trace asks
`take` for the values set). The same lines are written into the replay loop's generated
handlers (`effect_lines`). No user text is ever compiled: names and values are `repr`'d
literals or entries of the function's globals.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rulekit.engine.core.effects import QUICK_READS
from rulekit.engine.core.event import Event
from rulekit.engine.core.program import Move, Program
from rulekit.engine.core.record import Customer, Env

#: an effect: (customer, at, event or None, actor or None: the event's) -> None
Effect = Callable[[Customer, datetime, "Event | None", "str | None"], None]

_ACTOR = "(actor if actor is not None else (event.actor if event is not None else None))"


def effect(program: Program, move: Move) -> Effect:
    """The effect of taking `move`, generated and compiled once."""
    names: dict[str, Any] = {"__builtins__": {}, "Env": Env, "program": program}
    body = effect_lines(move, names, "customer", "")
    source = "def effect(customer, at, event, actor):\n" + "".join(
        f"    {line}\n" for line in body or ["return None"]
    )
    built: Effect = compile_function(source, f"<effect of transition {move.name!r}>", names)
    return built


def effect_lines(
    move: Move, names: dict[str, Any], who: str, key: str, reads: dict[str, str] | None = None
) -> list[str]:
    """The lines of `move`'s effect on the customer in variable `who`, reading `at`, `event`
    and `actor` (None: the event's); its locals start with `x_`. The globals it reads are
    added to `names` (`Env` and `program` must be there), those of this move under `key`.
    `reads`: where the event's core columns are locals (`event.stage` -> `stage`, `actor` ->
    the event's actor), for a caller that has the event as its columns; `event` is then read
    only by a condition's Env."""
    names.update(len=len, dict=dict)
    body: list[str] = []
    quick_reads = [quick(value) for _, value in move.sets]
    sets = zip(move.sets, quick_reads, strict=True)
    if move.choose is not None or any(callable(v) and read is None for (_, v), read in sets):
        body.append(f"x_env = Env(program, {who}, at, event, actor)")
    if move.choose is not None:
        names[f"{key}choose"] = move.choose
        body.append(f"x_to = {key}choose.pick({who}.flags, x_env)")
    for i, ((_, value), read) in enumerate(zip(move.sets, quick_reads, strict=True)):
        if not callable(value):
            names[f"{key}c{i}"] = value
            body.append(f"x_v{i} = {key}c{i}")
        elif read is not None and reads is not None:
            body.append(f"x_v{i} = {reads[read]}")
        elif read == "actor":
            body.append(f"x_v{i} = {_ACTOR}")
        elif read is not None:
            body.append(f"x_v{i} = ({read} if event is not None else None)")
        else:
            names[f"{key}f{i}"] = value
            body.append(f"x_v{i} = {key}f{i}(x_env)")
    if move.clear_stages:
        body += [f"x_n = len({who}.flags)", f"{who}.flags = [0] * x_n"]
        body.append(f"{who}.dates = [None] * x_n")
    fields = False
    for i, (name, _) in enumerate(move.sets):
        if name == "owner":
            body += [  # set_owner, in place
                f"if x_v{i} != {who}.owner:",
                f"    if {who}.owner is not None:",
                f"        {who}.past = (*{who}.past, ({who}.owner, at))",
                f"    {who}.owner = x_v{i}",
                f"    {who}.owned_since = at if x_v{i} is not None else None",
            ]
        elif name == "pending_owner":
            body.append(f"{who}.pending_owner = x_v{i}")
        else:
            if not fields:
                body.append(f"x_fields = dict({who}.fields)")  # `save` keeps the old dict
                fields = True
            body += [
                f"if x_v{i} is None:",
                f"    x_fields.pop({name!r}, None)",
                "else:",
                f"    x_fields[{name!r}] = x_v{i}",
            ]
    if fields:
        body.append(f"{who}.fields = x_fields")
    enter = [f"{who}.state = x_to", f"{who}.state_since = at", f"{who}.version += 1"]
    if move.choose is not None:
        body += ["if x_to is not None:", *(f"    {line}" for line in enter)]
    elif move.target is not None:
        body += [f"x_to = {move.target!r}", *enter]
    return body


def compile_function(source: str, filename: str, names: dict[str, Any]) -> Any:
    """The one function `source` defines (generated text, never user text), with `names`
    as its globals; `filename` is what tracebacks show."""
    code = compile(source, filename, "exec")
    body = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    return types.FunctionType(body, names, body.co_name)


def quick(value: Any) -> str | None:
    """What a `set` value reads when it is only the actor or a core column of the event."""
    return QUICK_READS.get(getattr(value, "python_source", "")) if callable(value) else None
