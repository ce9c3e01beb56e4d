"""The handler of one event type, generated as Python from the checked program.

For an event type that takes a transition, rulekit.engine.replay.fast asks for a function
`handle(row, at, cid, actor, stage, to, fields)` (the event's columns: a history read
column-wise makes no Event per row) that does what the general loop does, with everything
the policy fixes decided while generating: which refusal checks the type has, the states it
leaves from (one branch each), each transition's argument, role and `when` checks, whether
it can move a slot (then the customer is saved and the ledger asked) and whether its target
state has timers. Each transition's effect is written in place
(rulekit.engine.core.effect_code). State names, stage codes, field and transition names
appear as `repr`'d literals; conditions and moves are entries of the function's globals. No
user text is compiled.

The refusals a handler finds itself it records through `refuse`, with the general loop's
reasons and details; those it does not specialise go to `settle` (the general loop) before
anything has changed. An Event is made of the columns only for `settle`, `refuse` and
`done`, and in a branch where a condition reads the event (its Env).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rulekit.engine.core.effect_code import compile_function, effect_lines, quick
from rulekit.engine.core.plan import EventPlan, Roles
from rulekit.engine.core.program import START, Move


@dataclass(frozen=True, slots=True)
class Parts:
    """What a generated handler needs beyond the plan: `keeps(move, state)` says whether a
    move from a state can leave the slots alone; `scope` holds the loop's functions and
    collections (see `_SCOPE_NAMES`)."""

    keeps: Callable[[Move, str], bool]
    holding: dict[str, bool] | None  # state -> an owner's customer takes a slot (by state)
    named_quotas: bool  # a quota_exceeded names its quota: `refuse` records it
    timed_states: frozenset[str]  # states with timers
    locked: frozenset[str]  # stages with a `requires` lock
    counted: bool  # something follows an applied event (counters, event rules): call `done`
    scope: dict[str, Any]


#: the names a handler reads from `Parts.scope`
_SCOPE_NAMES = (
    "admins actors_add customers_get customers refuse settle admit world taken"
    " schedule Customer Env truth mark_stage add_fields done program ledger stage_index"
    " n_stages NOT_ARCHIVED ALREADY_KNOWN no_transition not_public over_quota quota_detail refused"
    " rejected_append held held_get used limit_of limits Event"
).split()

#: a handler's parameters: the event's columns, its type being the handler's
ARGUMENTS = "row, at, cid, actor, stage, to, fields"
_READS_EVENT = re.compile(r"\bevent\b")
_ADMIN = "admin = admins[actor]"
_READS_ADMIN = re.compile(r"\badmin\b")


def generate(todo: EventPlan, parts: Parts) -> Callable[[Any], None]:
    """The handler of `todo`'s event type (one that takes a transition, not a decision)."""
    names: dict[str, Any] = {"__builtins__": {}, "todo": todo, "START": START, "list": list}
    names.update({n: parts.scope[n] for n in _SCOPE_NAMES})
    names.update(PUBLIC=parts.scope["public"], LOCKED=parts.locked, TIMED=parts.timed_states)
    event = _event(todo)
    out = _Writer()
    out.line(f"def handle({ARGUMENTS}):")
    out.indent += 1
    out.line(_ADMIN)  # every actor noted before the loop (`prepare`); left out if unread
    if todo.names_target:
        out.lines("if to is not None:", "    actors_add(to)")
    out.lines("customer = customers_get(cid)", "if customer is None:")
    if todo.unknown_if_new:
        out.lines(*_refusal(todo, "unknown_customer", "NOT_ARCHIVED", indent=1))
    else:
        out.lines("    owner = None", "    state = START")
    out.line("else:")
    if todo.duplicate_if_known:
        out.lines(*_refusal(todo, "duplicate_customer", "ALREADY_KNOWN", indent=1))
    else:
        out.lines("    owner = customer.owner", "    state = customer.state")
    may_be_new = not todo.unknown_if_new
    if todo.role_reason is not None:
        allowed = _allowed(todo.roles, owner_known=True)
        if allowed != "True":
            out.lines(
                f"if not ({allowed}):", f"    return settle({event}, customer, todo, admins[actor])"
            )
    if not todo.duplicate_if_known and (todo.only_public or todo.waits):
        out.line("if customer is not None:" if may_be_new else "if True:")
        if todo.only_public:
            out.line("    if state not in PUBLIC:")
            out.lines(*_refusal(todo, "not_public", "not_public(state)", indent=2))
        if todo.waits:
            out.lines(
                "    if customer.pending is not None:",
                f"        return settle({event}, customer, todo, admins[actor])",
            )
    if todo.promotes:
        current = "(customer.stage_index() if customer is not None else 0)"
        out.lines(
            "if stage is not None:",
            f"    if stage_index[stage] > {current} + 1 or stage in LOCKED:",
            f"        return settle({event}, customer, todo, admins[actor])",
        )
    first = True
    for state, options in todo.options.items():
        if state == START and not may_be_new or state != START and todo.duplicate_if_known:
            continue
        out.line(f"{'if' if first else 'elif'} state == {state!r}:")
        first = False
        branch = _Writer()
        _state(branch, names, todo, parts, state, [o.move for o in options])
        lines = branch.source().splitlines()
        if any(_READS_EVENT.search(line) for line in lines):  # an Env, or `settle`: one Event
            lines.insert(0, f"event = {event}")
        out.indent += 1
        out.lines(*lines)
        out.indent -= 1
    out.lines(*_refusal(todo, "invalid_transition", f"no_transition(state, {todo.kind!r})"))
    source = out.source()
    if len(_READS_ADMIN.findall(source)) == 1:  # no check reads it but its own line
        source = source.replace(f"    {_ADMIN}\n", "", 1)
    handle: Callable[[Any], None] = compile_function(
        source, f"<handler of event {todo.kind!r}>", names
    )
    return handle


