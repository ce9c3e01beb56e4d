"""Shared fixtures: paths of the shipped policies and a helper to write policy files."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POLICY = ROOT / "policy" / "4321-dcbao.yaml"
EXAMPLES = ROOT / "examples"


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a dedented policy text to tmp_path/NAME and return its path."""

    def _write(text: str, name: str = "policy.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


def overlay(body: str, *, id: str = "client", version: str = "1.0.0") -> str:
    """An overlay of the default policy with `body` appended (body is dedented)."""
    head = f"rulekit: 1\nid: {id}\nversion: {version}\nextends: 4321-dcbao@1\n"
    return head + textwrap.dedent(body).lstrip("\n")


def history_generator() -> ModuleType:
    """The benchmarks' seeded history generator (`generate`, `write_csv`)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module("history")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def generated_history(path: Path, events: int, customers: int, *, reps: int, seed: int) -> Path:
    """Write a seeded history of the default policy (`history_generator`) to `path`."""
    generator = history_generator()
    generator.write_csv(str(path), generator.generate(events, customers, reps=reps, seed=seed))
    return path


def python_output(code: str) -> str:
    """What a fresh interpreter prints running `code` in the project folder (what a module
    imports or builds as a process starts)."""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()
