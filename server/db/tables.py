"""The schema. Domain objects are stored as JSON documents plus the columns queries filter on."""
from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, Float, ForeignKey, Index, Integer, Numeric, String, Table, Text,
)

from server.db import channel_tables  # noqa: F401  (registers the chat channel tables on the same metadata)
from server.db.metadata import metadata
from server.db.types import UTCDateTime


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
    Index("ix_orders_status_merchant_placed", "status", "merchant_id", "placed_at"),
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

# Last-writer-wins clocks per field (hybrid logical clock strings): profile fields, and a merchant's
# availability hours per target ('merchant', 'item:ID', 'category:ID'), hence a field as long as a stock key.
field_clocks = Table(
    "field_clocks", metadata,
    Column("entity", String(20), primary_key=True),
    Column("entity_id", String(120), primary_key=True),
    Column("field", String(120), primary_key=True),
    Column("hlc", String(120), nullable=False),
)

# Per-line bumps of orders in the kitchen, shared by every tablet: last writer wins per line by `hlc`.
# Rows go when the order leaves the kitchen (ready), so a recalled order starts with no line done.
line_bumps = Table(
    "line_bumps", metadata,
    Column("order_id", String(36), ForeignKey("orders.id"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("bumped", Boolean, nullable=False),
    Column("hlc", String(120), nullable=False),
    Column("actor_id", String(80), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

# A merchant's busy mode (pause new orders, or extra prep minutes) until a time; last writer wins by `hlc`.
# Kept out of the merchant document, like stock out of the menu, so editing the profile never undoes it.
busy_modes = Table(
    "busy_modes", metadata,
    Column("merchant_id", String(80), ForeignKey("merchants.id"), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("extra_minutes", Integer, nullable=False),
    Column("until", UTCDateTime, nullable=True),
    Column("hlc", String(120), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)


# Durable background jobs (server/jobs). `dedupe_key` makes enqueueing idempotent; `locked_until` is the
# lease of the worker running it, so a crashed worker's job is claimed again once the lease runs out.
jobs = Table(
    "jobs", metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(60), nullable=False),
    Column("subject", String(120), nullable=True),
    Column("payload", Text, nullable=False),
    Column("dedupe_key", String(200), nullable=True, unique=True),
    Column("status", String(10), nullable=False),
    Column("run_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("locked_until", UTCDateTime, nullable=True),
    Column("locked_by", String(120), nullable=True),
    Column("result", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Index("ix_jobs_status_run_at", "status", "run_at"),
    Index("ix_jobs_subject_created", "subject", "created_at"),
)

# Recurring jobs: each due schedule enqueues one job and moves its next_run_at on by the interval.
job_schedules = Table(
    "job_schedules", metadata,
    Column("name", String(120), primary_key=True),
    Column("kind", String(60), nullable=False),
    Column("subject", String(120), nullable=True),
    Column("payload", Text, nullable=False),
    Column("dedupe_key", String(200), nullable=True),
    Column("max_attempts", Integer, nullable=False),
    Column("interval_seconds", Integer, nullable=False),
    Column("next_run_at", UTCDateTime, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Menu scraping (issue 6): where each merchant's menu pages are and what may go live without a person.
scrape_configs = Table(
    "scrape_configs", metadata,
    Column("merchant_id", String(80), ForeignKey("merchants.id"), primary_key=True),
    Column("urls", Text, nullable=False),
    Column("site_mapping", Text, nullable=True),
    Column("interval_minutes", Integer, nullable=True),
    Column("policy", String(30), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(120), nullable=True),
)

# One scrape's proposed changes against one menu version, and each change with its evidence.
menu_change_sets = Table(
    "menu_change_sets", metadata,
    Column("id", String(36), primary_key=True),
    Column("merchant_id", String(80), ForeignKey("merchants.id"), nullable=False),
    Column("job_id", String(36), nullable=True),
    Column("status", String(20), nullable=False),
    Column("menu_version", Integer, nullable=False),
    Column("urls", Text, nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("warnings", Text, nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_menu_change_sets_merchant_created", "merchant_id", "created_at"),
)

menu_changes = Table(
    "menu_changes", metadata,
    Column("change_set_id", String(36), ForeignKey("menu_change_sets.id"), primary_key=True),
    Column("change_id", String(200), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("item_id", String(80), nullable=True),
    Column("item_name", Text, nullable=False),
    Column("old_price", Numeric(14, 3), nullable=True),
    Column("new_price", Numeric(14, 3), nullable=True),
    Column("evidence_url", Text, nullable=False),
    Column("evidence_at", UTCDateTime, nullable=False),
    Column("evidence_snippet", Text, nullable=False),
    Column("doc", Text, nullable=False),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("decided_by", String(120), nullable=True),
)

# Every decision on a scraped change (applied automatically, approved, rejected): who, when, what.
menu_change_audit = Table(
    "menu_change_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("merchant_id", String(80), nullable=False),
    Column("change_set_id", String(36), nullable=True),
    Column("change_id", String(200), nullable=True),
    Column("action", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("item_id", String(80), nullable=True),
    Column("item_name", Text, nullable=False),
    Column("old_value", Text, nullable=True),
    Column("new_value", Text, nullable=True),
    Column("menu_version", Integer, nullable=True),
    Column("actor_role", String(20), nullable=False),
    Column("actor_id", String(120), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_menu_change_audit_merchant_at", "merchant_id", "at"),
)


# Dispatch (issue 7): each driver's shift flag and last GPS fix; dispatcher locks the optimiser must keep;
# the last plan (a JSON view) so any process can show it and a restarted planner can warm-start from it.
driver_states = Table(
    "driver_states", metadata,
    Column("driver_id", String(80), primary_key=True),
    Column("on_shift", Boolean, nullable=False),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("position_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

dispatch_locks = Table(
    "dispatch_locks", metadata,
    Column("order_id", String(36), ForeignKey("orders.id"), primary_key=True),
    Column("driver_id", String(80), nullable=False),
    Column("locked_by", String(80), nullable=True),
    Column("locked_at", UTCDateTime, nullable=False),
)

dispatch_plans = Table(
    "dispatch_plans", metadata,
    Column("id", String(20), primary_key=True),
    Column("doc", Text, nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
)
