"""The refused rows of a replay: each a `Rejection`, kept as a plain tuple of its fields.

A replay may refuse most of a history's events. The specialised loop records each refusal as
a plain tuple of `Rejection`'s fields, which Python makes several times faster than an object
with named fields, and which the cyclic garbage collector stops walking once it has seen it
(a tuple of strings, numbers and instants holds no cycle). `Refusals` shows them as
Rejections, made as they are read; the document, the reports' counts and the dry-run read
the tuples themselves (`rows`, `reasons`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple, overload


class Rejection(NamedTuple):
    """A refused (or malformed) row."""

    row: int
    at: datetime | None
    customer: str | None
    type: str | None
    actor: str | None
    reason: str
    detail: str = ""
    quota: str | None = None  # the quota that refused (quota_exceeded only)


_as_rejection = partial(tuple.__new__, Rejection)
_REASON = itemgetter(5)
_ACTOR_REASON = itemgetter(4, 5)


class Refusals(Sequence[Rejection]):
    """The refused rows of a result, in order, seen as Rejections: `rows` holds them as
    tuples of Rejection's fields (plain tuples or Rejections)."""

    __slots__ = ("rows",)

    def __init__(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Rejection: ...

    @overload
    def __getitem__(self, index: slice) -> list[Rejection]: ...

    def __getitem__(self, index: int | slice) -> Rejection | list[Rejection]:
        if isinstance(index, slice):
            return list(map(_as_rejection, self.rows[index]))
        return _as_rejection(self.rows[index])

    def __iter__(self) -> Iterator[Rejection]:
        return map(_as_rejection, self.rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Refusals):
            return self.rows == other.rows
        if isinstance(other, list):
            return self.rows == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Refusals {len(self.rows):,} rows>"

    def reasons(self) -> Counter[str]:
        """How many rows each reason refused."""
        return Counter(map(_REASON, self.rows))

    def by_actor_and_reason(self) -> Counter[tuple[str | None, str]]:
        """How many rows each (actor, reason) refused."""
        return Counter(map(_ACTOR_REASON, self.rows))

    def row_numbers(self) -> set[int]:
        """The rows refused (their numbers in the file)."""
        return {r[0] for r in self.rows}
