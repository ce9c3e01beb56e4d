"""Functions a condition may call: the `Function` description and the built-in library.

A `Function` lists the types it accepts at each position, its result type (fixed, or computed
from the argument types), a one-line doc for the reference, and its Python implementation.
An implementation that needs the evaluation environment (the current time, the timezone, or
an engine's own data) sets `uses_env` and receives the env mapping as its first argument.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from rulekit.lang.runtime import env_now, env_tz, instant, is_number, ordered_keys, truth
from rulekit.lang.types import (
    ANY,
    BOOL,
    DATE,
    DATETIME,
    DURATION,
    LIST,
    NUMBER,
    STRING,
    Type,
    comparable,
    join,
)
from rulekit.record import FrozenRecord
from rulekit.timeutil import Duration, whole_days

#: A rule computing a result type from the argument types.
ReturnRule = Callable[[Sequence[Type]], Type]


class Function(FrozenRecord):
    """A function callable from a condition.

    Attributes:
        name: The name used in conditions.
        params: For each position, the types accepted there.
        returns: The result type, or a rule computing it from the argument types.
        doc: One line for the reference docs.
        impl: The implementation; called as impl(*args), or impl(env, *args) with `uses_env`.
        required: How many leading parameters are required (default: all of them).
        uses_env: Pass the evaluation env to `impl` first.
        accepts_null: Call `impl` even when an argument is null (otherwise the result is null).
        same_kind: Positions whose arguments must be of one kind (checked as RK211).
    """

    __slots__ = (
        "name",
        "params",
        "returns",
        "doc",
        "impl",
        "required",
        "uses_env",
        "accepts_null",
        "same_kind",
    )
    name: str
    params: tuple[tuple[Type, ...], ...]
    returns: Type | ReturnRule
    doc: str
    impl: Callable[..., Any]
    required: int | None
    uses_env: bool
    accepts_null: bool
    same_kind: tuple[int, ...]

    def __init__(
        self,
        name: str,
        params: tuple[tuple[Type, ...], ...],
        returns: Type | ReturnRule,
        doc: str,
        impl: Callable[..., Any],
        required: int | None = None,
        uses_env: bool = False,
        accepts_null: bool = False,
        same_kind: tuple[int, ...] = (),
    ) -> None:
        self._set(name, params, returns, doc, impl, required, uses_env, accepts_null, same_kind)

    @property
    def min_args(self) -> int:
        """The fewest arguments a call may pass."""
        return len(self.params) if self.required is None else self.required

    @property
    def max_args(self) -> int:
        """The most arguments a call may pass."""
        return len(self.params)

    def result_type(self, args: Sequence[Type]) -> Type:
        """The type of a call with arguments of the given types."""
        if isinstance(self.returns, Type):
            return self.returns
        try:
            return self.returns(args)
        except Exception:
            return ANY

    def signature(self) -> str:
        """`days_since(date-time) -> number`, for the reference docs."""
        parts = []
        for i, accepted in enumerate(self.params):
            text = " | ".join(t.describe() for t in accepted)
            parts.append(f"[{text}]" if i >= self.min_args else text)
        result = self.returns.describe() if isinstance(self.returns, Type) else "depends"
        return f"{self.name}({', '.join(parts)}) -> {result}"

    def call(self, env: Mapping[str, Any], *args: Any) -> Any:
        """Call the implementation the way compiled conditions do: null-safe, never raising."""
        if not self.accepts_null and any(a is None for a in args):
            return None
        try:
            return self.impl(env, *args) if self.uses_env else self.impl(*args)
        except Exception:
            return None


_WHEN = (DATE, DATETIME)


def _now(env: Mapping[str, Any]) -> datetime:
    return env_now(env)


def _today(env: Mapping[str, Any]) -> datetime:
    now = env_now(env).astimezone(env_tz(env))
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _days_since(env: Mapping[str, Any], value: Any) -> int | None:
    start = instant(value, env_tz(env))
    return None if start is None else whole_days(start, env_now(env))


def _hours_since(env: Mapping[str, Any], value: Any) -> int | None:
    start = instant(value, env_tz(env))
    if start is None:
        return None
    return math.floor((env_now(env) - start).total_seconds() / 3600)


def _days_between(env: Mapping[str, Any], a: Any, b: Any) -> int | None:
    tz = env_tz(env)
    start, end = instant(a, tz), instant(b, tz)
    return None if start is None or end is None else whole_days(start, end)


def _days(value: Any) -> float | None:
    if not isinstance(value, Duration):
        return None
    days = value.approx_days
    return int(days) if float(days).is_integer() else days


def _len(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple | set | frozenset) else None


def _text(fn: Callable[..., Any]) -> Callable[..., Any]:
    def impl(*args: Any) -> Any:
        return fn(*args) if all(isinstance(a, str) for a in args) else None

    return impl


def _number(fn: Callable[..., Any]) -> Callable[..., Any]:
    def impl(*args: Any) -> Any:
        return fn(*args) if all(is_number(a) for a in args) else None

    return impl


def _coalesce(a: Any, b: Any) -> Any:
    return a if a is not None else b


def _round(x: float, digits: float = 0) -> float:
    if not float(digits).is_integer():
        raise ValueError("round() needs whole digits")
    return round(x) if digits == 0 else round(x, int(digits))


def _join_args(args: Sequence[Type]) -> Type:
    return join(args[0], args[1]) if len(args) == 2 else ANY


def _join_last_two(args: Sequence[Type]) -> Type:
    return join(args[1], args[2]) if len(args) == 3 and comparable(args[1], args[2]) else ANY


def _join_same(args: Sequence[Type]) -> Type:
    return join(args[0], args[1]) if len(args) == 2 and comparable(args[0], args[1]) else ANY


def _if(cond: Any, a: Any, b: Any) -> Any:
    return a if truth(cond) else b


def _pick(smaller: bool) -> Callable[..., Any]:
    """min / max of two numbers, dates or durations (of one kind; else null)."""

    def impl(env: Mapping[str, Any], a: Any, b: Any) -> Any:
        keys = ordered_keys(a, b, env_tz(env))
        if keys is None:
            return None
        first_wins = keys[0] <= keys[1] if smaller else keys[0] >= keys[1]
        return a if first_wins else b

    return impl


_ORDERED = (NUMBER, DATE, DATETIME, DURATION)


_BUILTIN_LIST = [
    Function("now", (), DATETIME, "The current date and time.", _now, uses_env=True),
    Function(
        "today", (), DATETIME, "00:00 today, in the policy's timezone.", _today, uses_env=True
    ),
    Function(
        "days_since",
        (_WHEN,),
        NUMBER,
        "Whole days (24 hours each) from a date to now, rounded down; null if it is null.",
        _days_since,
        uses_env=True,
    ),
    Function(
        "hours_since",
        (_WHEN,),
        NUMBER,
        "Whole hours from a date-time to now, rounded down; null if it is null.",
        _hours_since,
        uses_env=True,
    ),
    Function(
        "days_between",
        (_WHEN, _WHEN),
        NUMBER,
        "Whole days from the first date to the second (negative if the second is earlier).",
        _days_between,
        uses_env=True,
    ),
    Function("days", ((DURATION,),), NUMBER, "A duration in days (a month counts 30).", _days),
    Function(
        "len", ((STRING, LIST(ANY)),), NUMBER, "The number of items in a list or characters.", _len
    ),
    Function("lower", ((STRING,),), STRING, "The text in lower case.", _text(str.lower)),
    Function("upper", ((STRING,),), STRING, "The text in upper case.", _text(str.upper)),
    Function(
        "contains",
        ((STRING,), (STRING,)),
        BOOL,
        "True if the text contains the second text.",
        _text(str.__contains__),
    ),
    Function(
        "starts_with",
        ((STRING,), (STRING,)),
        BOOL,
        "True if the text starts with the second text.",
        _text(str.startswith),
    ),
    Function(
        "coalesce",
        ((ANY,), (ANY,)),
        _join_args,
        "The first value if it is not null, otherwise the second.",
        _coalesce,
        accepts_null=True,
    ),
    Function(
        "min",
        (_ORDERED, _ORDERED),
        _join_same,
        "The smaller of two numbers, dates or durations (both of one kind).",
        _pick(True),
        uses_env=True,
        same_kind=(0, 1),
    ),
    Function(
        "max",
        (_ORDERED, _ORDERED),
        _join_same,
        "The larger of two numbers, dates or durations (both of one kind).",
        _pick(False),
        uses_env=True,
        same_kind=(0, 1),
    ),
    Function(
        "if",
        ((BOOL,), (ANY,), (ANY,)),
        _join_last_two,
        "if(condition, a, b): `a` when the condition holds, else `b` (null counts as false).",
        _if,
        accepts_null=True,
        same_kind=(1, 2),
    ),
    Function("abs", ((NUMBER,),), NUMBER, "The number without its sign.", _number(abs)),
    Function(
        "round",
        ((NUMBER,), (NUMBER,)),
        NUMBER,
        "The number rounded to whole units, or to the given number of decimals.",
        _number(_round),
        required=1,
    ),
]

#: The functions every condition may call, by name.
BUILTINS: Mapping[str, Function] = {f.name: f for f in _BUILTIN_LIST}
