"""A semantic diff of two resolved policies: what a change does to the rules, entry by entry.

Not a text diff: overlays are merged first, so `quota.limit 50 → 30` shows whether the number
came from the base or the overlay, and formatting or key order never shows up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rulekit.compiler import CompiledPolicy
from rulekit.policy.yamlsrc import Path
from rulekit.source import Span

#: sections whose entries are named: an entry is added or removed as a whole.
NAMED = (
    "fields",
    "events",
    "stages",
    "states",
    "transitions",
    "rules",
    "counters",
    "quotas",
    "metrics",
)
#: keys that say which policy this is rather than what it does.
IDENTITY = ("rulekit", "id", "version", "title", "description")


@dataclass(frozen=True, slots=True)
class DiffItem:
    """One difference: `kind` is added, removed or changed."""

    path: Path
    kind: str
    old: Any
    new: Any
    span: Span | None = None  # where the candidate sets it (for changes and additions)

    @property
    def dotted(self) -> str:
        """The path as `transitions.lapse.after`."""
        return ".".join(str(p) for p in self.path)

    def describe(self) -> str:
        """One line: `quota.limit 50 → 30`, `rules.recycle added`."""
        if self.kind == "added":
            return f"{self.dotted} added" + ("" if _is_entry(self.path) else f": {_show(self.new)}")
        if self.kind == "removed":
            return f"{self.dotted} removed" + (
                "" if _is_entry(self.path) else f" (was {_show(self.old)})"
            )
        line = f"{self.dotted} {_show(self.old)} → {_show(self.new)}"
        inside = within(self.old, self.new)
        return f"{line} ({inside})" if inside else line

    def as_json(self) -> dict[str, Any]:
        """JSON form: path, kind, old, new, file and line of the new value."""
        return {
            "path": self.dotted,
            "kind": self.kind,
            "old": self.old,
            "new": self.new,
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
        }


def _is_entry(path: Path) -> bool:
    return len(path) == 2 and path[0] in NAMED


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if " " in value else value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def diff(old: CompiledPolicy, new: CompiledPolicy, *, identity: bool = False) -> list[DiffItem]:
    """The differences from `old` to `new` (identity keys such as `version` only if asked)."""
    out: list[DiffItem] = []
    _walk(old.document.data, new.document.data, (), out, new)
    if not identity:
        out = [d for d in out if not (len(d.path) == 1 and d.path[0] in IDENTITY)]
    return out


def _walk(a: Any, b: Any, path: Path, out: list[DiffItem], new: CompiledPolicy) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            child = (*path, key)
            if key not in b:
                out.append(DiffItem(child, "removed", a[key], None))
            elif key not in a:
                out.append(DiffItem(child, "added", None, b[key], new.document.span(child)))
            else:
                _walk(a[key], b[key], child, out, new)
        return
    if a != b:
        out.append(DiffItem(path, "changed", a, b, new.document.span(path)))


def summary(items: list[DiffItem]) -> str:
    """All differences on one line, `·`-separated."""
    return " · ".join(d.describe() for d in items) if items else "no differences"


def within(old: Any, new: Any) -> str | None:
    """What changed inside a text (a condition): `21 → 14`, `C → B, 30 → 21`; None when the
    texts are not both strings of several words, or differ in more than three places."""
    import difflib
    import re

    if not (isinstance(old, str) and isinstance(new, str)) or " " not in old + new:
        return None
    split = re.compile(r"\w+|[^\w\s]+")
    a, b = split.findall(old), split.findall(new)
    spans = [
        (" ".join(a[i1:i2]) or "∅", " ".join(b[j1:j2]) or "∅")
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
        if tag != "equal"
    ]
    if not spans or len(spans) > 3:
        return None
    return ", ".join(f"{x} → {y}" for x, y in spans)
