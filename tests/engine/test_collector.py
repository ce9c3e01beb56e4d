"""The paused collector leaves what a block built collectable as usual: a long-lived process
(a sweep's worker, the service, a library user replaying again and again) must not keep the
cyclic garbage of every run until some rare full collection."""

from __future__ import annotations

import gc
import weakref

from rulekit.engine.core import collector


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_a_cycle_built_while_paused_is_freed_by_the_young_collections() -> None:
    assert gc.isenabled()  # as in a long-lived process: the collector is on
    with collector.paused():
        node = _Node()
        gone = weakref.ref(node)
        del node
    for _ in range(20):  # what allocating does: young collections, never a full one
        gc.collect(0)
        gc.collect(1)
    assert gone() is None
