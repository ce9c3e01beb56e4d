"""The ledger's tables (SQLAlchemy Core): the append-only log, the policy versions, the
current-state tables derived from the log, and a small key/value table."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

#: every event (applied or refused), timer fired and rule action, in commit order
log = Table(
    "log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),  # ISO 8601, UTC
    Column("kind", String(8), nullable=False),  # event | timer | rule
    Column("customer", String(200), nullable=False),
    Column("type", String(100), nullable=False),
    Column("actor", String(200)),
    Column("stage", String(20)),
    Column("target", String(200)),  # an event's `to`
    Column("fields", Text, nullable=False, default="{}"),  # JSON: the event's other cells
    Column("applied", Boolean, nullable=False),
    Column("reason", String(40)),
    Column("state", String(40)),  # the customer's state after the entry
    Column("policy_version", Integer, nullable=False),
)

#: the policy versions the ledger has run, each from the entry `from_seq` on
policy_versions = Table(
    "policy_versions",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("policy_id", String(200), nullable=False),
    Column("version", String(100), nullable=False),
    Column("name", Text, nullable=False),  # where it was loaded from
    Column("source", Text, nullable=False),  # its text
    Column("from_seq", BigInteger, nullable=False),
    Column("deployed_at", String(40), nullable=False),  # ISO 8601, UTC
)

#: each customer's current state (derived from the log, written with it)
customers = Table(
    "customers",
    metadata,
    Column("customer", String(200), primary_key=True),
    Column("state", String(40), nullable=False),
    Column("owner", String(200)),
    Column("pending_owner", String(200)),
    Column("stage", String(20)),
    Column("state_since", String(40)),
    Column("flags", Text, nullable=False),  # JSON {"D": 0|1, ...}
    Column("seq", BigInteger, nullable=False),  # the last entry that changed it
)

#: each rep's slots (derived from the log, written with it)
reps = Table(
    "reps",
    metadata,
    Column("rep", String(200), primary_key=True),
    Column("slots_used", Integer, nullable=False),
    Column("slot_limit", Integer),
)

#: settings of the ledger: `clock` (the instant daily sweeps have run to), `people`
meta = Table(
    "meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)
