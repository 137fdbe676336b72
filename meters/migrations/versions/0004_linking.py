"""request numbers taken atomically

Revision ID: 0004_linking
Revises: 0006
Create Date: 2026-12-04 09:00:00

`request_numbers` holds the last number of each year's service request codes (YC2026-000123),
taken by one upsert instead of a count of the year's requests, which gave two concurrent
transactions the same code on PostgreSQL. It starts from the highest number each year has.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0004_linking"
down_revision = "0006"
branch_labels = None
depends_on = None

_CODE = re.compile(r"^YC(\d{4})-(\d{1,9})$")


def upgrade() -> None:
    """Apply this revision."""
    numbers = op.create_table(
        "request_numbers",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_request_numbers")),
    )
    highest: dict[int, int] = {}
    codes = op.get_bind().execute(sa.text("SELECT request_id FROM service_requests"))
    for (code,) in codes:
        match = _CODE.match(code)
        if match is not None:
            year, number = int(match.group(1)), int(match.group(2))
            highest[year] = max(highest.get(year, 0), number)
    if highest:
        op.bulk_insert(
            numbers, [{"year": year, "last_number": last} for year, last in highest.items()]
        )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("request_numbers")
