"""`rulekit serve`: the live decision service and its ledger (SQLite or Postgres).

- `engine_bridge`: the engine, driven one event or instant at a time (the only module that
  reads engine internals).
- `tables`, `database`, `migrate`: the ledger's schema, connections and Alembic migrations.
- `ledger`: the log and current-state tables, written under one lock (race safety).
- `auth`, `requests`, `app`, `openapi`, `console`: the HTTP service.
- `history`, `deploy`: import and export of histories, switching policy versions.
"""
