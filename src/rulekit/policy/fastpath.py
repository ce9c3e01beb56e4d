"""Build policy models from a document that is plainly valid, without pydantic's validators.

Building pydantic's validators for the policy models costs about a tenth of a second, paid by
every process that reads a policy (`rulekit validate` among them). Most policies are valid,
so `build` first walks the models' own declarations (types, `Field` constraints, shorthands
and `field_validator`/`model_validator` functions) over the document and makes the models
with `model_construct`. It gives up, returning None, at the first value it is not sure of:
a value in error, or a type or option it does not know. The caller then validates with
pydantic as before, so every diagnostic stays pydantic's. The result of a walk that does
not give up equals what `model_validate` makes (tests/test_policy_fastpath.py compares
them over every policy of the project).
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, BeforeValidator, WithJsonSchema
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

M = TypeVar("M", bound=BaseModel)


class GiveUp(Exception):
    """The walk cannot vouch for a value: pydantic must validate the document."""


Check = Callable[[Any], Any]


def build(model: type[M], data: Any) -> M | None:
    """`model` made from `data` as `model.model_validate(data)` would, or None if unsure."""
    try:
        return _model(model, data)
    except GiveUp:
        return None
    except Exception:  # noqa: BLE001 - a validator failed: pydantic will say why
        return None


class _Plan(NamedTuple):
    keys: dict[str, str]  # input key (name or alias) -> field name
    checks: dict[str, Check]  # field name -> its check
    required: tuple[str, ...]
    defaults: tuple[tuple[str, Any, bool], ...]  # (field, default or factory, is a factory)
    before: tuple[Any, ...]  # model validators, mode="before"
    after: tuple[Any, ...]  # model validators, mode="after"
    field_validators: tuple[tuple[str, Any], ...]  # (field name, function), in order


@cache
def _plan(model: type[BaseModel]) -> _Plan:
    """How to check and make `model`, read once from its declarations."""
    config = model.model_config
    if config.get("extra") != "forbid" or not config.get("strict") or model.__pydantic_root_model__:
        raise GiveUp
    decorators = model.__pydantic_decorators__
    if (
        decorators.validators
        or decorators.root_validators
        or decorators.field_serializers
        or decorators.model_serializers
        or decorators.computed_fields
        or model.__private_attributes__
    ):
        raise GiveUp
    keys: dict[str, str] = {}
    checks: dict[str, Check] = {}
    for name, info in model.model_fields.items():
        if info.validation_alias not in (None, info.alias):
            raise GiveUp
        if info.alias is None or config.get("populate_by_name"):
            keys[name] = name
        if info.alias is not None:
            keys[info.alias] = name
        checks[name] = _annotated(info.annotation, tuple(info.metadata))
    before, after = [], []
    for dec in decorators.model_validators.values():
        if len(inspect.signature(dec.func).parameters) != 1:
            raise GiveUp
        if dec.info.mode == "before":
            before.append(dec.func)
        elif dec.info.mode == "after":
            after.append(dec.func)
        else:
            raise GiveUp
    fields = []
    for field_dec in decorators.field_validators.values():
        func = field_dec.func
        if field_dec.info.mode != "after" or len(inspect.signature(func).parameters) != 1:
            raise GiveUp
        fields += [(name, func) for name in field_dec.info.fields]
    required = tuple(n for n, info in model.model_fields.items() if info.is_required())
    defaults = tuple(
        _default(n, info) for n, info in model.model_fields.items() if n not in required
    )
    return _Plan(keys, checks, required, defaults, tuple(before), tuple(after), tuple(fields))


_IMMUTABLE = (str, int, float, bool, type(None))


def _default(name: str, info: FieldInfo) -> tuple[str, Any, bool]:
    """A field's default as `model_construct` gives it: a factory called without arguments,
    or a value of an immutable type (which pydantic does not copy)."""
    factory = info.default_factory
    if factory is not None:
        try:
            params = list(inspect.signature(factory).parameters.values())
        except (ValueError, TypeError):  # a builtin such as list: no data argument
            params = []
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        if (
            len(params) == 1
            and params[0].kind in positional
            and params[0].default is params[0].empty
        ):
            raise GiveUp  # a factory of the validated data (pydantic would pass it)
        return name, factory, True
    if type(info.default) not in _IMMUTABLE:
        raise GiveUp
    return name, info.default, False


def _model(model: type[M], data: Any) -> M:
    plan = _plan(model)
    for func in plan.before:
        data = func(data)
    if type(data) is not dict:
        raise GiveUp
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = plan.keys.get(key) if type(key) is str else None
        if name is None or name in values:
            raise GiveUp  # an unknown key, or a field given by both its name and alias
        values[name] = plan.checks[name](value)
    for name in plan.required:
        if name not in values:
            raise GiveUp
    for name, func in plan.field_validators:
        if name in values:
            values[name] = func(values[name])
    given = set(values)
    for name, default, is_factory in plan.defaults:
        if name not in given:
            values[name] = default() if is_factory else default
    made = model.model_construct(given, **values)
    for func in plan.after:
        made = func(made)
    if type(made) is not model:
        raise GiveUp
    return made


_SCALARS: dict[Any, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    bool: (bool,),
    float: (float, int),
}
_UNION_ORIGINS = (typing.Union, types.UnionType)
#: checks made, by the id of their annotation (kept alive here: annotations need not hash)
_MADE: dict[int, tuple[Any, Check]] = {}


def _annotated(annotation: Any, metadata: tuple[Any, ...]) -> Check:
    """The check of `annotation` with pydantic's metadata (before validators, limits)."""
    befores: list[Any] = []
    limits: list[Any] = []
    for item in metadata:
        if isinstance(item, BeforeValidator):
            befores.insert(0, item.func)  # pydantic runs the last one first
        elif isinstance(item, FieldInfo):
            if item.default is not PydanticUndefined or item.default_factory is not None:
                raise GiveUp
            limits += [_limit(m) for m in item.metadata]
        elif not isinstance(item, WithJsonSchema):
            limits.append(_limit(item))
    inner = _check(annotation)
    if not befores and not limits:
        return inner

    def check(value: Any) -> Any:
        for func in befores:  # one argument: the models use no ValidationInfo
            value = func(value)
        result = inner(value)
        for limit in limits:
            limit(result)
        return result

    return check


