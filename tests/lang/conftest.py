"""Fixtures for the condition-language tests."""

from __future__ import annotations

import pytest
from lang_helpers import make_scope

from rulekit.lang import Scope
from rulekit.source import Span


@pytest.fixture
def scope() -> Scope:
    return make_scope()


@pytest.fixture
def locate():  # type: ignore[no-untyped-def]
    def loc(start: int, end: int) -> Span:
        # one-line "file": the column is the offset + 1
        return Span("p.yaml", 1, start + 1, 1, end + 1)

    return loc
