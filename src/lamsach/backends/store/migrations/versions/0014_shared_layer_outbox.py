"""The shared layer (published versions), the outbox to the National Data Center, its batches and
the sender's lease.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("campaign", sa.String(200), nullable=False),
        sa.Column("dataset", sa.String(100), nullable=False),
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(20)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("citizen_id", sa.String(20)),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.UniqueConstraint("campaign", "dataset", "record_key", name="uq_published_key"),
    )
    op.create_index("ix_published_citizen_id", "published", ["citizen_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("campaign", sa.String(200), nullable=False),
        sa.Column("dataset", sa.String(100), nullable=False),
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(20)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("line", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("batch_key", sa.String(64)),
        sa.Column("reason", sa.Text),
        sa.Column("acked_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("campaign", "dataset", "record_key", "version", name="uq_outbox_version"),
    )
    op.create_index("ix_outbox_state", "outbox", ["state", "id"])
    op.create_index("ix_outbox_batch", "outbox", ["batch_key", "id"])
    op.create_table(
        "sync_batches",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False, unique=True),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("acked_at", sa.DateTime(timezone=True)),
        sa.Column("ack", sa.Text),
    )
    op.create_index("ix_sync_batches_state", "sync_batches", ["state", "seq"])
    op.create_table(
        "sync_lease",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sync_lease")
    op.drop_table("sync_batches")
    op.drop_table("outbox")
    op.drop_table("published")
