"""Pausing Python's cyclic garbage collector while a run builds millions of objects.

Replaying a large history allocates an event per row and a record per customer; with the
collector on, every few thousand allocations it walks all of them again (a third of the
time of a 1M-event replay). What the engine builds holds no reference cycles, so nothing
waits for the collector: it is paused for the run and restored as it was afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (reference counting still frees
    memory); the collector is switched back on after it if it was on before."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
