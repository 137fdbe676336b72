"""case messages keep the file a customer sent

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("case_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("file_source", sa.String(length=1100), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("case_messages", schema=None) as batch_op:
        batch_op.drop_column("file_source")
        batch_op.drop_column("file_kind")