def _state(
    out: _Writer,
    names: dict[str, Any],
    todo: EventPlan,
    parts: Parts,
    state: str,
    moves: list[Move],
) -> None:
    """The branch of `state`: each transition in order, the first that passes is taken."""
    new = state == START
    conditional = any(m.when is not None for m in moves)
    if not new or conditional:  # else each transition makes its customer (`_take`)
        out.line("c = Customer(cid, START, n_stages, at)" if new else "c = customer")
    if conditional:
        out.line("env = Env(program, c, at, event)")  # no side effect: built once, up front
    for move in moves:
        i = len(names)
        names[f"m{i}"] = move
        tests = []
        if move.argument is not None:
            tests.append(f"stage == {move.argument!r}")
        allowed = _allowed(Roles.of(move.roles), owner_known=not new)
        if allowed != "True":
            tests.append(f"({allowed})")
        if move.when is not None:
            names[f"w{i}"] = move.when
            tests.append(f"truth(w{i}(env))")
        out.line(f"if {' and '.join(tests) or 'True'}:")
        out.indent += 1
        if new and not conditional:
            if _owned_by_actor(move, parts):
                _admit_actor(out, todo, move)
            out.line("c = Customer(cid, START, n_stages, at)")
        _take(out, names, todo, parts, state, move, i)
        out.indent -= 1


def _take(
    out: _Writer,
    names: dict[str, Any],
    todo: EventPlan,
    parts: Parts,
    state: str,
    move: Move,
    i: int,
) -> None:
    """Take `move` (from `state`), admit its slots unless it cannot move any, count it."""
    new = state == START
    keeps = not new and parts.keeps(move, state)
    if not keeps and not new:
        out.line("saved = c.save()")
    if move.approval is None:
        if todo.promotes:
            found = parts.scope["stage_index"].get(move.argument)
            if found is not None:  # mark_stage, the stage's index known
                at_index = found - 1
                out.lines(
                    "flags, dates = list(c.flags), list(c.dates)",
                    f"flags[{at_index}] = 1",
                    f"dates[{at_index}] = at",
                    "c.flags, c.dates = flags, dates",
                )
            else:
                out.lines("if stage is not None:", "    mark_stage(program, c, stage, at)")
        out.lines("if fields:", "    add_fields(c, fields)")
        out.lines(*effect_lines(move, names, "c", f"m{i}_", _reads(todo)))
    else:
        out.lines(f"c.pending = m{i}", "c.pending_owner = actor")
    if not keeps:
        after = state if move.approval is not None or move.target is None else move.target
        holds = parts.holding.get(after) if parts.holding is not None else None
        if holds is None or move.choose is not None:
            out.lines("rep = admit(c, at)", "if rep is not None:")
            if not new:
                out.line("    c.restore(saved)")
            if parts.named_quotas:
                out.line(
                    f"    return refuse(event, 'quota_exceeded', over_quota(ledger, rep), m{i})"
                )
            else:
                out.lines(*_refusal(todo, "quota_exceeded", "over_quota(ledger, rep)", move, 1))
        elif new and _owned_by_actor(move, parts):  # admitted before the customer was made
            out.lines("used[actor] += 1", "held[cid] = (actor,)")
        else:
            _admit(out, todo, holds, new, move)
        if new:
            out.line("customers[cid] = c")
    if move.target is not None and move.approval is None:
        if move.choose is not None:
            out.lines("if c.state in TIMED:", "    schedule(c)")
        elif move.target in parts.timed_states:
            out.line("schedule(c)")
    out.line(f"taken[{move.name!r}] += 1")
    out.line("done(event)" if parts.counted else "world.applied += 1")
    out.line("return None")


