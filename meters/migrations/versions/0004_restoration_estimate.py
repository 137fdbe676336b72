"""a service request (an incident report) may carry when the power is expected back

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:00:00

`service_requests.expected_at`: the moment the power company expects to restore the supply of
an incident it is handling (requests.csv's optional `expected_at`), NULL when it has not said.
The conversation's answer to "khi nào có điện lại" reads it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import meters.timestamps

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expected_at", meters.timestamps.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.drop_column("expected_at")
