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
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, BeforeValidator, WithJsonSchema
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

M = TypeVar("M", bound=BaseModel)


class GiveUp(Exception):
    """The walk cannot vouch for a value: pydantic must validate the document."""


def build(model: type[M], data: Any) -> M | None:
    """`model` made from `data` as `model.model_validate(data)` would, or None if unsure."""
    try:
        return _model(model, data)
    except GiveUp:
        return None
    except Exception:  # noqa: BLE001 - a validator failed: pydantic will say why
        return None


_SCALARS: dict[Any, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    bool: (bool,),
    float: (float, int),
}
_UNION_ORIGINS = (typing.Union, types.UnionType)


@cache
def _plan(model: type[BaseModel]) -> tuple[dict[str, str], list[Any], list[Any], list[Any]]:
    """(input key -> field name, before and after model validators, field validators)."""
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
    for name, info in model.model_fields.items():
        if info.validation_alias not in (None, info.alias):
            raise GiveUp
        if info.alias is None or config.get("populate_by_name"):
            keys[name] = name
        if info.alias is not None:
            keys[info.alias] = name
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
        fields.append(field_dec)
    return keys, before, after, fields


def _model(model: type[M], data: Any) -> M:
    keys, before, after, field_validators = _plan(model)
    for func in before:
        data = func(data)
    if type(data) is not dict:
        raise GiveUp
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = keys.get(key) if isinstance(key, str) else None
        if name is None or name in values:
            raise GiveUp  # an unknown key, or a field given by both its name and alias
        info = model.model_fields[name]
        values[name] = _field(info, value)
    for name, info in model.model_fields.items():
        if name not in values and info.is_required():
            raise GiveUp
    for dec in field_validators:
        for name in dec.info.fields:
            if name in values:
                values[name] = dec.func(values[name])
    made = model.model_construct(**values)
    for func in after:
        made = func(made)
    if type(made) is not model:
        raise GiveUp
    return made


def _field(info: FieldInfo, value: Any) -> Any:
    return _annotated(info.annotation, info.metadata, value)


def _annotated(annotation: Any, metadata: list[Any], value: Any) -> Any:
    """Validate `value` against `annotation` with pydantic's metadata (validators, limits)."""
    befores = [m for m in metadata if isinstance(m, BeforeValidator)]
    limits: list[Any] = []
    for item in metadata:
        if isinstance(item, FieldInfo):
            if item.default is not PydanticUndefined or item.default_factory is not None:
                raise GiveUp
            limits += item.metadata
        elif not isinstance(item, BeforeValidator | WithJsonSchema):
            limits.append(item)
    for validator in reversed(befores):
        func: Any = validator.func  # one argument: the models use no ValidationInfo
        value = func(value)
    result = _value(annotation, value)
    for limit in limits:
        _check(limit, result)
    return result


def _check(limit: Any, value: Any) -> None:
    kind = type(limit).__name__
    if kind == "MinLen" and type(limit).__module__ == "annotated_types":
        if value is not None and len(value) < limit.min_length:
            raise GiveUp
    elif kind == "Ge" and type(limit).__module__ == "annotated_types":
        if value is not None and not value >= limit.ge:
            raise GiveUp
    else:
        raise GiveUp


def _value(annotation: Any, value: Any) -> Any:
    if annotation is Any:
        return value
    if annotation is None or annotation is type(None):
        if value is None:
            return None
        raise GiveUp
    scalar = _SCALARS.get(annotation)
    if scalar is not None:
        if type(value) not in scalar:
            raise GiveUp
        return float(value) if annotation is float else value
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return _annotated(inner, extra, value)
    if origin in _UNION_ORIGINS:
        return _union(typing.get_args(annotation), value)
    if origin is typing.Literal:
        for choice in typing.get_args(annotation):
            if type(value) is type(choice) and value == choice:
                return value
        raise GiveUp
    if origin is list:
        (item,) = typing.get_args(annotation)
        if type(value) is not list:
            raise GiveUp
        return [_value(item, v) for v in value]
    if origin is dict:
        key, item = typing.get_args(annotation)
        if key is not str or type(value) is not dict:
            raise GiveUp
        if any(type(k) is not str for k in value):
            raise GiveUp
        return {k: _value(item, v) for k, v in value.items()}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation, value)
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        if type(value) is annotation:
            return value
        raise GiveUp
    raise GiveUp


def _union(choices: tuple[Any, ...], value: Any) -> Any:
    """The one branch of a union that takes `value`; unsure if none or several do."""
    found: list[Any] = []
    for choice in choices:
        try:
            found.append(_value(choice, value))
        except GiveUp:
            continue
    if len(found) != 1:
        raise GiveUp
    return found[0]
