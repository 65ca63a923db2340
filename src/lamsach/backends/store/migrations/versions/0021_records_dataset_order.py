"""Records of one dataset read in the order they were stored: an index on (campaign, dataset, id).

Every pass reads each dataset's records (or their stamps) `ORDER BY id`; through the unique key
(campaign, dataset, record_key) the database fetched them in key order and sorted them, values
and all, before the first row came back. With this index they come in id order as they lie.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_dataset_id", "records", ["campaign", "dataset", "id"])


def downgrade() -> None:
    op.drop_index("ix_records_dataset_id", table_name="records")
