"""Alembic's environment for the ledger: run on the connection `rulekit` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from rulekit.serve.tables import metadata

connection: Connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
