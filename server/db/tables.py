"""The schema. Domain objects are stored as JSON documents plus the columns queries filter on."""
from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, ForeignKey, Index, Integer, MetaData, Numeric, String, Table, Text,
)

from server.db.types import UTCDateTime

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

merchants = Table(
    "merchants", metadata,
    Column("id", String(80), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("doc", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

menus = Table(
    "menus", metadata,
    Column("merchant_id", String(80), ForeignKey("merchants.id"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("doc", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Live stock and 86 flags, one row per menu item ('item:ID') and modifier option ('option:ID');
# kept out of the menu document so placing an order updates a row, not the whole menu.
stock = Table(
    "stock", metadata,
    Column("merchant_id", String(80), ForeignKey("merchants.id"), primary_key=True),
    Column("key", String(90), primary_key=True),
    Column("count", Integer, nullable=True),
    Column("available", Boolean, nullable=False, default=True),
    Column("available_hlc", String(120), nullable=True),
)

customers = Table(
    "customers", metadata,
    Column("id", String(80), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("phone", String(20), nullable=True, unique=True),
    Column("doc", Text, nullable=False),
)

drivers = Table(
    "drivers", metadata,
    Column("id", String(80), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("doc", Text, nullable=False),
)

promos = Table(
    "promos", metadata,
    Column("code", String(40), primary_key=True),
    Column("merchant_id", String(80), nullable=True),
    Column("doc", Text, nullable=False),
    Column("uses", Integer, nullable=False, default=0),
    Column("max_uses", Integer, nullable=True),
)

order_counters = Table(
    "order_counters", metadata,
    Column("merchant_id", String(80), primary_key=True),
    Column("last_number", Integer, nullable=False),
)

orders = Table(
    "orders", metadata,
    Column("id", String(36), primary_key=True),
    Column("merchant_id", String(80), ForeignKey("merchants.id"), nullable=False),
    Column("customer_id", String(80), nullable=True),
    Column("number", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("placed_at", UTCDateTime, nullable=False),
    Column("promised_at", UTCDateTime, nullable=True),
    Column("total", Numeric(14, 3), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("version", Integer, nullable=False),
    Column("doc", Text, nullable=False),
    Index("ix_orders_merchant_placed", "merchant_id", "placed_at"),
    Index("ix_orders_customer_placed", "customer_id", "placed_at"),
    Index("ix_orders_status", "merchant_id", "status"),
)

order_events = Table(
    "order_events", metadata,
    Column("order_id", String(36), ForeignKey("orders.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_role", String(20), nullable=False),
    Column("actor_id", String(80), nullable=True),
    Column("action", String(20), nullable=False),
    Column("from_status", String(20), nullable=True),
    Column("to_status", String(20), nullable=False),
    Column("reason", Text, nullable=True),
    Column("data", Text, nullable=False, default="{}"),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("order_id", String(36), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

accounts = Table(
    "accounts", metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("merchant_id", String(80), nullable=True),
    Column("customer_id", String(80), nullable=True),
    Column("driver_id", String(80), nullable=True),
    Column("pin_hash", String(200), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)


# The change feed devices pull from: one row per committed change, written in the same transaction.
changes = Table(
    "changes", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("entity", String(20), nullable=False),
    Column("entity_id", String(120), nullable=False),
    Column("merchant_id", String(80), nullable=True),
    Column("customer_id", String(80), nullable=True),
    Column("driver_id", String(80), nullable=True),
    Column("data", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_changes_merchant_seq", "merchant_id", "seq"),
    Index("ix_changes_customer_seq", "customer_id", "seq"),
    Index("ix_changes_driver_seq", "driver_id", "seq"),
)

# Every operation a device pushed, with the answer it got: re-sending an id returns the same answer.
sync_operations = Table(
    "sync_operations", metadata,
    Column("id", String(36), primary_key=True),
    Column("device_id", String(80), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("status", String(20), nullable=False),
    Column("result", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

# Last-writer-wins clocks per field of profiles (hybrid logical clock strings).
field_clocks = Table(
    "field_clocks", metadata,
    Column("entity", String(20), primary_key=True),
    Column("entity_id", String(120), primary_key=True),
    Column("field", String(60), primary_key=True),
    Column("hlc", String(120), nullable=False),
)
