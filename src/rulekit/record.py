"""`Record` and `FrozenRecord`: small classes that behave as slotted dataclasses (`eq=True`,
frozen or not) without being made by `@dataclass`, which compiles a handful of functions per
class with `exec`: ~0.5 ms a class, a tenth of `rulekit validate`'s time for the classes on
its path (docs/performance.md).

A record lists its fields in `__slots__`, after those of the record it extends, in the order
of its constructor's parameters, and writes that constructor (a frozen one sets its fields
with `self._set(...)`). What `@dataclass` would make comes from here, the same: equality (same
class, equal fields), `repr` as `Name(field=value, ...)`, and for a frozen record the hash of
its fields, immutability, copy and pickle through the constructor; a record that is not
frozen is not hashable. `uncompared`, `unhashed` and `unshown` name the fields a dataclass
would declare with `compare=False`, `hash=False` and `repr=False`.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar

Getter = Callable[[Any], tuple[Any, ...]]


def _getter(names: tuple[str, ...]) -> Getter:
    """A function giving the values of `names` of an object, as a tuple (as attrgetter does
    for two names or more)."""
    if len(names) > 1:
        getter: Getter = attrgetter(*names)
        return getter
    if names:
        get = attrgetter(names[0])
        return lambda obj: (get(obj),)
    return lambda obj: ()


class Record:
    """A mutable record: equal by its fields, shown as `Name(field=value, ...)`, unhashable."""

    __slots__ = ()
    #: the fields, in the order of the constructor's parameters
    fields: ClassVar[tuple[str, ...]] = ()
    uncompared: ClassVar[tuple[str, ...]] = ()
    unhashed: ClassVar[tuple[str, ...]] = ()
    unshown: ClassVar[tuple[str, ...]] = ()
    _values: ClassVar[staticmethod[[Any], tuple[Any, ...]]]
    _compared: ClassVar[staticmethod[[Any], tuple[Any, ...]]]
    _hashed: ClassVar[staticmethod[[Any], tuple[Any, ...]]]
    _shown: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__slots__", ())
        cls.fields = (*cls.fields, *((own,) if isinstance(own, str) else own))
        compared = tuple(name for name in cls.fields if name not in cls.uncompared)
        cls._values = staticmethod(_getter(cls.fields))
        cls._compared = staticmethod(_getter(compared))
        cls._hashed = staticmethod(_getter(tuple(n for n in compared if n not in cls.unhashed)))
        cls._shown = tuple(name for name in cls.fields if name not in cls.unshown)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._compared(self) == self._compared(other)

    __hash__: ClassVar[None]  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__qualname__}({shown})"


class FrozenRecord(Record):
    """A frozen record: fields set once by the constructor (`_set`), hashable."""

    __slots__ = ()

    def _set(self, *values: Any) -> None:
        """Set the fields, in order, to `values` (the constructor's arguments)."""
        for name, value in zip(self.fields, values, strict=True):
            object.__setattr__(self, name, value)

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._hashed(self))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), self._values(self)
