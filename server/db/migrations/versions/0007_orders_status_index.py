"""Open orders by status first: the dispatcher's snapshot asks for every order in the dispatchable statuses,
across merchants, and the (merchant_id, status) index could not serve it, so each re-plan scanned the whole
orders table (every order ever placed). (status, merchant_id, placed_at) serves that query, the kitchen queue
(one merchant's open statuses) and status-filtered lists, with as many indexes as before.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_orders_status", table_name="orders")
    op.create_index("ix_orders_status_merchant_placed", "orders", ["status", "merchant_id", "placed_at"])


def downgrade() -> None:
    op.drop_index("ix_orders_status_merchant_placed", table_name="orders")
    op.create_index("ix_orders_status", "orders", ["merchant_id", "status"])
