"""Durable background jobs and their schedules; menu scraping: per-merchant settings, change sets with
their changes and evidence, and the audit trail of applied changes.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from server.db.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True, unique=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("run_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("locked_by", sa.String(length=120), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_jobs_status_run_at", "jobs", ["status", "run_at"])
    op.create_index("ix_jobs_subject_created", "jobs", ["subject", "created_at"])
    op.create_table(
        "job_schedules",
        sa.Column("name", sa.String(length=120), primary_key=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("next_run_at", UTCDateTime(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "scrape_configs",
        sa.Column("merchant_id", sa.String(length=80), sa.ForeignKey("merchants.id"), primary_key=True),
        sa.Column("urls", sa.Text(), nullable=False),
        sa.Column("site_mapping", sa.Text(), nullable=True),
        sa.Column("interval_minutes", sa.Integer(), nullable=True),
        sa.Column("policy", sa.String(length=30), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
    )
    op.create_table(
        "menu_change_sets",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("merchant_id", sa.String(length=80), sa.ForeignKey("merchants.id"), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("menu_version", sa.Integer(), nullable=False),
        sa.Column("urls", sa.Text(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_menu_change_sets_merchant_created", "menu_change_sets", ["merchant_id", "created_at"])
    op.create_table(
        "menu_changes",
        sa.Column("change_set_id", sa.String(length=36), sa.ForeignKey("menu_change_sets.id"), primary_key=True),
        sa.Column("change_id", sa.String(length=200), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=True),
        sa.Column("item_name", sa.Text(), nullable=False),
        sa.Column("old_price", sa.Numeric(14, 3), nullable=True),
        sa.Column("new_price", sa.Numeric(14, 3), nullable=True),
        sa.Column("evidence_url", sa.Text(), nullable=False),
        sa.Column("evidence_at", UTCDateTime(), nullable=False),
        sa.Column("evidence_snippet", sa.Text(), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
    )
    op.create_table(
        "menu_change_audit",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("merchant_id", sa.String(length=80), nullable=False),
        sa.Column("change_set_id", sa.String(length=36), nullable=True),
        sa.Column("change_id", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=True),
        sa.Column("item_name", sa.Text(), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("menu_version", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.String(length=120), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_menu_change_audit_merchant_at", "menu_change_audit", ["merchant_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_menu_change_audit_merchant_at", table_name="menu_change_audit")
    op.drop_table("menu_change_audit")
    op.drop_table("menu_changes")
    op.drop_index("ix_menu_change_sets_merchant_created", table_name="menu_change_sets")
    op.drop_table("menu_change_sets")
    op.drop_table("scrape_configs")
    op.drop_table("job_schedules")
    op.drop_index("ix_jobs_subject_created", table_name="jobs")
    op.drop_index("ix_jobs_status_run_at", table_name="jobs")
    op.drop_table("jobs")
