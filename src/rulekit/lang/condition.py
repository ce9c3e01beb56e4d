"""What compiling gives: a `Condition` (a condition or an expression, callable over an env
mapping) and a `Template` (a message with expressions to fill in)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING, Any

from rulekit.lang.types import Type
from rulekit.record import FrozenRecord
from rulekit.source import Span

if TYPE_CHECKING:
    from rulekit.lang.ast import Node

#: Turns offsets in a condition string into a span in its file.
Locate = Callable[[int, int], Span]


class Condition(FrozenRecord):
    """A compiled condition or expression.

    Attributes:
        text: The source text.
        node: Its syntax tree.
        type: The type of its value.
        names: The root names it reads from the env.
        python_source: The generated Python source (``lambda env: ...``).
        fn: The compiled function; never raises on odd data (it yields null instead).
    """

    __slots__ = ("text", "node", "type", "names", "python_source", "fn")
    text: str
    node: Node
    type: Type
    names: frozenset[str]
    python_source: str
    fn: Callable[[Mapping[str, Any]], Any]

    def __init__(
        self,
        text: str,
        node: Node,
        type: Type,
        names: frozenset[str],
        python_source: str,
        fn: Callable[[Mapping[str, Any]], Any],
    ) -> None:
        self._set(text, node, type, names, python_source, fn)

    def __call__(self, env: Mapping[str, Any]) -> Any:
        """Evaluate against `env` (field values, plus `now` and `tz` for the time functions)."""
        return self.fn(env)


class Template(FrozenRecord):
    """A compiled message template: literal text and expressions to fill in."""

    __slots__ = ("text", "parts", "tz")
    text: str
    parts: tuple[str | Condition, ...]
    tz: tzinfo

    def __init__(self, text: str, parts: tuple[str | Condition, ...], tz: tzinfo = UTC) -> None:
        self._set(text, parts, tz)

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
