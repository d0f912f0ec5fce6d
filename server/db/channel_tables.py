"""The chat channels' tables (WhatsApp, Instagram): accounts, conversations, messages both ways, posts."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, Text

from server.db.metadata import metadata
from server.db.types import UTCDateTime

# Business accounts beyond the default one in the settings: a WhatsApp phone number id or an Instagram
# account id with its credentials and the merchants it sells for (JSON list; empty means all). The three
# credentials are stored encrypted ("fernet:..." from server/secret_box.py), opened by channels/accounts.py.
channel_accounts = Table(
    "channel_accounts", metadata,
    Column("channel", String(20), primary_key=True),
    Column("account_id", String(80), primary_key=True),
    Column("app_secret", Text, nullable=False),
    Column("verify_token", Text, nullable=False),
    Column("access_token", Text, nullable=False),
    Column("merchant_ids", Text, nullable=False, default="[]"),
    Column("created_at", UTCDateTime, nullable=False),
)

# One row per customer and business account: the dialogue's state as JSON.
conversations = Table(
    "conversations", metadata,
    Column("id", String(36), primary_key=True),
    Column("channel", String(20), nullable=False),
    Column("account_id", String(80), nullable=False),
    Column("sender", String(80), nullable=False),
    Column("customer_id", String(80), nullable=False),
    Column("merchant_id", String(80), nullable=True),
    Column("state", Text, nullable=False),
    Column("human", Boolean, nullable=False, default=False),
    Column("opted_out", Boolean, nullable=False, default=False),
    Column("last_inbound_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("uq_conversations_channel_account_sender", "channel", "account_id", "sender", unique=True),
    Index("ix_conversations_merchant_human", "merchant_id", "human"),
)

# Inbound messages, stored before the webhook answers 200; the id is the channel's message id, so Meta's
# retries of a delivery are recognised and processed once.
channel_messages = Table(
    "channel_messages", metadata,
    Column("id", String(200), primary_key=True),
    Column("channel", String(20), nullable=False),
    Column("account_id", String(80), nullable=False),
    Column("sender", String(80), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("payload", Text, nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("conversation_id", String(36), nullable=True),
    Column("processed_at", UTCDateTime, nullable=True),
    Column("outcome", String(40), nullable=True),
    Index("ix_channel_messages_sender_received", "channel", "account_id", "sender", "received_at"),
)

# Outbound messages: one row per message we send, rendered when queued; `status` follows Meta's status
# callbacks (sent, delivered, read, failed). A row is sent at most once.
outbound_messages = Table(
    "outbound_messages", metadata,
    Column("id", String(36), primary_key=True),
    Column("conversation_id", String(36), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("account_id", String(80), nullable=False),
    Column("recipient", String(80), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("provider_message_id", String(200), nullable=True, unique=True),
    Column("error", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("status_at", UTCDateTime, nullable=True),
    Index("ix_outbound_messages_conversation_created", "conversation_id", "created_at"),
)

# Which conversation placed an order, so its status changes are told there.
conversation_orders = Table(
    "conversation_orders", metadata,
    Column("order_id", String(36), primary_key=True),
    Column("conversation_id", String(36), nullable=False),
)

# Instagram posts and stories made from menu items, published with the merchant's approval; a DM replying
# to one resolves "is this available?" to its items.
instagram_posts = Table(
    "instagram_posts", metadata,
    Column("id", String(36), primary_key=True),
    Column("merchant_id", String(80), ForeignKey("merchants.id"), nullable=False),
    Column("account_id", String(80), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("item_ids", Text, nullable=False),
    Column("caption", Text, nullable=False),
    Column("image_url", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("media_id", String(80), nullable=True, unique=True),
    Column("error", Text, nullable=True),
    Column("created_by", String(80), nullable=True),
    Column("approved_by", String(80), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime, nullable=True),
    Index("ix_instagram_posts_merchant_created", "merchant_id", "created_at"),
)
