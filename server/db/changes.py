"""The change feed: what devices pull. Rows are written in the same transaction as the change itself."""
from __future__ import annotations

import json

from server.db.raw import Raw

# Readers page by seq, so a lower seq must never become visible after a higher one. SQLite has one
# writer at a time; on PostgreSQL a transaction-scoped advisory lock taken before the first change row
# makes concurrent writers append in commit order (held to commit, re-entrant). The writer takes it at the
# start of every batch, outside the units' savepoints, so a unit rolled back cannot drop it.
CHANGE_FEED_LOCK = 727_001
CHANGE_FEED_LOCK_SQL = f"SELECT pg_advisory_xact_lock({CHANGE_FEED_LOCK})"
INSERT_CHANGE = ("INSERT INTO changes (entity, entity_id, merchant_id, customer_id, driver_id, data, at) "
                 "VALUES (:entity, :entity_id, :merchant_id, :customer_id, :driver_id, :data, :at)")


def record_change(raw: Raw, entity: str, entity_id: str, data: str, *, merchant_id: str | None = None,
                  customer_id: str | None = None, driver_id: str | None = None) -> None:
    """Append one change; `data` is the entity's JSON as devices should cache it."""
    if not raw.sqlite and not raw.change_feed_locked:
        raw.execute("SELECT pg_advisory_xact_lock(:k)", {"k": CHANGE_FEED_LOCK})
    raw.execute(INSERT_CHANGE, {"entity": entity, "entity_id": entity_id, "merchant_id": merchant_id,
                                "customer_id": customer_id, "driver_id": driver_id, "data": data,
                                "at": raw.now()})


def record_stock(raw: Raw, merchant_id: str, key: str, count: int | None, available: bool) -> None:
    data = json.dumps({"merchant_id": merchant_id, "key": key, "count": count, "available": bool(available)})
    record_change(raw, "stock", f"{merchant_id}/{key}", data, merchant_id=merchant_id)
