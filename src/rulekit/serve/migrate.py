"""Alembic migrations of the ledger, shipped in the package and run in-process."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from rulekit.serve.database import lock

HERE = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    return config


def head() -> str | None:
    """The newest revision shipped with this rulekit."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: no ledger yet)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> bool:
    """Bring the ledger's schema to the newest revision; True if anything was done."""
    if current(engine) == head():
        return False
    config = _config()
    with engine.begin() as conn:
        lock(conn)  # two processes starting at once: one migrates, the other sees it done
        if MigrationContext.configure(conn).get_current_revision() == head():
            return False
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return True
