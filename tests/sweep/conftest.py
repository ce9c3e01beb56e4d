"""Shared inputs of the sweep tests: a small generated history and a baseline overlay."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import history_generator, overlay

AS_OF = "2026-03-01"

BASELINE = overlay(
    """
    quota: {limit: 12}
    transitions:
      lapse: {after: 60d}
    rules:
      recycle:
        when: "state in [new, D] and days_since(last_activity_at) > 40"
        do: release
    """,
    id="sweep-base",
    version="1.2.0",
)


@pytest.fixture(scope="session")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 3,000 events over 300 customers and 10 reps (the benchmarks' generator)."""
    generator = history_generator()
    generate, write_csv = generator.generate, generator.write_csv
    path = tmp_path_factory.mktemp("sweep-history") / "history.csv"
    write_csv(str(path), generate(3000, 300, reps=10, seed=11))
    return path


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sweep-policy") / "policy.yaml"
    path.write_text(BASELINE, encoding="utf-8")
    return path
