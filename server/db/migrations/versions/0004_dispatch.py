"""Dispatch: driver shift and GPS state, dispatcher locks, and the last plan.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from server.db.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "driver_states",
        sa.Column("driver_id", sa.String(length=80), primary_key=True),
        sa.Column("on_shift", sa.Boolean(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("position_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "dispatch_locks",
        sa.Column("order_id", sa.String(length=36), sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("driver_id", sa.String(length=80), nullable=False),
        sa.Column("locked_by", sa.String(length=80), nullable=True),
        sa.Column("locked_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "dispatch_plans",
        sa.Column("id", sa.String(length=20), primary_key=True),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dispatch_plans")
    op.drop_table("dispatch_locks")
    op.drop_table("driver_states")
