"""A list made a slice at a time: what a large document's writer reads chunk by chunk.

A replay's document holds an object per customer and per refused row; made all at once they
take more memory than the world they describe. `Chunked(n, make)` is a read-only sequence of
`n` items whose slices are made on demand by `make(start, stop)`: a writer that encodes a
chunk and lets it go never holds more than one chunk of objects.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, overload


class Chunked(Sequence[Any]):
    """`n` items, made by `make(start, stop)` (a list of `stop - start` items) when read."""

    __slots__ = ("_n", "_make")

    def __init__(self, n: int, make: Callable[[int, int], list[Any]]) -> None:
        self._n = n
        self._make = make

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._n)
            if step != 1:
                return self._make(0, self._n)[index]
            return self._make(start, stop) if start < stop else []
        i = operator.index(index)
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("Chunked index out of range")
        return self._make(i, i + 1)[0]

    def __repr__(self) -> str:
        return f"Chunked({self._n} items)"
