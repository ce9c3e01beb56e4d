"""Build policy models from a document that is plainly valid, without pydantic's validators.

Building pydantic's validators for the policy models costs about a tenth of a second, paid by
every process that reads a policy. Most policies are valid, so `build` first checks the
document on the light path (`rulekit.policy.light`: the models' declarations, read once
into light_plan.json, walked without pydantic) and turns the light stand-ins it makes into the
models with `model_construct`. When the light path gives up, so does `build` (None): the
caller then validates with pydantic as before, so every diagnostic stays pydantic's. What
`build` makes equals what `model_validate` makes (tests/policy/test_fastpath.py compares
them over every policy of the project and thousands of mutations).
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel

from rulekit.policy import light

M = TypeVar("M", bound=BaseModel)


def build(model: type[M], data: Any) -> M | None:
    """`model` made from `data` as `model.model_validate(data)` would, or None if unsure."""
    made = light.build(data, model.__name__)
    if made is None:
        return None
    result = to_model(made)
    return result if type(result) is model else None


def to_model(value: Any) -> Any:
    """`value` with every light stand-in in it turned into its pydantic model."""
    if isinstance(value, light.Light):
        kind = _models()[type(value).__name__]
        fields = {name: to_model(getattr(value, name)) for name in type(value).model_fields}
        return kind.model_construct(value.model_fields_set, **fields)
    if type(value) is list:
        return [to_model(v) for v in value]
    if type(value) is dict:
        return {k: to_model(v) for k, v in value.items()}
    return value


@cache
def _models() -> dict[str, type[BaseModel]]:
    """The policy's models by name."""
    from rulekit.policy import models, pool_models

    found: dict[str, type[BaseModel]] = {}
    for module in (models, pool_models):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel):
                found[value.__name__] = value
    return found
