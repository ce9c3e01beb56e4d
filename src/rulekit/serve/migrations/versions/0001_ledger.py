"""The ledger: log, policy versions, current-state tables, settings.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("customer", sa.String(200), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("stage", sa.String(20)),
        sa.Column("target", sa.String(200)),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("applied", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(40)),
        sa.Column("state", sa.String(40)),
        sa.Column("policy_version", sa.Integer, nullable=False),
    )
    op.create_index("log_customer", "log", ["customer", "seq"])
    op.create_table(
        "policy_versions",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("policy_id", sa.String(200), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("from_seq", sa.BigInteger, nullable=False),
        sa.Column("deployed_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "customers",
        sa.Column("customer", sa.String(200), primary_key=True),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(200)),
        sa.Column("pending_owner", sa.String(200)),
        sa.Column("stage", sa.String(20)),
        sa.Column("state_since", sa.String(40)),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.create_index("customers_owner", "customers", ["owner"])
    op.create_table(
        "reps",
        sa.Column("rep", sa.String(200), primary_key=True),
        sa.Column("slots_used", sa.Integer, nullable=False),
        sa.Column("slot_limit", sa.Integer),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for name in ("meta", "reps", "customers", "policy_versions", "log"):
        op.drop_table(name)
