"""Issue 13, item 11: merging an overlay is linear in the size of the documents."""

from __future__ import annotations

import time
from typing import Any

from rulekit.policy.overlay import merge
from rulekit.policy.yamlsrc import Document


def _docs(n: int) -> tuple[Document, Document]:
    base_fields = {f"b{i}": {"type": "string"} for i in range(n)}
    over_fields: dict[str, Any] = {f"o{i}": {"type": "string"} for i in range(n)}
    over_fields["b0"] = None  # delete one
    over_fields["b1"] = {"type": "number"}  # change one
    base_pos: dict[Any, Any] = {(): "base", ("fields",): "base"}
    for i in range(n):
        base_pos[("fields", f"b{i}")] = "base"
        base_pos[("fields", f"b{i}", "type")] = "base"
    over_pos: dict[Any, Any] = {(): "over", ("fields",): "over", ("extends",): "over"}
    for i in range(n):
        over_pos[("fields", f"o{i}")] = "over"
        over_pos[("fields", f"o{i}", "type")] = "over"
    over_pos[("fields", "b1")] = "over"
    over_pos[("fields", "b1", "type")] = "over"
    base = Document({"fields": base_fields}, base_pos)
    over = Document({"extends": "x@1", "fields": over_fields}, over_pos)
    return base, over


def _timed(n: int) -> float:
    base, over = _docs(n)
    start = time.perf_counter()
    merge(base, over)
    return time.perf_counter() - start


def test_item11_merge_keeps_positions_right() -> None:
    base, over = _docs(3)
    out = merge(base, over)
    assert "b0" not in out.data["fields"] and out.data["fields"]["b1"] == {"type": "number"}
    assert "extends" not in out.data
    assert ("fields", "b0") not in out.positions and ("fields", "b0", "type") not in out.positions
    assert out.positions[("fields", "b1", "type")] == "over"
    assert out.positions[("fields", "b2", "type")] == "base"
    assert out.positions[("fields", "o2", "type")] == "over"
    assert out.positions[("fields",)] == "over" and ("extends",) not in out.positions


def test_item11_merge_is_linear() -> None:
    small = min(_timed(1_000) for _ in range(3))
    large = min(_timed(4_000) for _ in range(2))
    # four times the fields: about four times the time (a quadratic merge takes sixteen)
    assert large < 8 * small + 0.05, (small, large)
