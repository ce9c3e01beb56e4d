"""Connections to the ledger's database, and the single-writer lock.

- SQLite (`sqlite:///PATH`): WAL journal (readers never wait for the writer); `synchronous`
  NORMAL by default (a committed entry survives a crash or kill of the process; FULL, with
  `RULEKIT_SQLITE_SYNC=FULL`, also a crash of the machine, at an fsync per commit); every
  write transaction opened with `BEGIN IMMEDIATE`, which takes the database's write lock at
  once, so two processes never interleave inside a write. Writers of one file first queue on
  an advisory file lock (`PATH.lock`): a waiting process wakes the moment the other commits
  instead of polling SQLite's busy handler.
- Postgres (`postgresql://...`, driven by psycopg 3): every write transaction first takes
  `pg_advisory_xact_lock`, held until commit or rollback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Engine, Table, create_engine, event, text
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
        sync = os.environ.get("RULEKIT_SQLITE_SYNC", "NORMAL").upper()
        cursor.execute(f"PRAGMA synchronous={'FULL' if sync == 'FULL' else 'NORMAL'}")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # a reader (execution option `reading`) needs no lock: WAL gives it a snapshot
        reading = conn.get_execution_options().get("reading", False)
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine


@contextmanager
def writer_queue(engine: Engine) -> Iterator[None]:
    """Queue the writers of one SQLite file on a file lock (nothing to do for Postgres)."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or fcntl is None:
        yield
        return
    with open(path + ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def upsert(conn: Connection, table: Table, rows: list[dict[str, Any]], key: str) -> None:
    """Insert rows, replacing those with the same `key` (one statement on either database)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg = pg_insert(table)
        columns = {c: pg.excluded[c] for c in rows[0] if c != key}
        conn.execute(pg.on_conflict_do_update(index_elements=[key], set_=columns), rows)
        return
    from sqlalchemy.dialects.sqlite import insert as lite_insert

    lite = lite_insert(table)
    columns = {c: lite.excluded[c] for c in rows[0] if c != key}
    conn.execute(lite.on_conflict_do_update(index_elements=[key], set_=columns), rows)


def lock(conn: Connection) -> None:
    """Take the single-writer lock inside a transaction (until it ends).

    SQLite's `BEGIN IMMEDIATE` already holds the write lock; Postgres takes an advisory lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