def _limit(limit: Any) -> Check:
    kind = type(limit).__name__
    if type(limit).__module__ != "annotated_types" or kind not in ("MinLen", "Ge"):
        raise GiveUp

    def check(value: Any) -> None:
        if value is None:
            return
        if kind == "MinLen" and len(value) < limit.min_length:
            raise GiveUp
        if kind == "Ge" and not value >= limit.ge:
            raise GiveUp

    return check


def _check(annotation: Any) -> Check:
    made = _MADE.get(id(annotation))
    if made is None or made[0] is not annotation:
        made = (annotation, _make(annotation))
        _MADE[id(annotation)] = made
    return made[1]


def _make(annotation: Any) -> Check:  # noqa: C901 - one case per kind of annotation
    if annotation is Any:
        return _same
    if annotation is None or annotation is type(None):
        return _none
    scalar = _SCALARS.get(annotation)
    if scalar is not None:
        return _scalar(scalar, annotation is float)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _annotated(args[0], args[1:])
    if origin in _UNION_ORIGINS:
        return _union(tuple(_check(choice) for choice in args))
    if origin is typing.Literal:
        return _literal(frozenset((type(choice), choice) for choice in args))
    if origin is list:
        return _list(_check(args[0]))
    if origin is dict and args[0] is str:
        return _dict(_check(args[1]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return lambda value: _model(annotation, value)
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return _instance(annotation)
    raise GiveUp


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
