"""Overlays: merge a client's policy into the base it `extends`, keeping where each value came from.

An overlay entry merges into the base entry of the same name, key by key and all the way
down; `null` deletes an entry; lists and plain values replace. Positions travel with the
values, so a diagnostic on the merged policy points at the file and line that set the value.
"""

from __future__ import annotations

from typing import Any

from rulekit.policy.yamlsrc import Document, Path

#: keys that belong to one file and are never inherited from a base.
OWN_KEYS = ("extends",)


def merge(base: Document, overlay: Document) -> Document:
    """Return the policy that `overlay` makes of `base` (neither input is changed).

    Linear in the size of both documents: the merge records which paths the overlay
    replaced, deleted or merged into, and the positions are then taken in one pass over each
    document (a base position survives unless a path above it, or itself, was replaced or
    deleted; an overlay position is taken under a replaced path, or for a merged mapping)."""
    replaced: set[Path] = set()  # the overlay's value stands here (and below)
    dropped: set[Path] = set()  # deleted by a null, or an own key
    merged: set[Path] = set()  # both were mappings: merged key by key
    data = _merge_value(base.data, overlay.data, (), replaced, dropped, merged)
    if isinstance(data, dict):
        for key in OWN_KEYS:
            data.pop(key, None)
            dropped.add((key,))
    gone = replaced | dropped
    positions = {path: loc for path, loc in base.positions.items() if not _under(path, gone)}
    own: set[Path] = {(key,) for key in OWN_KEYS}
    for path, loc in overlay.positions.items():
        if (_under(path, replaced) and not _under(path, own)) or path in merged:
            positions[path] = loc
    return Document(data, positions, overlay.source)


def _under(path: Path, prefixes: set[Path]) -> bool:
    """True if `path` or one of its ancestors is in `prefixes`."""
    if prefixes:
        for n in range(len(path) + 1):
            if path[:n] in prefixes:
                return True
    return False


def _merge_value(
    base: Any,
    over: Any,
    path: Path,
    replaced: set[Path],
    dropped: set[Path],
    merged: set[Path],
) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        merged.add(path)
        for key, value in over.items():
            child = (*path, key)
            if value is None:
                out.pop(key, None)
                dropped.add(child)
            elif key in out:
                out[key] = _merge_value(out[key], value, child, replaced, dropped, merged)
            else:
                out[key] = value
                replaced.add(child)
        return out
    replaced.add(path)
    return over
