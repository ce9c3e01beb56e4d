"""What a condition may refer to: names with their types, bare-word symbols, and functions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rulekit.lang.functions import BUILTINS, Function
from rulekit.lang.types import Type

__all__ = ["BUILTINS", "Function", "Scope"]


@dataclass
class Scope:
    """The names, symbols and functions a condition may use.

    Attributes:
        names: Root names the condition may read (fields, record properties, and objects such
            as `event` or `next_stage` typed with OBJECT), with their types.
        symbols: Bare words accepted as text constants, e.g. state and stage names (`new`,
            `D`, `OD`), mapped to what they are ("state", "stage"). A name wins over a symbol.
        functions: Callable functions by name; the built-ins unless given.
    """

    names: dict[str, Type] = field(default_factory=dict)
    symbols: dict[str, str] = field(default_factory=dict)
    functions: Mapping[str, Function] = field(default_factory=lambda: dict(BUILTINS))

    def with_functions(self, *extra: Function) -> Scope:
        """Return a copy of this scope that can also call `extra` (e.g. an engine's own)."""
        functions = dict(self.functions)
        functions.update({f.name: f for f in extra})
        return Scope(dict(self.names), dict(self.symbols), functions)
