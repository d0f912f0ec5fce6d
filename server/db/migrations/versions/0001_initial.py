"""Initial schema: merchants, menus, stock, customers, drivers, promos, orders and their events,
idempotency keys, accounts and sessions.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from server.db.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'accounts',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('email', sa.String(length=254), nullable=False, unique=True),
        sa.Column('password_hash', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('merchant_id', sa.String(length=80)),
        sa.Column('customer_id', sa.String(length=80)),
        sa.Column('driver_id', sa.String(length=80)),
        sa.Column('pin_hash', sa.String(length=200)),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
    )
    op.create_table(
        'customers',
        sa.Column('id', sa.String(length=80), primary_key=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('phone', sa.String(length=20), unique=True),
        sa.Column('doc', sa.Text(), nullable=False),
    )
    op.create_table(
        'drivers',
        sa.Column('id', sa.String(length=80), primary_key=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('doc', sa.Text(), nullable=False),
    )
    op.create_table(
        'idempotency_keys',
        sa.Column('key', sa.String(length=200), primary_key=True),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('order_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
    )
    op.create_table(
        'merchants',
        sa.Column('id', sa.String(length=80), primary_key=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('doc', sa.Text(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
    )
    op.create_table(
        'order_counters',
        sa.Column('merchant_id', sa.String(length=80), primary_key=True),
        sa.Column('last_number', sa.Integer(), nullable=False),
    )
    op.create_table(
        'promos',
        sa.Column('code', sa.String(length=40), primary_key=True),
        sa.Column('merchant_id', sa.String(length=80)),
        sa.Column('doc', sa.Text(), nullable=False),
        sa.Column('uses', sa.Integer(), nullable=False),
        sa.Column('max_uses', sa.Integer()),
    )
    op.create_table(
        'menus',
        sa.Column('merchant_id', sa.String(length=80), sa.ForeignKey('merchants.id'), primary_key=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('doc', sa.Text(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
    )
    op.create_table(
        'orders',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('merchant_id', sa.String(length=80), sa.ForeignKey('merchants.id'), nullable=False),
        sa.Column('customer_id', sa.String(length=80)),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('placed_at', UTCDateTime(), nullable=False),
        sa.Column('promised_at', UTCDateTime()),
        sa.Column('total', sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('doc', sa.Text(), nullable=False),
    )
    op.create_index('ix_orders_customer_placed', 'orders', ['customer_id', 'placed_at'])
    op.create_index('ix_orders_merchant_placed', 'orders', ['merchant_id', 'placed_at'])
    op.create_index('ix_orders_status', 'orders', ['merchant_id', 'status'])
    op.create_table(
        'sessions',
        sa.Column('token_hash', sa.String(length=64), primary_key=True),
        sa.Column('account_id', sa.String(length=36), sa.ForeignKey('accounts.id'), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
    )
    op.create_table(
        'stock',
        sa.Column('merchant_id', sa.String(length=80), sa.ForeignKey('merchants.id'), primary_key=True),
        sa.Column('key', sa.String(length=90), primary_key=True),
        sa.Column('count', sa.Integer()),
        sa.Column('available', sa.Boolean(), nullable=False),
    )
    op.create_table(
        'order_events',
        sa.Column('order_id', sa.String(length=36), sa.ForeignKey('orders.id'), primary_key=True),
        sa.Column('seq', sa.Integer(), primary_key=True),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('actor_role', sa.String(length=20), nullable=False),
        sa.Column('actor_id', sa.String(length=80)),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('from_status', sa.String(length=20)),
        sa.Column('to_status', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text()),
        sa.Column('data', sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('order_events')
    op.drop_table('stock')
    op.drop_table('sessions')
    op.drop_table('orders')
    op.drop_table('menus')
    op.drop_table('promos')
    op.drop_table('order_counters')
    op.drop_table('merchants')
    op.drop_table('idempotency_keys')
    op.drop_table('drivers')
    op.drop_table('customers')
    op.drop_table('accounts')
