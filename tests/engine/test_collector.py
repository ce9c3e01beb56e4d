"""The paused collector: switched back on as it was, what the block built moved to the oldest
generation (no young collection walks it again), a user's own `gc.freeze` left alone. A cycle
built while paused is freed by the next full collection (runs build none: test_no_cycles)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from rulekit.engine.core import collector


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


class _Marker:
    """An object the collector tracks (an instance with a __dict__)."""


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    """As in a long-lived process: the collector on, nothing frozen (restored after)."""
    was_on = gc.isenabled()
    gc.enable()
    assert gc.get_freeze_count() == 0
    try:
        yield
    finally:
        gc.unfreeze()
        if not was_on:
            gc.disable()


def _generation(obj: object) -> int | None:
    """The generation the collector keeps `obj` in (None: frozen or untracked)."""
    for generation in range(3):
        if any(o is obj for o in gc.get_objects(generation=generation)):
            return generation
    return None


def test_what_a_block_built_goes_to_the_oldest_generation() -> None:
    with collector.paused():
        marker = _Marker()
        built = [[i] for i in range(10_000)]  # as a run: many objects, no collection
    assert gc.isenabled()
    assert gc.get_count()[0] < 100  # no young collection due: nothing young to walk
    assert gc.get_freeze_count() == 0  # moved on, not left frozen
    assert _generation(marker) == 2
    assert _generation(built[-1]) == 2


def test_a_cycle_built_while_paused_is_freed_by_a_full_collection() -> None:
    with collector.paused():
        node = _Node()
        gone = weakref.ref(node)
        del node
    gc.collect(0)
    gc.collect(1)
    assert gone() is not None  # in the oldest generation: young collections do not see it
    gc.collect()
    assert gone() is None


def test_a_users_frozen_objects_stay_frozen() -> None:
    frozen = _Marker()
    gc.freeze()
    count = gc.get_freeze_count()
    with collector.paused():
        _Marker()
    assert gc.isenabled()
    assert gc.get_freeze_count() == count
    assert _generation(frozen) is None  # still frozen


def test_a_collector_off_before_stays_off_and_nothing_moves() -> None:
    gc.disable()
    with collector.paused():
        young = _Marker()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert _generation(young) == 0


def test_nested_blocks_switch_the_collector_back_on_once_at_the_end() -> None:
    with collector.paused():
        with collector.paused():
            inner = _Marker()
        assert not gc.isenabled()
        assert _generation(inner) == 0
    assert gc.isenabled()
    assert _generation(inner) == 2


def test_the_collector_is_switched_back_on_after_an_error() -> None:
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("boom")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
