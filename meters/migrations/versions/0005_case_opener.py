"""a case says who opened it: the customer, or the bot by itself

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:00:00

Cases the customer never asked for are kept out of their request list and, when nobody worked
on them, out of the console's closed list (docs/agents.md). Before this revision the bot opened
a case by itself on a hazard, on a complaint about abnormal use and on the second
misunderstood message, and those are the cases with those reasons: they are marked "bot".
(A customer who asked right after such a moment got the same reason; they were few.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("handoff_cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("opened_by", sa.String(length=16), server_default="customer", nullable=False)
        )
    op.execute(
        "UPDATE handoff_cases SET opened_by = 'bot'"
        " WHERE reason IN ('misunderstood', 'abnormal', 'hazard')"
    )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("handoff_cases", schema=None) as batch_op:
        batch_op.drop_column("opened_by")
