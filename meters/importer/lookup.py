"""Looking up stored customers by code for the kinds that refer to them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from meters.schema import Customer

customers = Customer.metadata.tables[Customer.__tablename__]


def customer_ids(connection: Connection, codes: Iterable[str]) -> dict[str, int]:
    """The ids of the stored customers among `codes`."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = connection.execute(
        select(customers.c.customer_code, customers.c.id).where(
            customers.c.customer_code.in_(wanted)
        )
    )
    return dict(rows.all())
