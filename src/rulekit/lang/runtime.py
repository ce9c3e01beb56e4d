"""Null-safe helpers that compiled conditions call at run time.

Every helper returns None (null) instead of raising when a value is null or of the wrong type,
so a condition never fails on odd data: arithmetic on null gives null, and a comparison that
involves null (other than `== null` / `!= null`) is false.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from rulekit.timeutil import Duration, format_instant, parse_instant

NUMBER_TYPES = frozenset({int, float})
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def is_number(value: object) -> bool:
    """True for an int or a float (not a bool)."""
    return type(value) in NUMBER_TYPES


def instant(value: object, tz: tzinfo) -> datetime | None:
    """Return `value` as an aware datetime (a date is 00:00 in `tz`), or None if it is not one."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    if isinstance(value, str):
        try:
            return parse_instant(value, tz)
        except ValueError:
            return None
    return None


def env_tz(env: Mapping[str, Any]) -> tzinfo:
    """The timezone of an evaluation: `env["tz"]`, or UTC."""
    tz = env.get("tz")
    return tz if isinstance(tz, tzinfo) else UTC


def env_now(env: Mapping[str, Any]) -> datetime:
    """The current instant of an evaluation: `env["now"]`, or the clock if it is missing."""
    tz = env_tz(env)
    return instant(env.get("now"), tz) or datetime.now(tz)


def truth(value: object) -> bool:
    """A value in a condition: true only for true (or a non-zero number); null is false."""
    return value is True or (type(value) in NUMBER_TYPES and value != 0)


def _key(value: object, tz: tzinfo) -> tuple[str, Any] | None:
    """A (kind, comparable) key for ordering and equality across representations."""
    if type(value) in NUMBER_TYPES:
        return ("n", value)
    if isinstance(value, Duration):
        return ("d", value.approx_days)
    if isinstance(value, date):
        return ("t", instant(value, tz))
    if isinstance(value, str):
        return ("s", value)
    return None


def _keys(a: object, b: object, tz: tzinfo) -> tuple[Any, Any] | None:
    """Comparable keys for `a` and `b`, or None if they are not of one kind.

    ISO text compared with a date is read as a date (data often carries dates as text).
    """
    ka, kb = _key(a, tz), _key(b, tz)
    if ka is None or kb is None:
        return None
    if ka[0] != kb[0]:
        if {ka[0], kb[0]} != {"t", "s"}:
            return None
        ka, kb = ("t", instant(a, tz)), ("t", instant(b, tz))
        if ka[1] is None or kb[1] is None:
            return None
    return ka, kb


def ordered_keys(a: object, b: object, tz: tzinfo) -> tuple[Any, Any] | None:
    """Keys that order `a` and `b` (numbers, dates or durations of one kind), or None."""
    if a is None or b is None:
        return None
    keys = _keys(a, b, tz)
    if keys is None or keys[0][0] == "s":
        return None
    return keys[0][1], keys[1][1]


def order(op: str, a: object, b: object, tz: tzinfo) -> bool:
    """`a op b` for `<`, `<=`, `>`, `>=`; false if either side is null or they do not compare."""
    if a is None or b is None:
        return False
    keys = _keys(a, b, tz)
    if keys is None:
        return False
    return _ORDER[op](keys[0][1], keys[1][1])


def _same(a: object, b: object, tz: tzinfo) -> bool:
    if _key(a, tz) is not None and _key(b, tz) is not None:
        keys = _keys(a, b, tz)
        return keys is not None and bool(keys[0] == keys[1])
    try:
        return bool(a == b)
    except Exception:
        return False


def eq(a: object, b: object, tz: tzinfo) -> bool:
    """`a == b`; false if either side is null."""
    if a is None or b is None:
        return False
    return _same(a, b, tz)


def ne(a: object, b: object, tz: tzinfo) -> bool:
    """`a != b`; false if either side is null."""
    if a is None or b is None:
        return False
    return not _same(a, b, tz)


