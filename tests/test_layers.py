"""The package's shape (docs/architecture.md): layers, one direction, no import cycle, short files.

A module imports only from its own layer or below; inside the engine, the subpackages form
their own order (core → input → replay → snapshot → result → columnar → runner). No module
imports, even only for type checking or inside a function, a module that imports it back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parent.parent / "src" / "rulekit"
MAX_LINES = 500

LAYERS: list[tuple[int, tuple[str, ...]]] = [
    (
        0,
        (
            "rulekit.source",
            "rulekit.diagnostics",
            "rulekit.timeutil",
            "rulekit.safeio",
            "rulekit.digest",
            "rulekit.record",
        ),
    ),
    (1, ("rulekit.policy", "rulekit.lang")),
    (2, ("rulekit.graph", "rulekit.names")),
    (3, ("rulekit.compiler",)),
    (4, ("rulekit.engine", "rulekit.tables")),
    (
        5,
        (
            "rulekit.report",
            "rulekit.analysis",
            "rulekit.simulate",
            "rulekit.authoring",
            "rulekit.sweep",
            "rulekit.profile",
            "rulekit.simulate",
            "rulekit.authoring",
        ),
    ),
    (6, ("rulekit.api", "rulekit.testing", "rulekit.serve")),
    (7, ("rulekit.cli",)),
]

ENGINE = [
    "rulekit.engine.core",
    "rulekit.engine.input",
    "rulekit.engine.replay",
    "rulekit.engine.snapshot",
    "rulekit.engine.result",
    "rulekit.engine.columnar",
    "rulekit.engine.runner",
]


def _level(module: str, prefixes: list[tuple[int, tuple[str, ...]]]) -> int | None:
    for level, names in prefixes:
        if any(module == p or module.startswith(p + ".") for p in names):
            return level
    return None


def layer_of(module: str) -> int | None:
    return _level(module, LAYERS)


def engine_level_of(module: str) -> int | None:
    return _level(module, [(i, (p,)) for i, p in enumerate(ENGINE)])


def modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        out[".".join(rel.parts).removesuffix(".__init__")] = path
    return out


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every rulekit module `path` imports: at the top, in functions, under TYPE_CHECKING,
    absolute or relative; `from package import module` counts as importing the module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in known else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m.startswith("rulekit.") and m != name}


def import_graph() -> nx.DiGraph:
    known = modules()
    graph = nx.DiGraph()
    for name, path in known.items():
        graph.add_node(name)
        for imported in imports_of(name, path, known):
            if imported in known:
                graph.add_edge(name, imported)
    return graph


def test_every_module_has_a_layer() -> None:
    missing = [name for name in modules() if name != "rulekit" and layer_of(name) is None]
    assert missing == []


def test_every_engine_module_has_an_engine_layer() -> None:
    engine = [n for n in modules() if n.startswith("rulekit.engine.")]
    assert engine and [n for n in engine if engine_level_of(n) is None] == []


def test_imports_go_down_the_layers() -> None:
    wrong = []
    for name, imported in import_graph().edges:
        own, level = layer_of(name), layer_of(imported)
        if own is not None and level is not None and level > own:
            wrong.append(f"{name} (L{own}) imports {imported} (L{level})")
    assert wrong == []


def test_engine_subpackages_go_one_way() -> None:
    wrong = []
    for name, imported in import_graph().edges:
        own, level = engine_level_of(name), engine_level_of(imported)
        if own is not None and level is not None and level > own:
            wrong.append(f"{name} imports {imported} ({ENGINE[level]} is above {ENGINE[own]})")
    assert wrong == []


def test_no_import_cycle() -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert cycles == []


def test_the_cycle_test_sees_a_cycle(tmp_path: Path) -> None:
    """The graph counts lazy and type-only imports: a module pair that does is a cycle."""
    a = tmp_path / "a.py"
    b = tmp_path / "b.py"
    a.write_text("def f():\n    from rulekit.b import g\n", encoding="utf-8")
    b.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from rulekit.a import f\n",
        encoding="utf-8",
    )
    known = {"rulekit.a": a, "rulekit.b": b}
    assert imports_of("rulekit.a", a, known) == {"rulekit.b"}
    assert imports_of("rulekit.b", b, known) == {"rulekit.a"}


def test_no_source_file_over_the_limit() -> None:
    long = {
        str(path.relative_to(SRC)): n
        for path in SRC.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_package_says_what_it_owns() -> None:
    silent = [
        str(init.relative_to(SRC))
        for init in SRC.rglob("__init__.py")
        if ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) is None
    ]
    assert silent == []
