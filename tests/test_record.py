"""`rulekit.record`: records behave as the slotted dataclasses they stand for (equality, hash,
repr, immutability, copy and pickle), field options and inheritance included."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any

import pytest

from rulekit.record import FrozenRecord, Record


class Point(FrozenRecord):
    __slots__ = ("x", "y", "tag")
    unhashed = ("tag",)

    def __init__(self, x: Any, y: Any = 0, tag: Any = None) -> None:
        self._set(x, y, tag)


@dataclass(frozen=True, slots=True)
class PointDC:
    x: Any
    y: Any = 0
    tag: Any = field(default=None, hash=False)


class Located(Point):
    __slots__ = ("where",)
    uncompared = ("where",)

    def __init__(self, x: Any, y: Any = 0, tag: Any = None, where: Any = None) -> None:
        self._set(x, y, tag, where)


@dataclass(frozen=True, slots=True)
class LocatedDC(PointDC):
    where: Any = field(default=None, compare=False)


class Box(Record):
    __slots__ = ("items", "cache")
    unshown = ("cache",)

    def __init__(self, items: list[Any] | None = None, cache: Any = None) -> None:
        self.items = [] if items is None else items
        self.cache = cache


@dataclass(slots=True)
class BoxDC:
    items: list[Any] = field(default_factory=list)
    cache: Any = field(default=None, repr=False)


class One(FrozenRecord):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self._set(value)


@dataclass(frozen=True, slots=True)
class OneDC:
    value: Any


def _renamed(text: str) -> str:
    return text.replace("DC(", "(")


SAMPLES: list[tuple[Any, Any]] = [
    (Point(1, "a", tag=[1]), PointDC(1, "a", tag=[1])),
    (Point(1.5), PointDC(1.5)),
    (Located(1, 2, "t", where=(3, 4)), LocatedDC(1, 2, "t", where=(3, 4))),
    (Box([1, Point(2)], cache={}), BoxDC([1, PointDC(2)], cache={})),
    (One(float("nan")), OneDC(float("nan"))),
]


@pytest.mark.parametrize(("record", "dc"), SAMPLES, ids=lambda v: type(v).__name__)
def test_repr_as_the_dataclass(record: Any, dc: Any) -> None:
    assert repr(record) == _renamed(repr(dc))


def test_fields_in_order_base_first() -> None:
    assert Point.fields == ("x", "y", "tag")
    assert Located.fields == ("x", "y", "tag", "where")
    assert Box.fields == ("items", "cache")


def test_equality_as_the_dataclass() -> None:
    assert Point(1, 2, "a") == Point(1, 2, "a") and Point(1, 2) != Point(1, 3)
    assert Point(1, 2, "a") != Point(1, 2, "b")  # hash=False still compares
    assert Located(1, where="here") == Located(1, where="there")  # compare=False does not
    assert Located(1) != Point(1) and Point(1) != PointDC(1) and Point(1) != (1, 0, None)
    nan = float("nan")
    assert One(nan) == One(nan) and OneDC(nan) == OneDC(nan)  # the same object, as in a tuple
    assert Box([1]) != Box([1], cache=2) and BoxDC([1]) != BoxDC([1], cache=2)  # repr=False
    assert Box([1]) == Box([1]) and Box([1]) != Box([2])


def test_hash_as_the_dataclass() -> None:
    assert hash(Point(1, 2, "a")) == hash(PointDC(1, 2, "a")) == hash(Point(1, 2, "b"))
    assert hash(Located(1, 2, where=5)) == hash(LocatedDC(1, 2, where=6))
    assert len({Point(1), Point(1, 0), Point(2)}) == 2
    with pytest.raises(TypeError):
        hash(Box())
    with pytest.raises(TypeError):
        hash(BoxDC())


def test_frozen_as_the_dataclass() -> None:
    for point in (Point(1), PointDC(1)):
        with pytest.raises(AttributeError, match="cannot assign to field 'x'"):
            point.x = 2
        with pytest.raises(AttributeError, match="cannot delete field 'x'"):
            del point.x
    with pytest.raises(AttributeError):  # the dataclass fails there (a CPython bug of slots)
        Point(1).other = 1
    assert issubclass(FrozenInstanceError, AttributeError)
    box = Box()
    box.items = [1]
    assert box.items == [1]
    with pytest.raises(AttributeError):
        box.other = 1


@pytest.mark.parametrize(("record", "dc"), SAMPLES[:4], ids=lambda v: type(v).__name__)
def test_copied_and_pickled(record: Any, dc: Any) -> None:
    for other in (copy.copy(record), copy.deepcopy(record), pickle.loads(pickle.dumps(record))):
        assert type(other) is type(record) and repr(other) == repr(record)
        assert other == record
    assert repr(copy.deepcopy(record)) == _renamed(repr(copy.deepcopy(dc)))
