"""The layers of ARCHITECTURE.md: a module imports only from its own layer or below."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "rulekit"

LAYERS: list[tuple[int, tuple[str, ...]]] = [
    (0, ("rulekit.source", "rulekit.diagnostics", "rulekit.timeutil")),
    (1, ("rulekit.policy", "rulekit.lang")),
    (2, ("rulekit.graph", "rulekit.names")),
    (3, ("rulekit.compiler",)),
    (4, ("rulekit.engine", "rulekit.tables")),
    (
        5,
        (
            "rulekit.report",
            "rulekit.explain",
            "rulekit.simulate",
            "rulekit.dryrun",
            "rulekit.diff",
            "rulekit.show",
            "rulekit.coverage",
            "rulekit.scaffold",
            "rulekit.schema",
            "rulekit.fmt",
            "rulekit.watch",
        ),
    ),
    (6, ("rulekit.api", "rulekit.testing")),
    (7, ("rulekit.cli",)),
]


def layer_of(module: str) -> int | None:
    for level, prefixes in LAYERS:
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return level
    return None


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        out.append((name, path))
    return out


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m.startswith("rulekit.")}


def test_every_module_has_a_layer() -> None:
    missing = [name for name, _ in modules() if name != "rulekit" and layer_of(name) is None]
    assert missing == []


def test_imports_go_down_the_layers() -> None:
    wrong = []
    for name, path in modules():
        own = layer_of(name)
        if own is None:
            continue
        for imported in imports_of(path):
            level = layer_of(imported)
            if level is not None and level > own:
                wrong.append(f"{name} (L{own}) imports {imported} (L{level})")
    assert wrong == []
