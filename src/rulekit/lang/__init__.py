"""The condition language: parse, check and compile conditions such as

    state in [new, D] and days_since(last_activity_at) > 21

`compile_condition` turns a condition into a `Condition` (a callable over an env mapping) or
diagnostics; `compile_expression` does the same for values such as ``renewals + 1``, and
`compile_template` for messages such as ``"{customer}: {days_in_stage} days at {stage}"``.
None of them raises on any input text. The parser (and Lark) load on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING, Any

from rulekit.diagnostics import Diagnostic
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
from rulekit.source import Span

if TYPE_CHECKING:
    from rulekit.lang.ast import Node

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

#: Turns offsets in a condition string into a span in its file.
Locate = Callable[[int, int], Span]


@dataclass(frozen=True)
class Condition:
    """A compiled condition or expression.

    Attributes:
        text: The source text.
        node: Its syntax tree.
        type: The type of its value.
        names: The root names it reads from the env.
        python_source: The generated Python source (``lambda env: ...``).
        fn: The compiled function; never raises on odd data (it yields null instead).
    """

    text: str
    node: Node
    type: Type
    names: frozenset[str]
    python_source: str
    fn: Callable[[Mapping[str, Any]], Any]

    def __call__(self, env: Mapping[str, Any]) -> Any:
        """Evaluate against `env` (field values, plus `now` and `tz` for the time functions)."""
        return self.fn(env)


@dataclass(frozen=True)
class Template:
    """A compiled message template: literal text and expressions to fill in."""

    text: str
    parts: tuple[str | Condition, ...]
    tz: tzinfo = UTC

    @property
    def names(self) -> frozenset[str]:
        """The root names the template reads."""
        found: set[str] = set()
        for part in self.parts:
            if isinstance(part, Condition):
                found |= part.names
        return frozenset(found)

    def render(self, env: Mapping[str, Any]) -> str:
        """Fill in the template; a null value renders as empty text."""
        from rulekit.lang.runtime import format_value

        out = []
        for part in self.parts:
            out.append(part if isinstance(part, str) else format_value(part.fn(env), self.tz))
        return "".join(out)


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
