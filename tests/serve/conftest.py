"""Fixtures of the service's tests: the ledger URL on SQLite and on a throwaway Postgres."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serve import pgserver


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throwaway Postgres (skipped, with the reason, where none can run)."""
    reason = pgserver.why_not()
    if reason is not None:
        if os.environ.get("RULEKIT_REQUIRE_PG"):  # CI: Postgres must run, not skip
            pytest.fail(f"RULEKIT_REQUIRE_PG is set but {reason}")
        pytest.skip(reason)
    with pgserver.throwaway() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty ledger URL on each database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    url = request.getfixturevalue("pg_url")
    pgserver.reset(url)
    yield url
    pgserver.reset(url)
