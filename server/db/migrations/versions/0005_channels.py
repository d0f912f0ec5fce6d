"""Chat channels: business accounts, conversations, inbound and outbound messages, Instagram posts.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

from server.db.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_accounts",
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(length=80), nullable=False),
        sa.Column("app_secret", sa.String(length=200), nullable=False),
        sa.Column("verify_token", sa.String(length=200), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("merchant_ids", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "account_id", name="pk_channel_accounts"),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(length=80), nullable=False),
        sa.Column("sender", sa.String(length=80), nullable=False),
        sa.Column("customer_id", sa.String(length=80), nullable=False),
        sa.Column("merchant_id", sa.String(length=80), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("human", sa.Boolean(), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("last_inbound_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
    )
    op.create_index("uq_conversations_channel_account_sender", "conversations",
                    ["channel", "account_id", "sender"], unique=True)
    op.create_index("ix_conversations_merchant_human", "conversations", ["merchant_id", "human"])
    op.create_table(
        "channel_messages",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(length=80), nullable=False),
        sa.Column("sender", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=True),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_channel_messages"),
    )
    op.create_index("ix_channel_messages_sender_received", "channel_messages",
                    ["channel", "account_id", "sender", "received_at"])
    op.create_table(
        "outbound_messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(length=80), nullable=False),
        sa.Column("recipient", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("status_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbound_messages"),
        sa.UniqueConstraint("provider_message_id", name="uq_outbound_messages_provider_message_id"),
    )
    op.create_index("ix_outbound_messages_conversation_created", "outbound_messages",
                    ["conversation_id", "created_at"])
    op.create_table(
        "conversation_orders",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_conversation_orders"),
    )
    op.create_table(
        "instagram_posts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("merchant_id", sa.String(length=80), nullable=False),
        sa.Column("account_id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_ids", sa.Text(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("image_url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("media_id", sa.String(length=80), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=True),
        sa.Column("approved_by", sa.String(length=80), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"], name="fk_instagram_posts_merchant_id_merchants"),
        sa.PrimaryKeyConstraint("id", name="pk_instagram_posts"),
        sa.UniqueConstraint("media_id", name="uq_instagram_posts_media_id"),
    )
    op.create_index("ix_instagram_posts_merchant_created", "instagram_posts", ["merchant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_instagram_posts_merchant_created", table_name="instagram_posts")
    op.drop_table("instagram_posts")
    op.drop_table("conversation_orders")
    op.drop_index("ix_outbound_messages_conversation_created", table_name="outbound_messages")
    op.drop_table("outbound_messages")
    op.drop_index("ix_channel_messages_sender_received", table_name="channel_messages")
    op.drop_table("channel_messages")
    op.drop_index("ix_conversations_merchant_human", table_name="conversations")
    op.drop_index("uq_conversations_channel_account_sender", table_name="conversations")
    op.drop_table("conversations")
    op.drop_table("channel_accounts")
