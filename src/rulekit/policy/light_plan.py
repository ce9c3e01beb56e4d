"""Write the policy models' declarations to `light_plan.json`, for `rulekit.policy.light`.

    python -m rulekit.policy.light_plan      # after editing models.py, pool_models.py, values.py

Reads each pydantic model of the policy (its config, fields, aliases, types, `Field` limits,
defaults, validators and properties) and writes what the light path needs to check a document
the same way without pydantic. A model it cannot describe (a validator that is not a function
of `rulekit.policy.values`, a type it does not know) is written as null: the light path gives
up on documents that hold one. The file is deterministic (tests/policy/test_fastpath.py checks
it equals a fresh copy), and it carries the hash of the sources it was made from.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import types
import typing
from typing import Any

from pydantic import BaseModel, BeforeValidator, WithJsonSchema
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from rulekit.policy.light import PLAN, sources_hash

#: where the functions the light path calls may live: modules that do not import pydantic
PURE = ("rulekit.policy.values", "rulekit.timeutil")


class Unknown(Exception):
    """A declaration the light path cannot follow."""


def generate() -> dict[str, Any]:
    """The plan of every model reachable from `Policy`."""
    from rulekit.policy.models import Policy

    todo: list[type[BaseModel]] = [Policy]
    models: dict[str, Any] = {}
    while todo:
        model = todo.pop()
        if model.__name__ in models:
            continue
        found: list[type[BaseModel]] = []
        try:
            models[model.__name__] = _model(model, found)
        except Unknown:
            models[model.__name__] = None
        todo += found
    return {"sources": sources_hash(), "models": dict(sorted(models.items()))}


def _ref(obj: Any) -> str:
    func = getattr(obj, "__func__", obj)
    module, name = getattr(func, "__module__", ""), getattr(func, "__qualname__", "")
    if module not in PURE or "<" in name:
        raise Unknown(f"{module}:{name}")
    return f"{module}:{name}"


def _model(model: type[BaseModel], found: list[type[BaseModel]]) -> dict[str, Any]:
    config = model.model_config
    if config.get("extra") != "forbid" or not config.get("strict") or model.__pydantic_root_model__:
        raise Unknown(model.__name__)
    decorators = model.__pydantic_decorators__
    if (
        decorators.validators
        or decorators.root_validators
        or decorators.field_serializers
        or decorators.model_serializers
        or decorators.computed_fields
        or model.__private_attributes__
    ):
        raise Unknown(model.__name__)
    keys: dict[str, str] = {}
    checks: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.validation_alias not in (None, info.alias):
            raise Unknown(name)
        if info.alias is None or config.get("populate_by_name"):
            keys[name] = name
        if info.alias is not None:
            keys[info.alias] = name
        checks[name] = _annotated(info.annotation, tuple(info.metadata), found)
    before: list[str] = []
    after: list[str] = []
    for dec in decorators.model_validators.values():
        if len(inspect.signature(dec.func).parameters) != 1 or dec.info.mode not in (
            "before",
            "after",
        ):
            raise Unknown(dec.cls_var_name)
        (before if dec.info.mode == "before" else after).append(_ref(dec.func))
    fields = []
    for field_dec in decorators.field_validators.values():
        func = field_dec.func
        if field_dec.info.mode != "after" or len(inspect.signature(func).parameters) != 1:
            raise Unknown(field_dec.cls_var_name)
        fields += [[name, _ref(func)] for name in field_dec.info.fields]
    required = [n for n, info in model.model_fields.items() if info.is_required()]
    defaults = [
        [n, _default(info, found)] for n, info in model.model_fields.items() if n not in required
    ]
    properties = [
        [name, _ref(value.fget)]
        for name, value in vars(model).items()
        if isinstance(value, property) and value.fget is not None
    ]
    return {
        "fields": list(model.model_fields),
        "keys": keys,
        "checks": checks,
        "required": required,
        "defaults": defaults,
        "before": before,
        "after": after,
        "field_validators": fields,
        "properties": properties,
    }


_IMMUTABLE = (str, int, float, bool, type(None))


def _default(info: FieldInfo, found: list[type[BaseModel]]) -> list[Any]:
    """A field's default as `model_construct` gives it: ["const", value], ["copy", value]
    (a factory's fresh list or dict) or ["model", name] (a model made from nothing)."""
    factory = info.default_factory
    if factory is None:
        if type(info.default) not in _IMMUTABLE:
            raise Unknown(repr(info.default))
        return ["const", info.default]
    try:
        params = list(inspect.signature(factory).parameters.values())
    except (ValueError, TypeError):  # a builtin such as list: no data argument
        params = []
    if any(
        p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params
    ):
        raise Unknown("a factory of the validated data")  # pydantic would pass it the data
    value = factory()  # type: ignore[call-arg]
    if isinstance(value, BaseModel) and type(value)(**{}) == value:
        found.append(type(value))
        return ["model", type(value).__name__]
    if json.loads(json.dumps(value)) != value or type(value) not in (list, dict):
        raise Unknown(repr(value))
    return ["copy", value]


def _annotated(annotation: Any, metadata: tuple[Any, ...], found: list[type[BaseModel]]) -> Any:
    """The check of `annotation` with pydantic's metadata (before validators, limits)."""
    befores: list[str] = []
    limits: list[list[Any]] = []
    for item in metadata:
        if isinstance(item, BeforeValidator):
            befores.insert(0, _ref(item.func))  # pydantic runs the last one first
        elif isinstance(item, FieldInfo):
            if item.default is not PydanticUndefined or item.default_factory is not None:
                raise Unknown("a default inside Annotated")
            limits += [_limit(m) for m in item.metadata]
        elif not isinstance(item, WithJsonSchema):
            limits.append(_limit(item))
    inner = _check(annotation, found)
    return ["annotated", inner, befores, limits] if befores or limits else inner


def _limit(limit: Any) -> list[Any]:
    kind = type(limit).__name__
    if type(limit).__module__ != "annotated_types" or kind not in ("MinLen", "Ge"):
        raise Unknown(repr(limit))
    return ["min_length", limit.min_length] if kind == "MinLen" else ["ge", limit.ge]


_SCALARS = {str: "str", int: "int", bool: "bool", float: "float"}
_UNION_ORIGINS = (typing.Union, types.UnionType)


def _check(annotation: Any, found: list[type[BaseModel]]) -> Any:
    if annotation is Any:
        return ["any"]
    if annotation is None or annotation is type(None):
        return ["none"]
    if annotation in _SCALARS:
        return ["scalar", _SCALARS[annotation]]
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _annotated(args[0], args[1:], found)
    if origin in _UNION_ORIGINS:
        return ["union", [_check(choice, found) for choice in args]]
    if origin is typing.Literal:
        if any(type(a) not in _IMMUTABLE for a in args):
            raise Unknown(repr(annotation))
        return ["literal", list(args)]
    if origin is list:
        return ["list", _check(args[0], found)]
    if origin is dict and args[0] is str:
        return ["dict", _check(args[1], found)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
        return ["model", annotation.__name__]
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return ["instance", _ref(annotation)]
    raise Unknown(repr(annotation))


def render(plan: dict[str, Any]) -> str:
    """The plan as text: one line per declaration of a model, so a change reads as a diff."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = ["{", f' "sources": {dump(plan["sources"])},', ' "models": {']
    for i, (name, model) in enumerate(plan["models"].items()):
        end = "," if i < len(plan["models"]) - 1 else ""
        if model is None:
            lines.append(f"  {dump(name)}: null{end}")
            continue
        lines.append(f"  {dump(name)}: {{")
        items = [f"   {dump(key)}: {dump(value)}" for key, value in model.items()]
        lines += [",\n".join(items), f"  }}{end}"]
    return "\n".join([*lines, " }", "}"]) + "\n"


def main() -> None:
    """Write light_plan.json."""
    PLAN.write_text(render(generate()), encoding="utf-8")
    print(f"wrote {PLAN}")


if __name__ == "__main__":
    main()
