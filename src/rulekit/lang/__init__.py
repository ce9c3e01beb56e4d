"""The condition language: parse, check and compile conditions such as

    state in [new, D] and days_since(last_activity_at) > 21

`compile_condition` turns a condition into a `Condition` (a callable over an env mapping) or
diagnostics; `compile_expression` does the same for values such as ``renewals + 1``, and
`compile_template` for messages such as ``"{customer}: {days_in_stage} days at {stage}"``.
None of them raises on any input text. The parser (and Lark) load on first use.
"""

from __future__ import annotations

from datetime import UTC, tzinfo

from rulekit.diagnostics import Diagnostic
from rulekit.lang.condition import Condition, Locate, Template
from rulekit.lang.functions import BUILTINS, Function
from rulekit.lang.scope import Scope
from rulekit.lang.types import (
    ANY,
    BOOL,
    DATE,
    DATETIME,
    DURATION,
    LIST,
    NULL,
    NUMBER,
    OBJECT,
    STRING,
    Kind,
    Type,
)

__all__ = [
    "ANY",
    "BOOL",
    "BUILTINS",
    "DATE",
    "DATETIME",
    "DURATION",
    "LIST",
    "NULL",
    "NUMBER",
    "OBJECT",
    "STRING",
    "Condition",
    "Function",
    "Kind",
    "Locate",
    "Scope",
    "Template",
    "Type",
    "compile_condition",
    "compile_expression",
    "compile_template",
]


def compile_condition(
    text: str,
    scope: Scope,
    locate: Locate,
    *,
    expect: Type | None = BOOL,
    tz: tzinfo = UTC,
) -> tuple[Condition | None, list[Diagnostic]]:
    """Parse, check and compile a condition.

    Args:
        text: The condition, e.g. ``stage != null and days_in_stage > 10``.
        scope: The names, symbols and functions it may use.
        locate: Turns (start, end) offsets in `text` into a file span for diagnostics.
        expect: The type its value must have: BOOL for a condition, None for any.
        tz: The timezone of date literals such as ``2026-03-01``.

    Returns:
        The compiled condition and no diagnostics, or None and at least one error.
    """
    from rulekit.lang.compiler import compile_text

    return compile_text(text, scope, locate, expect=expect, tz=tz)


def compile_expression(
    text: str, scope: Scope, locate: Locate, *, expect: Type | None = None, tz: tzinfo = UTC
) -> tuple[Condition | None, list[Diagnostic]]:
    """Compile a value such as ``renewals + 1`` (a `set:` value); see `compile_condition`.

    Args:
        text: The expression.
        scope: The names, symbols and functions it may use.
        locate: Turns offsets in `text` into a file span.
        expect: The type its value must have, or None for any.
        tz: The timezone of date literals.

    Returns:
        The compiled expression and no diagnostics, or None and at least one error.
    """
    return compile_condition(text, scope, locate, expect=expect, tz=tz)


def compile_template(
    text: str, scope: Scope, locate: Locate, *, tz: tzinfo = UTC
) -> tuple[Template | None, list[Diagnostic]]:
    """Compile a message template such as ``"{customer}: {days_in_stage} days at {stage}"``.

    Each ``{expr}`` is an expression; ``{{`` and ``}}`` are literal braces.

    Args:
        text: The template.
        scope: The names, symbols and functions its expressions may use.
        locate: Turns offsets in `text` into a file span.
        tz: The timezone of date literals and of rendered date-times.

    Returns:
        The template and no diagnostics, or None and at least one error.
    """
    from rulekit.lang.compiler import compile_template_text

    return compile_template_text(text, scope, locate, tz=tz)
