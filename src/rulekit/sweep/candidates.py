"""Candidates of a sweep: the baseline with some entries set, as an overlay, checked like a policy.

A candidate's overlay is a document holding only the varied entries, merged into the baseline
with the overlay merge every `extends:` goes through, so a candidate is exactly the policy an
overlay file setting those entries would make. Each value's position is its text in the
`--vary` option: a value that makes the policy invalid is reported there.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rulekit.compiler import CompiledPolicy, compile_document
from rulekit.diagnostics import Diagnostic
from rulekit.policy.overlay import merge
from rulekit.policy.yamlsrc import Document, Located, Path
from rulekit.sweep.grid import Axis


@dataclass(slots=True)
class Candidate:
    """One point of the grid: its values, its overlay, and the compiled policy or why not."""

    index: int  # place in grid order
    params: dict[str, Any]  # dotted path -> value
    overlay: Document
    policy: CompiledPolicy | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.policy is not None


def overlay_data(base: Any, sets: Sequence[tuple[Path, Any]]) -> dict[str, Any]:
    """The overlay that sets each (path, value) of `base`: nested mappings down to the entry;
    a list on the way is copied whole with the entry replaced (an overlay replaces lists)."""
    data: dict[str, Any] = {}
    for path, value in sets:
        node: Any = data
        under: Any = base
        for part in path[:-1]:
            under = under[part]
            existing = node[int(part)] if isinstance(node, list) else node.get(part)
            if existing is None:
                existing = copy.deepcopy(under) if isinstance(under, list) else {}
                node[part] = existing
            node = existing
        node[path[-1]] = value
    return data


def overlay_document(base: Document, axes: Sequence[Axis], picks: Sequence[int]) -> Document:
    """The overlay of one grid point (`picks[i]` indexes `axes[i].values`)."""
    sets = [(axis.path, axis.values[k]) for axis, k in zip(axes, picks, strict=True)]
    positions: dict[Path, Located] = {}
    for axis, k in zip(axes, picks, strict=True):
        start, end = axis.spans[k]
        positions[axis.path] = Located(axis.source, start, end, key=(0, len(axis.name)))
    return Document(overlay_data(base.data, sets), positions, base.source)


def compile_candidate(
    base: Document, files: tuple[str, ...], overlay: Document
) -> tuple[CompiledPolicy | None, list[Diagnostic]]:
    """Merge `overlay` into the baseline document and compile the result."""
    return compile_document(merge(base, overlay), files)


def candidates(
    baseline: CompiledPolicy, axes: Sequence[Axis], points: Sequence[Sequence[int]]
) -> list[Candidate]:
    """Build and check every grid point; an invalid one keeps its error diagnostics."""
    out = []
    for index, picks in enumerate(points):
        params = {axis.name: axis.values[k] for axis, k in zip(axes, picks, strict=True)}
        doc = overlay_document(baseline.document, axes, picks)
        policy, diags = compile_candidate(baseline.document, baseline.files, doc)
        errors = [d for d in diags if d.is_error]
        out.append(Candidate(index, params, doc, policy, errors))
    return out
