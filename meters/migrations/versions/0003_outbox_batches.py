"""the outbox is partitioned by batch on PostgreSQL: a day's daily messages are one partition

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 03:00:00

Every outbox row gets a `batch`: `daily_usage:<day>` for the daily messages of that day, '' for
every other message. On PostgreSQL the outbox becomes a table partitioned by that column: the
live partition holds the other messages, and a day's fan-out fills a partition of its own,
unindexed, then indexes and attaches it (meters/outbox_days.py). Its primary key and dedup key
include the batch, as a partitioned table's unique keys must; the batch is a function of the
dedup key, so the key stays unique. SQLite keeps one table and gains the column and the
(dedup_key, batch) key that ON CONFLICT names on both engines.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = (
    "id, dedup_key, kind, channel, bucket, chat_user_id, customer_id, payload, priority, status,"
    " not_before, expires_at, attempts, lease_until, claimed_by, sent_at, last_error, created_at"
)
OUTBOX_INDEXES = (
    "pk_outbox",
    "uq_outbox_dedup_key",
    "ix_outbox_chat_user_id",
    "ix_outbox_claimable",
    "ix_outbox_leased",
)
DAY_KEY = re.compile(r"^daily_usage:(\d{4})-(\d\d)-(\d\d)$")


def upgrade() -> None:
    """Apply this revision."""
    if op.get_context().dialect.name != "postgresql":
        with op.batch_alter_table("outbox", schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("batch", sa.String(length=48), nullable=False, server_default="")
            )
        op.execute(
            "UPDATE outbox SET batch = 'daily_usage:' || substr(dedup_key, 13, 10)"
            " WHERE kind = 'daily_usage'"
            " AND dedup_key GLOB 'daily_usage:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]:*'"
        )
        op.create_index("uq_outbox_dedup_key_batch", "outbox", ["dedup_key", "batch"], unique=True)
        _create_fan_out_pages()
        return
    op.execute("ALTER SEQUENCE outbox_id_seq OWNED BY NONE")
    op.execute("ALTER TABLE outbox RENAME TO outbox_unpartitioned")
    for name in OUTBOX_INDEXES:
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_unpartitioned")
    op.execute(
        "CREATE TABLE outbox (LIKE outbox_unpartitioned INCLUDING DEFAULTS,"
        " batch VARCHAR(48) NOT NULL DEFAULT '') PARTITION BY LIST (batch)"
    )
    op.execute("ALTER SEQUENCE outbox_id_seq OWNED BY outbox.id")
    _create_keys_and_indexes()
    op.execute("CREATE TABLE outbox_live PARTITION OF outbox FOR VALUES IN ('')")
    batch = (
        "CASE WHEN kind = 'daily_usage' AND dedup_key ~ '^daily_usage:\\d{4}-\\d\\d-\\d\\d:'"
        " THEN 'daily_usage:' || split_part(dedup_key, ':', 2) ELSE '' END"
    )
    days = op.get_bind().exec_driver_sql(
        f"SELECT DISTINCT {batch} FROM outbox_unpartitioned"  # noqa: S608 - constant SQL
    )
    for (value,) in days:
        match = DAY_KEY.match(value)
        if match:
            name = "outbox_daily_" + "".join(match.groups())
            op.execute(f"CREATE TABLE {name} PARTITION OF outbox FOR VALUES IN ('{value}')")
    op.execute(
        f"INSERT INTO outbox ({COLUMNS}, batch)"  # noqa: S608 - constant SQL
        f" SELECT {COLUMNS}, {batch} FROM outbox_unpartitioned"
    )
    op.execute("DROP TABLE outbox_unpartitioned")
    _create_fan_out_pages()


def _create_keys_and_indexes() -> None:
    op.execute("ALTER TABLE outbox ADD CONSTRAINT pk_outbox PRIMARY KEY (id, batch)")
    op.execute("ALTER TABLE outbox ADD CONSTRAINT uq_outbox_dedup_key UNIQUE (dedup_key, batch)")
    op.execute("CREATE INDEX ix_outbox_chat_user_id ON outbox (chat_user_id)")
    op.execute(
        "CREATE INDEX ix_outbox_claimable ON outbox (bucket, priority, not_before, id)"
        " WHERE status = 'pending'"
    )
    op.execute("CREATE INDEX ix_outbox_leased ON outbox (lease_until) WHERE status = 'sending'")


def _create_fan_out_pages() -> None:
    op.create_table(
        "fan_out_pages",
        sa.Column("batch", sa.String(length=48), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("batch", "first_id", name=op.f("pk_fan_out_pages")),
    )


def downgrade() -> None:
    """Revert this revision: one table again, every batch's rows in it."""
    op.drop_table("fan_out_pages")
    if op.get_context().dialect.name != "postgresql":
        op.drop_index("uq_outbox_dedup_key_batch", table_name="outbox")
        with op.batch_alter_table("outbox", schema=None) as batch_op:
            batch_op.drop_column("batch")
        return
    op.execute("ALTER SEQUENCE outbox_id_seq OWNED BY NONE")
    op.execute("ALTER TABLE outbox RENAME TO outbox_partitioned")
    for name in OUTBOX_INDEXES:
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_partitioned")
    op.execute("CREATE TABLE outbox (LIKE outbox_partitioned INCLUDING DEFAULTS)")
    op.execute("ALTER TABLE outbox DROP COLUMN batch")
    op.execute("ALTER SEQUENCE outbox_id_seq OWNED BY outbox.id")
    op.execute(
        f"INSERT INTO outbox ({COLUMNS})"  # noqa: S608 - constant SQL
        f" SELECT {COLUMNS} FROM outbox_partitioned"
    )
    op.execute("DROP TABLE outbox_partitioned CASCADE")
    op.execute("ALTER TABLE outbox ADD CONSTRAINT pk_outbox PRIMARY KEY (id)")
    op.execute("ALTER TABLE outbox ADD CONSTRAINT uq_outbox_dedup_key UNIQUE (dedup_key)")
    op.execute("CREATE INDEX ix_outbox_chat_user_id ON outbox (chat_user_id)")
    op.execute(
        "CREATE INDEX ix_outbox_claimable ON outbox (bucket, priority, not_before, id)"
        " WHERE status = 'pending'"
    )
    op.execute("CREATE INDEX ix_outbox_leased ON outbox (lease_until) WHERE status = 'sending'")
