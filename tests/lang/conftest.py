"""Fixtures for the condition-language tests.

The shared helpers live in `lang_helpers.py` beside this file; its folder is put on sys.path
so the test modules can import it whatever pytest's import mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lang_helpers import make_scope  # noqa: E402

from rulekit.lang import Scope  # noqa: E402
from rulekit.source import Span  # noqa: E402


@pytest.fixture
def scope() -> Scope:
    return make_scope()


@pytest.fixture
def locate():  # type: ignore[no-untyped-def]
    def loc(start: int, end: int) -> Span:
        # one-line "file": the column is the offset + 1
        return Span("p.yaml", 1, start + 1, 1, end + 1)

    return loc
