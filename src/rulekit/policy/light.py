"""Check a plainly valid policy document without pydantic, making light stand-ins of the models.

Importing pydantic and making the policy model classes is most of what `rulekit validate`
would cost. Most policies are valid, so this module walks the document with the models'
declarations read from `light_plan.json` (written by `python -m rulekit.policy.light_plan`
from the pydantic models: types, `Field` limits, defaults, and the validators and properties
of `rulekit.policy.values`, which hold no pydantic). It gives up, returning None, at the
first value it is not sure of: a value in error, or a declaration the plan does not know.
The caller then validates with pydantic, so every diagnostic stays pydantic's.

What it makes are instances of plain classes, one per model, with the same attribute names,
`model_fields` and `model_fields_set`: enough for the checks that follow (the condition
compiler, the state graph), not a model. `rulekit.policy.fastpath` turns them into the
pydantic models for everything else. A plan made from other model sources than the current
ones (its hash says) is never used: every document then goes to pydantic.
"""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from rulekit.digest import sha256_hex

HERE = Path(__file__).resolve().parent
PLAN = HERE / "light_plan.json"
#: the files the plan is made from: a change to any of them makes the plan stale
SOURCES = ("models.py", "pool_models.py", "values.py")


class GiveUp(Exception):
    """The walk cannot vouch for a value: pydantic must validate the document."""


Check = Callable[[Any], Any]


class Light:
    """Base of the light stand-ins of the models: attributes in slots, which fields were set."""

    __slots__ = ("model_fields_set",)
    model_fields: ClassVar[dict[str, None]] = {}
    model_fields_set: set[str]

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.model_fields)
        return f"{type(self).__name__}({shown})"


def sources_hash() -> str:
    """The hash that ties the plan to the model sources it was made from."""
    return sha256_hex(b"".join((HERE / name).read_bytes() for name in SOURCES))


def build(data: Any, model: str = "Policy") -> Light | None:
    """The light `model` made from `data` as `model_validate` would, or None if unsure."""
    try:
        return _model(model, data)
    except GiveUp:
        return None
    except Exception:  # noqa: BLE001 - a validator failed: pydantic will say why
        return None


@cache
def _plan() -> dict[str, Any]:
    try:
        plan: dict[str, Any] = json.loads(PLAN.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return plan["models"] if plan.get("sources") == sources_hash() else {}


def resolve(ref: str) -> Any:
    """The object a plan names as `module:qualname`."""
    module, _, name = ref.partition(":")
    found: Any = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    return found


class _Made:
    """One model's plan, ready to run."""

    def __init__(self, name: str, plan: dict[str, Any]) -> None:
        fields = tuple(plan["fields"])
        props = {p: property(resolve(ref)) for p, ref in plan["properties"]}
        attrs = {"__slots__": fields, "model_fields": dict.fromkeys(fields), **props}
        self.kind: type[Light] = type(name, (Light,), attrs)
        self.keys: dict[str, str] = plan["keys"]
        self.checks = {f: _check(spec) for f, spec in plan["checks"].items()}
        self.required: tuple[str, ...] = tuple(plan["required"])
        self.defaults = tuple((f, _default(spec)) for f, spec in plan["defaults"])
        self.before = tuple(resolve(ref) for ref in plan["before"])
        self.after = tuple(resolve(ref) for ref in plan["after"])
        self.field_validators = tuple((f, resolve(ref)) for f, ref in plan["field_validators"])


@cache
def _made(name: str) -> _Made:
    plan = _plan().get(name)
    if plan is None:
        raise GiveUp
    return _Made(name, plan)


def _model(name: str, data: Any) -> Light:
    made = _made(name)
    for func in made.before:
        data = func(data)
    if type(data) is not dict:
        raise GiveUp
    values: dict[str, Any] = {}
    for key, value in data.items():
        field = made.keys.get(key) if type(key) is str else None
        if field is None or field in values:
            raise GiveUp  # an unknown key, or a field given by both its name and alias
        values[field] = made.checks[field](value)
    for field in made.required:
        if field not in values:
            raise GiveUp
    for field, func in made.field_validators:
        if field in values:
            values[field] = func(values[field])
    given = set(values)
    for field, default in made.defaults:
        if field not in given:
            values[field] = default()
    obj = made.kind()
    obj.model_fields_set = given
    for field in made.kind.model_fields:
        setattr(obj, field, values[field])
    for func in made.after:
        obj = func(obj)
    if type(obj) is not made.kind:
        raise GiveUp
    return obj


def _default(spec: list[Any]) -> Callable[[], Any]:
    kind, value = spec
    if kind == "model":
        return lambda: _model(value, {})
    if kind == "copy":
        return lambda: copy.deepcopy(value)
    return lambda: value


_SCALARS: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "bool": (bool,),
    "float": (float, int),
}


def _check(spec: list[Any]) -> Check:  # noqa: C901 - one case per kind of annotation
    kind = spec[0]
    if kind == "any":
        return _same
    if kind == "none":
        return _none
    if kind == "scalar":
        return _scalar(_SCALARS[spec[1]], spec[1] == "float")
    if kind == "annotated":
        return _annotated(_check(spec[1]), [resolve(ref) for ref in spec[2]], spec[3])
    if kind == "union":
        return _union(tuple(_check(choice) for choice in spec[1]))
    if kind == "literal":
        return _literal(frozenset((type(choice), choice) for choice in spec[1]))
    if kind == "list":
        return _list(_check(spec[1]))
    if kind == "dict":
        return _dict(_check(spec[1]))
    if kind == "model":
        name = spec[1]
        return lambda value: _model(name, value)
    if kind == "instance":
        return _instance(resolve(spec[1]))
    raise GiveUp


def _annotated(inner: Check, befores: list[Any], limits: list[list[Any]]) -> Check:
    """`inner` after the before validators (in the order pydantic runs them), then limits."""

    def check(value: Any) -> Any:
        for func in befores:
            value = func(value)
        result = inner(value)
        if result is not None:
            for limit, bound in limits:
                if (len(result) < bound) if limit == "min_length" else not result >= bound:
                    raise GiveUp
        return result

    return check


def _same(value: Any) -> Any:
    return value


def _none(value: Any) -> Any:
    if value is not None:
        raise GiveUp
    return None


def _scalar(types_: tuple[type, ...], to_float: bool) -> Check:
    def check(value: Any) -> Any:
        if type(value) not in types_:
            raise GiveUp
        return float(value) if to_float else value

    return check


def _literal(choices: frozenset[tuple[type, Any]]) -> Check:
    def check(value: Any) -> Any:
        try:
            if (type(value), value) in choices:
                return value
        except TypeError:  # an unhashable value is no literal
            pass
        raise GiveUp

    return check


def _list(item: Check) -> Check:
    def check(value: Any) -> Any:
        if type(value) is not list:
            raise GiveUp
        return [item(v) for v in value]

    return check


def _dict(item: Check) -> Check:
    def check(value: Any) -> Any:
        if type(value) is not dict or any(type(k) is not str for k in value):
            raise GiveUp
        return {k: item(v) for k, v in value.items()}

    return check


def _instance(kind: type) -> Check:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise GiveUp
        return value

    return check


def _union(choices: tuple[Check, ...]) -> Check:
    """The one branch of a union that takes the value; unsure if none or several do."""

    def check(value: Any) -> Any:
        found: list[Any] = []
        for choice in choices:
            try:
                found.append(choice(value))
            except GiveUp:
                continue
        if len(found) != 1:
            raise GiveUp
        return found[0]

    return check
