"""shared rate limits and the webhooks' inbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:00:00

`rate_events` holds the events that sliding-window limits count across processes (sign-in
failures by address and user, code lookups); it replaces `agent_login_failures`, which counted
by user name only. `inbound_events` holds each webhook event from the moment it is acknowledged
until its replies are sent.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import meters.timestamps

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    moment = meters.timestamps.UtcDateTime(timezone=True)
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "rate_events",
        sa.Column("id", big_id, nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("at", moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_events")),
    )
    op.create_index("ix_rate_events_key_at", "rate_events", ["key", "at"])
    op.create_index("ix_rate_events_at", "rate_events", ["at"])
    op.create_table(
        "inbound_events",
        sa.Column("id", big_id, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_key", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", moment, nullable=False),
        sa.Column("replies", sa.JSON(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", moment, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_events")),
    )
    op.create_index("ix_inbound_events_chat", "inbound_events", ["channel", "chat_key", "id"])
    op.create_index("ix_inbound_events_lease_until", "inbound_events", ["lease_until"])
    with op.batch_alter_table("agent_login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_login_failures_username"))
    op.drop_table("agent_login_failures")


def downgrade() -> None:
    """Revert this revision."""
    op.create_table(
        "agent_login_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", meters.timestamps.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_login_failures")),
    )
    with op.batch_alter_table("agent_login_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agent_login_failures_username"), ["username"], unique=False
        )
    op.drop_table("inbound_events")
    op.drop_table("rate_events")
