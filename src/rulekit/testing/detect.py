"""Telling a policy test file from a policy by its top-level `tests:` key, and the folders a
search for test files leaves out: `rulekit validate` asks this of every file it is given, and
needs the rest of `rulekit.testing.cases` only when one is a test file."""

from __future__ import annotations

import os

SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}


def looks_like_test_file(path: str | os.PathLike[str]) -> bool:
    """True if the file's top level has a `tests:` key (a found file without one is skipped)."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return True  # let load() report it
    return any(line.startswith(("tests:", '"tests":', "'tests':")) for line in text.splitlines())
