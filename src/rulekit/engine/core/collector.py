"""Pausing Python's cyclic garbage collector while a run builds millions of objects.

Replaying a large history allocates an event per row and a record per customer; with the
collector on, every few thousand allocations it walks all of them again (a third of the
time of a 1M-event replay). What the engine builds holds no reference cycles (a replayer,
its rule runner and the specialised loop keep no bound method or closure that leads back
to them; tests/engine/test_no_cycles.py checks it), so nothing waits for the collector: it
is paused for the run and switched back on afterwards.

Switched back on, the collector would still walk what the run left, once per generation
(the young collection the next allocation sets off: 0.3 s after a 1M-event replay). So at
the end of a paused block what it built (with whatever was young before it) goes straight
to the oldest generation, as if it had survived the young collections, without a walk
(`gc.freeze` then `gc.unfreeze`: two list splices). It is safe because a run leaves no
cyclic garbage: reference counting frees all of it. A cycle someone else built in the block
waits for the next full collection (as long-lived objects do), not the next young one.
Nothing is moved when the collector was off before the block (nothing would collect it
anyway) or when objects are frozen (`unfreeze` would let a user's own `gc.freeze` go).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (reference counting still frees
    memory); if it was on before, what the block built goes to the oldest generation and the
    collector is switched back on."""
    was_on = gc.isenabled()
    promote = was_on and gc.get_freeze_count() == 0
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            if promote and gc.get_freeze_count() == 0:
                gc.freeze()  # every generation into the permanent one, then all of it
                gc.unfreeze()  # into the oldest: no young collection walks them
            gc.enable()
