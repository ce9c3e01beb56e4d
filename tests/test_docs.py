"""The reference docs name every key of the DSL, every built-in and every diagnostic code."""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel

from rulekit.diagnostics import CODES
from rulekit.lang import BUILTINS
from rulekit.names import RECORD
from rulekit.policy import models

DOCS = Path(__file__).resolve().parent.parent / "docs"


def all_models() -> list[type[BaseModel]]:
    return [
        obj
        for obj in vars(models).values()
        if isinstance(obj, type) and issubclass(obj, models.Strict) and obj is not models.Strict
    ]


def test_every_dsl_key_is_in_the_reference() -> None:
    text = (DOCS / "policy-language.md").read_text(encoding="utf-8")
    missing = []
    for model in all_models():
        for name, info in model.model_fields.items():
            key = info.alias or name
            if model is models.ActionSpec and key == "action":
                continue  # the shorthand `do: release`
            if not any(f"{a}{key}{b}" in text for a in "`." for b in "`."):
                missing.append(f"{model.__name__}.{key}")
    assert missing == []


def test_every_builtin_and_record_name_is_in_the_reference() -> None:
    text = (DOCS / "policy-language.md").read_text(encoding="utf-8")
    assert [f for f in BUILTINS if f"`{f}(" not in text] == []
    assert [n for n in RECORD if f"`{n}`" not in text] == []


def test_every_diagnostic_code_is_documented() -> None:
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    assert [c for c in CODES if c not in text] == []


def test_models_are_plain_data() -> None:
    # every annotation resolves: a typo in a forward reference would only show up at use
    for model in all_models():
        assert typing.get_type_hints(model, include_extras=True)
