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
    """Return the policy that `overlay` makes of `base` (neither input is changed)."""
    positions = dict(base.positions)
    data = _merge_value(base.data, overlay.data, (), positions, overlay)
    if isinstance(data, dict):
        for key in OWN_KEYS:
            data.pop(key, None)
            _drop(positions, (key,))
    return Document(data, positions, overlay.source)


def _merge_value(
    base: Any, over: Any, path: Path, positions: dict[Path, Any], overlay: Document
) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        if path in overlay.positions:
            positions[path] = overlay.positions[path]
        for key, value in over.items():
            child = (*path, key)
            if value is None:
                out.pop(key, None)
                _drop(positions, child)
            elif key in out:
                out[key] = _merge_value(out[key], value, child, positions, overlay)
            else:
                out[key] = value
                _copy(positions, overlay.positions, child)
        return out
    _drop(positions, path)
    _copy(positions, overlay.positions, path)
    return over


def _drop(positions: dict[Path, Any], path: Path) -> None:
    n = len(path)
    for key in [k for k in positions if k[:n] == path]:
        del positions[key]


def _copy(positions: dict[Path, Any], source: dict[Path, Any], path: Path) -> None:
    n = len(path)
    for key, value in source.items():
        if key[:n] == path:
            positions[key] = value
