"""What a condition may refer to: names with their types, bare-word symbols, and functions."""

from __future__ import annotations

from collections.abc import Mapping

from rulekit.lang.functions import BUILTINS, Function
from rulekit.lang.types import Type
from rulekit.record import Record

__all__ = ["BUILTINS", "Function", "Scope"]


class Scope(Record):
    """The names, symbols and functions a condition may use.

    Attributes:
        names: Root names the condition may read (fields, record properties, and objects such
            as `event` or `next_stage` typed with OBJECT), with their types.
        symbols: Bare words accepted as text constants, e.g. state and stage names (`new`,
            `D`, `OD`), mapped to what they are ("state", "stage"). A name wins over a symbol.
        functions: Callable functions by name; the built-ins unless given.
    """

    __slots__ = ("names", "symbols", "functions")

    def __init__(
        self,
        names: dict[str, Type] | None = None,
        symbols: dict[str, str] | None = None,
        functions: Mapping[str, Function] | None = None,
    ) -> None:
        self.names: dict[str, Type] = {} if names is None else names
        self.symbols: dict[str, str] = {} if symbols is None else symbols
        self.functions: Mapping[str, Function] = dict(BUILTINS) if functions is None else functions

    def with_functions(self, *extra: Function) -> Scope:
        """Return a copy of this scope that can also call `extra` (e.g. an engine's own)."""
        functions = dict(self.functions)
        functions.update({f.name: f for f in extra})
        return Scope(dict(self.names), dict(self.symbols), functions)
