"""The names a policy's conditions may read, with their types: the condition language's scope.

Every condition of a policy sees one scope: the customer record (core properties, the stage
path and the policy's declared fields), the event being applied (`event.*`, `actor`; null
when nothing is being applied, as in `run`) and the stage objects (`next_stage.target.days`).
State and stage names may be written as bare words: `state in [new, D]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rulekit.lang import (
    ANY,
    BOOL,
    DATETIME,
    DURATION,
    LIST,
    NUMBER,
    OBJECT,
    STRING,
    Function,
    Scope,
    Type,
)

if TYPE_CHECKING:
    from rulekit.policy.models import Policy
    from rulekit.policy.pool_models import CounterSpec

FIELD_TYPES: dict[str, Type] = {
    "string": STRING,
    "number": NUMBER,
    "bool": BOOL,
    "date": DATETIME,
    "datetime": DATETIME,
    "duration": DURATION,
    "list": LIST(STRING),
}

#: the record's own properties, which every policy has (name -> (type, meaning)).
RECORD: dict[str, tuple[Type, str]] = {
    "customer": (STRING, "the customer's id"),
    "state": (STRING, "the customer's state"),
    "owner": (STRING, "the rep who holds the customer (null if none)"),
    "pending_owner": (STRING, "the rep whose claim awaits approval (null if none)"),
    "pending": (BOOL, "true while a claim awaits approval"),
    "state_since": (DATETIME, "when the customer entered its state"),
    "days_in_state": (NUMBER, "whole days since state_since"),
    "stage": (STRING, "the furthest stage in an unbroken run of 1s from the first (or null)"),
    "stage_index": (NUMBER, "the stage's position on the path, 1 for the first (null if none)"),
    "stage_since": (DATETIME, "when the customer was promoted into its stage (or state_since)"),
    "days_in_stage": (NUMBER, "whole days since stage_since"),
    "actor": (STRING, "who does the event being applied"),
    "rep": (STRING, "the rep a routing rule is about to assign the customer to"),
    "owned_since": (DATETIME, "when the current owner got the customer (null if none)"),
    "previous_owners": (LIST(STRING), "the reps who owned the customer before, oldest first"),
}

#: names of stage objects a condition may read.
STAGE_OBJECTS: dict[str, str] = {
    "this_stage": "the customer's stage (from its flags), or null",
    "next_stage": "the stage after the customer's stage (the first stage if it has none)",
    "first_stage": "the first stage of the path",
    "last_stage": "the last stage of the path",
    "stage_of_state": "the stage the customer's state is named after (state D → stage D), or null",
    "stage_after_state": "the stage after stage_of_state (the first stage if there is none)",
}

#: table columns with a fixed meaning; a field of the same name may only map its column.
CORE_COLUMNS: dict[str, Type] = {
    "customer": STRING,
    "owner": STRING,
    "state": STRING,
    "pending_owner": STRING,
    "state_since": DATETIME,
    "at": DATETIME,
    "type": STRING,
    "actor": STRING,
    "stage": STRING,
    "to": STRING,
}

#: names set by a transition besides the declared fields.
SETTABLE_CORE = {"owner": STRING, "pending_owner": STRING}


def stage_type(policy: Policy) -> Type:
    """The type of a stage object: its names, position, flag, date and targets."""
    target = OBJECT("target", {"count": NUMBER, "reach": NUMBER, "days": NUMBER, "cost": NUMBER})
    return OBJECT(
        "stage",
        {
            "code": STRING,
            "name": STRING,
            "title": STRING,
            "capability": STRING,
            "index": NUMBER,
            "flag": NUMBER,
            "at": DATETIME,
            "target": target,
        },
    )


def event_type(policy: Policy) -> Type:
    """The type of `event`: the event log's columns (docs/formats.md) plus the policy's
    declared fields."""
    attrs: dict[str, Type] = {
        "type": STRING,
        "at": DATETIME,
        "customer": STRING,
        "actor": STRING,
        "stage": STRING,
        "to": STRING,
        "row": NUMBER,
    }
    for name, spec in policy.fields.items():
        attrs.setdefault(name, FIELD_TYPES[spec.type])
    for event in policy.events.values():
        for column in event.needs if event else ():
            attrs.setdefault(column, ANY)
    return OBJECT("event", attrs)


def param_value(raw: Any) -> tuple[Type, Any] | None:
    """A `params:` value as conditions read it: a number, true/false, a duration (`30d`), a
    date (`2026-03-01`) or text; None for anything else (a list, a mapping, null)."""
    from rulekit.timeutil import Duration, parse_instant

    if isinstance(raw, bool):
        return BOOL, raw
    if isinstance(raw, int | float):
        return NUMBER, raw
    if not isinstance(raw, str):
        return None
    try:
        return DURATION, Duration.parse(raw)
    except ValueError:
        pass
    if len(raw) >= 10 and raw[:4].isdigit() and raw[4:5] == "-":
        try:
            from datetime import UTC

            parse_instant(raw, UTC)
            return DATETIME, raw
        except ValueError:
            pass
    return STRING, raw


def params_type(policy: Policy) -> Type:
    """The type of `params`: one attribute per parameter."""
    attrs: dict[str, Type] = {}
    for name, raw in policy.params.items():
        found = param_value(raw)
        attrs[name] = found[0] if found is not None else ANY
    return OBJECT("params", attrs)


def _slots_of(env: Mapping[str, Any], rep: Any) -> Any:
    lookup = env.get("__slots__")
    return lookup(rep) if callable(lookup) and isinstance(rep, str) else None


def _person(env: Mapping[str, Any], who: Any) -> Any:
    people = env.get("__people__")
    view = getattr(people, "view", None)
    return view(who) if callable(view) and isinstance(who, str) else None


def _team(env: Mapping[str, Any], who: Any) -> Any:
    found = _person(env, who)
    return found.get("team") if found is not None else None


def _is_admin(env: Mapping[str, Any], who: Any) -> Any:
    found = _person(env, who)
    return found.get("admin") if found is not None else None


def _left_at(env: Mapping[str, Any], rep: Any) -> Any:
    past = env.get("__past__")
    if not isinstance(past, tuple):
        return None
    return next((at for who, at in reversed(past) if who == rep), None)


#: `person(x)`: the people file's row of x; its columns beyond these are text.
PERSON = OBJECT(
    "person", {"id": STRING, "name": STRING, "team": STRING, "role": STRING, "admin": BOOL}
)

#: functions whose value comes from the run, not from one customer.
ENGINE_FUNCTIONS = (
    Function(
        "left_at",
        ((STRING,),),
        DATETIME,
        "The last instant the rep stopped owning the customer; null if it never owned it.",
        _left_at,
        uses_env=True,
    ),
    Function(
        "team",
        ((STRING,),),
        STRING,
        "The team of a person in the people file (`team(actor)`, `team(owner)`); null if none.",
        _team,
        uses_env=True,
    ),
    Function(
        "is_admin",
        ((STRING,),),
        BOOL,
        "True if the person acts as an admin (the people file's role).",
        _is_admin,
        uses_env=True,
    ),
    Function(
        "person",
        ((STRING,),),
        PERSON,
        "The people file's row of a person: `person(actor).region` reads its `region` column.",
        _person,
        uses_env=True,
    ),
    Function(
        "open_leads",
        ((STRING,),),
        NUMBER,
        "The customers a rep holds a slot for right now (its open leads).",
        _slots_of,
        uses_env=True,
    ),
    Function(
        "slots_used",
        ((STRING,),),
        NUMBER,
        "The slots a rep uses right now (the same count as open_leads).",
        _slots_of,
        uses_env=True,
    ),
)


def counter_function(name: str, spec: CounterSpec) -> Function:
    """`NAME(key)`: a declared counter's value for a key now (`NAME()` for `by: all`)."""
    from rulekit.lang.runtime import env_now

    def impl(env: Mapping[str, Any], *key: Any) -> Any:
        counters = env.get("__counters__")
        if counters is None:
            return 0  # nothing counted (a snapshot has no events)
        return counters.value(name, key[0] if key else "", env_now(env))

    what = ", ".join(spec.count)
    if spec.by == "all":
        return Function(name, (), NUMBER, f"{what} events in the window.", impl, uses_env=True)
    doc = f"{what} events of a {spec.by} in the window."
    return Function(name, ((STRING,),), NUMBER, doc, impl, uses_env=True)


def scope_for(policy: Policy) -> Scope:
    """The scope of every condition in `policy`."""
    names: dict[str, Type] = {name: t for name, (t, _) in RECORD.items()}
    for name, spec in policy.fields.items():
        if name not in CORE_COLUMNS:
            names[name] = FIELD_TYPES[spec.type]
    stage = stage_type(policy)
    for name in STAGE_OBJECTS:
        names[name] = stage
    names["stages"] = OBJECT("stages", {code: stage for code in policy.stages})
    names["event"] = event_type(policy)
    names["params"] = params_type(policy)
    symbols = {name: "stage" for name in policy.stages}
    symbols.update({name: "state" for name in policy.states})
    counters = [counter_function(n, spec) for n, spec in policy.counters.items()]
    return Scope(names=names, symbols=symbols).with_functions(*ENGINE_FUNCTIONS, *counters)
