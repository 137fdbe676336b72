"""request numbers taken atomically; one-time codes for any customer code; link warnings

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 09:00:00

`request_numbers` holds the last number of each year's service request codes (YC2026-000123),
taken by one upsert instead of a count of the year's requests, which gave two concurrent
transactions the same code on PostgreSQL. It starts from the highest number each year has.

`one_time_codes` keeps the customer code each was asked for, and a code no message was sent
for has no customer (handlers.account answers a found and an unknown customer code alike).
`link_warnings` marks customers whose next one-time code message says that someone tried.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

import meters.timestamps

revision = "0007"
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

    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_code", sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE one_time_codes SET customer_code = (SELECT customers.customer_code"
        " FROM customers WHERE customers.id = one_time_codes.customer_id)"
    )
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.alter_column("customer_code", existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column("customer_id", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "link_warnings",
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("since", meters.timestamps.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_link_warnings_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_link_warnings")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("link_warnings")
    op.execute("DELETE FROM one_time_codes WHERE customer_id IS NULL")
    with op.batch_alter_table("one_time_codes", schema=None) as batch_op:
        batch_op.alter_column("customer_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("customer_code")
    op.drop_table("request_numbers")
