"""Kitchen state shared by tablets: per-line bumps, busy mode, and hours clocks as long as stock keys.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from server.db.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "line_bumps",
        sa.Column("order_id", sa.String(length=36), sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("line", sa.Integer(), primary_key=True),
        sa.Column("bumped", sa.Boolean(), nullable=False),
        sa.Column("hlc", sa.String(length=120), nullable=False),
        sa.Column("actor_id", sa.String(length=80), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "busy_modes",
        sa.Column("merchant_id", sa.String(length=80), sa.ForeignKey("merchants.id"), primary_key=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("extra_minutes", sa.Integer(), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=True),
        sa.Column("hlc", sa.String(length=120), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    # SQLite cannot alter a column in place: batch mode copies the table (a few rows: profile clocks).
    with op.batch_alter_table("field_clocks") as batch:
        batch.alter_column("field", existing_type=sa.String(length=60), type_=sa.String(length=120),
                           existing_nullable=False)


def downgrade() -> None:
    # Hours clocks longer than the old column would not fit; they only order edits, so they may go.
    op.execute("DELETE FROM field_clocks WHERE length(field) > 60")
    with op.batch_alter_table("field_clocks") as batch:
        batch.alter_column("field", existing_type=sa.String(length=120), type_=sa.String(length=60),
                           existing_nullable=False)
    op.drop_table("busy_modes")
    op.drop_table("line_bumps")
