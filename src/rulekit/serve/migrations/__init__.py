"""The ledger's Alembic migrations (`env.py` runs them on rulekit's connection)."""