def _owned_by_actor(move: Move, parts: Parts) -> bool:
    """True when taking `move` makes a new customer whose one slot is the actor's: its
    target holds a slot by state, its effect sets the owner to the actor and nothing else of
    the slots (no approval, no choice, no pending owner). Its admission is then known before
    the customer is made (`_admit_actor`)."""
    holding = parts.holding
    if holding is None or move.approval is not None or move.choose is not None:
        return False
    if move.target is None or not holding.get(move.target):
        return False
    owners = [quick(value) for name, value in move.sets if name in ("owner", "pending_owner")]
    by_actor = len(owners) == 1 and owners[0] in ("actor", "event.actor")
    return by_actor and any(name == "owner" for name, _ in move.sets)


def _admit_actor(out: _Writer, todo: EventPlan, move: Move) -> None:
    """The admission of a new customer into one slot of the actor's, checked before the
    customer is made (see `_owned_by_actor`): refused when the actor is at its limit."""
    out.lines(
        "x_limit = limits[actor]",  # every actor's limit found before the loop (`prepare`)
        "if x_limit is not None and used[actor] + 1 > x_limit:",
        *_refusal(todo, "quota_exceeded", "quota_detail(actor, used[actor], x_limit)", move, 1),
    )


def _admit(out: _Writer, todo: EventPlan, holds: bool, new: bool, move: Move) -> None:
    """`Ledger.admit` written in place, for a target state that holds a slot (`holds`) or
    not: the reps whose slots the customer takes now, each new one checked against its
    limit, then the counts moved (or the event refused, the customer restored)."""
    out.line("x_pending = c.pending_owner")
    if holds:
        out.lines(
            "x_owner = c.owner",
            "if x_pending is None:",
            "    x_after = (x_owner,) if x_owner is not None else ()",
            "elif x_owner is None or x_owner == x_pending:",
            "    x_after = (x_pending,)",
            "else:",
            "    x_after = (x_owner, x_pending)",
        )
    else:
        out.line("x_after = () if x_pending is None else (x_pending,)")
    out.lines(
        "x_before = held_get(cid, ())",
        "if x_before != x_after:",
        "    for x_rep in x_after:",
        "        if x_rep not in x_before:",
        "            x_limit = limit_of(x_rep)",
        "            if x_limit is not None and used[x_rep] + 1 > x_limit:",
    )
    if not new:
        out.line("                c.restore(saved)")
    detail = "quota_detail(x_rep, used[x_rep], x_limit)"
    out.lines(*_refusal(todo, "quota_exceeded", detail, move, 4))
    out.lines(
        "    for x_rep in x_before:",
        "        used[x_rep] -= 1",
        "    for x_rep in x_after:",
        "        used[x_rep] += 1",
        "    held[cid] = x_after",
    )


def _refusal(
    todo: EventPlan, reason: str, detail: str, move: Move | None = None, indent: int = 0
) -> list[str]:
    """Record a refusal as `Replayer.refuse` does (quota None: a named quota's refusal goes
    through `refuse`), and return. The refusal is a plain tuple of `Rejection`'s fields
    (rulekit.engine.replay.refusals)."""
    lines = [f"refused[{move.name!r}] += 1"] if move is not None else []
    lines.append(
        f"rejected_append((row, at, cid, {todo.kind!r}, actor, {reason!r}, {detail}, None))"
    )
    lines.append("return None")
    return ["    " * indent + line for line in lines]


def _event(todo: EventPlan) -> str:
    """The Event of a handler's arguments, made where the general loop or an Env needs one."""
    return f"Event(row, at, cid, {todo.kind!r}, actor, stage, to, fields)"


def _reads(todo: EventPlan) -> dict[str, str]:
    """Where a handler has the event's core columns (see `effect_lines`)."""
    names = {"row": "row", "at": "at", "customer": "cid", "type": repr(todo.kind)}
    names.update(actor="actor", stage="stage", to="to")
    return {"actor": "actor", **{f"event.{k}": v for k, v in names.items()}}


def _allowed(roles: Roles, *, owner_known: bool) -> str:
    """The role check of `roles` as an expression of `admin`, `owner` and `actor`."""
    rep, admin = roles.free
    if rep and admin:
        return "True"
    parts = ["admin"] if admin else ["not admin"] if rep else []
    if roles.owner and owner_known:
        parts.append("(owner is not None and owner == actor)")
    return " or ".join(parts) or "False"


class _Writer:
    """Lines of Python at an indentation."""

    def __init__(self) -> None:
        self.indent = 0
        self._lines: list[str] = []

    def line(self, text: str) -> None:
        self._lines.append("    " * self.indent + text)

    def lines(self, *texts: str) -> None:
        for text in texts:
            self.line(text)

    def source(self) -> str:
        return "\n".join(self._lines) + "\n"
