"""The types of the condition language, their names in messages, and which types fit together.

Types are values: `STRING`, `NUMBER`, `BOOL`, `DATE`, `DATETIME`, `DURATION`, `NULL` (the type
of the `null` literal), `ANY` (unknown; fits everything), `LIST(elem)` and `OBJECT(name, attrs)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from rulekit.record import FrozenRecord


class Kind(StrEnum):
    """The kind of a type."""

    STRING = "string"
    NUMBER = "number"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    DURATION = "duration"
    NULL = "null"
    ANY = "any"
    LIST = "list"
    OBJECT = "object"


_NAMES = {
    Kind.STRING: ("text", "text"),
    Kind.NUMBER: ("number", "numbers"),
    Kind.BOOL: ("true/false", "true/false values"),
    Kind.DATE: ("date", "dates"),
    Kind.DATETIME: ("date-time", "date-times"),
    Kind.DURATION: ("duration", "durations"),
    Kind.NULL: ("null", "nulls"),
    Kind.ANY: ("any value", "values"),
}


class Type(FrozenRecord):
    """A type: a kind, plus the element type of a list or the name and attributes of an object
    (compared, but left out of the hash)."""

    __slots__ = ("kind", "elem", "name", "attrs")
    unhashed = ("attrs",)
    kind: Kind
    elem: Type | None
    name: str | None
    attrs: Mapping[str, Type]

    def __init__(
        self,
        kind: Kind,
        elem: Type | None = None,
        name: str | None = None,
        attrs: Mapping[str, Type] | None = None,
    ) -> None:
        self._set(kind, elem, name, {} if attrs is None else attrs)

    @property
    def is_temporal(self) -> bool:
        """True for dates and date-times."""
        return self.kind in (Kind.DATE, Kind.DATETIME)

    @property
    def is_loose(self) -> bool:
        """True for ANY and NULL, which the checker lets through wherever a value may go."""
        return self.kind in (Kind.ANY, Kind.NULL)

    def describe(self) -> str:
        """The name of the type in a message: `text`, `number`, `list of text`, `stage`."""
        if self.kind is Kind.LIST:
            return "list of " + (self.elem or ANY).plural()
        if self.kind is Kind.OBJECT:
            return f"{self.name or 'an'} object" if self.name else "an object"
        return _NAMES[self.kind][0]

    def plural(self) -> str:
        """The plural name of the type: `numbers`, `lists of text`."""
        if self.kind is Kind.LIST:
            return "lists of " + (self.elem or ANY).plural()
        if self.kind is Kind.OBJECT:
            return "objects"
        return _NAMES[self.kind][1]

    def article(self) -> str:
        """The name with an article where English wants one: `a number`, `text`."""
        if self.kind in (Kind.STRING, Kind.NULL, Kind.OBJECT, Kind.ANY):
            return self.describe()
        if self.kind is Kind.BOOL:
            return "true/false"
        name = self.describe()
        return ("an " if name[0] in "aeiou" else "a ") + name

    def __str__(self) -> str:
        return self.describe()


STRING = Type(Kind.STRING)
NUMBER = Type(Kind.NUMBER)
BOOL = Type(Kind.BOOL)
DATE = Type(Kind.DATE)
DATETIME = Type(Kind.DATETIME)
DURATION = Type(Kind.DURATION)
NULL = Type(Kind.NULL)
ANY = Type(Kind.ANY)


def LIST(elem: Type) -> Type:
    """The type of a list whose items are `elem`."""
    return Type(Kind.LIST, elem=elem)


def OBJECT(name: str, attrs: Mapping[str, Type]) -> Type:
    """The type of an object called `name` (for messages) with typed attributes."""
    return Type(Kind.OBJECT, name=name, attrs=dict(attrs))


def fits(actual: Type, wanted: Type) -> bool:
    """True if a value of type `actual` may be used where `wanted` is expected.

    ANY fits everything and everything fits ANY; a null fits anywhere (it propagates at run
    time); dates and date-times fit each other; lists fit if their items do.
    """
    if actual.is_loose or wanted.kind is Kind.ANY:
        return True
    if actual.is_temporal and wanted.is_temporal:
        return True
    if actual.kind is not wanted.kind:
        return False
    if actual.kind is Kind.LIST:
        return fits(actual.elem or ANY, wanted.elem or ANY)
    if actual.kind is Kind.OBJECT:
        return wanted.name is None or actual.name == wanted.name
    return True


def comparable(a: Type, b: Type) -> bool:
    """True if `a == b` makes sense: same kind, or either side loose."""
    return fits(a, b) or fits(b, a)


def join(a: Type, b: Type) -> Type:
    """The type of a value that is either `a` or `b` (for list items and coalesce)."""
    if a.kind is Kind.NULL:
        return b
    if b.kind is Kind.NULL or a == b:
        return a
    if a.is_temporal and b.is_temporal:
        return DATETIME
    if a.kind is Kind.ANY or b.kind is Kind.ANY:
        return ANY
    return a
