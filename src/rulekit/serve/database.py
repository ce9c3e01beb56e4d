"""Connections to the ledger's database, and the single-writer lock.

- SQLite (`sqlite:///PATH`): WAL journal (readers never wait for the writer), full sync
  (a committed entry survives a crash of the machine, not only of the process), and every
  transaction opened with `BEGIN IMMEDIATE`: it takes the database's write lock at once, so
  two processes never interleave inside a write.
- Postgres (`postgresql://...`, driven by psycopg 3): every write transaction first takes
  `pg_advisory_xact_lock`, held until commit or rollback.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_URL = "sqlite:///rulekit.db"
LOCK_KEY = 4321_0001  # the advisory lock every writer of a Postgres ledger takes


class DatabaseError(Exception):
    """The ledger's database cannot be used: a message and a hint for the user."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def driver_url(url: str) -> str:
    """The SQLAlchemy URL of a ledger URL: `postgresql://` is driven by psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def connect(url: str) -> Engine:
    """An engine for a ledger URL (`sqlite:///PATH` or `postgresql://...`)."""
    target = driver_url(url)
    try:
        parsed = make_url(target)
    except ArgumentError:
        raise DatabaseError(
            f"`{url}` is not a database URL",
            "write sqlite:///rulekit.db or postgresql://user:password@host:5432/name",
        ) from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(target, parsed.database)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(target, pool_size=8, max_overflow=8, pool_pre_ping=True)
    raise DatabaseError(
        f"`{redact(url)}`: rulekit keeps its ledger in SQLite or Postgres",
        "write sqlite:///rulekit.db or postgresql://user:password@host:5432/name",
    )


def _sqlite(url: str, path: str | None) -> Engine:
    if path and path != ":memory:":
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise DatabaseError(
                f"{path}: the folder {folder} does not exist", "create it, or name another file"
            )
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # transactions are begun below, not by the driver
        cursor = dbapi.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # a reader (execution option `reading`) needs no lock: WAL gives it a snapshot
        reading = conn.get_execution_options().get("reading", False)
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine


def lock(conn: Connection) -> None:
    """Take the single-writer lock inside a transaction (until it ends).

    SQLite's `BEGIN IMMEDIATE` already holds the write lock; Postgres takes an advisory lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
