"""Indexes for the pages that read one run's findings: a record's findings (record page,
re-check of actions) and a unit's findings by criterion (review queue, dashboard links).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_findings_record", "findings", ["run_id", "dataset", "record_key"])
    op.create_index("ix_findings_unit", "findings", ["run_id", "unit", "criterion"])


def downgrade() -> None:
    op.drop_index("ix_findings_unit", "findings")
    op.drop_index("ix_findings_record", "findings")
