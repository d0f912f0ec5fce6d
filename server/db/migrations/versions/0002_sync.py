"""Offline sync: the change feed, pushed operations with their results, per-field clocks, and the
last-writer-wins clock of each stock row's availability.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from server.db.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stock") as batch:
        batch.add_column(sa.Column("available_hlc", sa.String(length=120), nullable=True))
    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.String(length=120), nullable=False),
        sa.Column("merchant_id", sa.String(length=80), nullable=True),
        sa.Column("customer_id", sa.String(length=80), nullable=True),
        sa.Column("driver_id", sa.String(length=80), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_changes_merchant_seq", "changes", ["merchant_id", "seq"])
    op.create_index("ix_changes_customer_seq", "changes", ["customer_id", "seq"])
    op.create_index("ix_changes_driver_seq", "changes", ["driver_id", "seq"])
    op.create_table(
        "sync_operations",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("device_id", sa.String(length=80), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "field_clocks",
        sa.Column("entity", sa.String(length=20), primary_key=True),
        sa.Column("entity_id", sa.String(length=120), primary_key=True),
        sa.Column("field", sa.String(length=60), primary_key=True),
        sa.Column("hlc", sa.String(length=120), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("field_clocks")
    op.drop_table("sync_operations")
    op.drop_index("ix_changes_driver_seq", table_name="changes")
    op.drop_index("ix_changes_customer_seq", table_name="changes")
    op.drop_index("ix_changes_merchant_seq", table_name="changes")
    op.drop_table("changes")
    with op.batch_alter_table("stock") as batch:
        batch.drop_column("available_hlc")