def contains(items: object, value: object, tz: tzinfo) -> bool:
    """`value in items`; false if either side is null or `items` is not a list."""
    if value is None or not isinstance(items, list | tuple | set | frozenset):
        return False
    return any(_same(value, item, tz) for item in items if item is not None)


def not_contains(items: object, value: object, tz: tzinfo) -> bool:
    """`value not in items`; false if either side is null or `items` is not a list."""
    if value is None or not isinstance(items, list | tuple | set | frozenset):
        return False
    return not contains(items, value, tz)


def _scale(d: Duration, factor: float) -> Duration:
    if d.months and float(factor).is_integer():
        return Duration(int(d.months * factor), d.seconds * factor)
    return Duration(0, d.approx_days * 86400 * factor)


def _negate(d: Duration) -> Duration:
    return Duration(-d.months, -d.seconds)


def add(a: object, b: object, tz: tzinfo) -> Any:
    """`a + b` for numbers, durations, and a date plus a duration; else null."""
    try:
        if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
            return a + b  # type: ignore[operator]
        if isinstance(a, Duration) and isinstance(b, Duration):
            return a + b
        if isinstance(b, Duration) and (t := instant(a, tz)) is not None:
            return b.add_to(t)
        if isinstance(a, Duration) and (t := instant(b, tz)) is not None:
            return a.add_to(t)
    except (ArithmeticError, ValueError, TypeError):
        pass
    return None


def sub(a: object, b: object, tz: tzinfo) -> Any:
    """`a - b` for numbers, durations, a date minus a duration, and two dates; else null."""
    try:
        if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
            return a - b  # type: ignore[operator]
        if isinstance(a, Duration) and isinstance(b, Duration):
            return a + _negate(b)
        ta = instant(a, tz)
        if ta is not None and isinstance(b, Duration):
            return _negate(b).add_to(ta)
        tb = instant(b, tz)
        if ta is not None and tb is not None:
            return Duration(seconds=(ta - tb).total_seconds())
    except (ArithmeticError, ValueError, TypeError):
        pass
    return None


def mul(a: object, b: object) -> Any:
    """`a * b` for numbers, and a duration times a number; else null."""
    try:
        if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
            return a * b  # type: ignore[operator]
        if isinstance(a, Duration) and type(b) in NUMBER_TYPES:
            return _scale(a, b)  # type: ignore[arg-type]
        if isinstance(b, Duration) and type(a) in NUMBER_TYPES:
            return _scale(b, a)  # type: ignore[arg-type]
    except (ArithmeticError, ValueError, TypeError):
        pass
    return None


def div(a: object, b: object) -> Any:
    """`a / b` for numbers, a duration by a number, a duration by a duration; null on zero."""
    try:
        if type(a) in NUMBER_TYPES and type(b) in NUMBER_TYPES:
            return a / b  # type: ignore[operator]
        if isinstance(a, Duration) and type(b) in NUMBER_TYPES:
            return _scale(a, 1 / b)  # type: ignore[operator]
        if isinstance(a, Duration) and isinstance(b, Duration):
            return a.approx_days / b.approx_days
    except (ArithmeticError, ValueError, TypeError):
        pass
    return None


def neg(a: object) -> Any:
    """`-a` for a number or a duration; else null."""
    if type(a) in NUMBER_TYPES:
        return -a  # type: ignore[operator]
    if isinstance(a, Duration):
        return _negate(a)
    return None


def attr(obj: object, name: str) -> Any:
    """`obj.name`: a key of a mapping or an attribute of an object; null if missing."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        try:
            return obj.get(name)
        except Exception:
            return None
    if name.startswith("_"):
        return None
    try:
        return getattr(obj, name, None)
    except Exception:
        return None


def format_value(value: object, tz: tzinfo = UTC) -> str:
    """Render a value for a message template: null is empty, 3.0 is `3`, true is `true`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(round(value, 6))
    if isinstance(value, datetime):
        return format_instant(instant(value, tz) or value, tz)
    if isinstance(value, list | tuple):
        return ", ".join(format_value(item, tz) for item in value)
    return str(value)
