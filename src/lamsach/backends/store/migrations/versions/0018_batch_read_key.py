"""A batch keeps what the weekly re-run needs to leave an unchanged file unread: the fingerprint
of how it was read (`read_key`: the file's SHA-256 with the manifest's reading options), the keys
of the rows it stored and the columns no field took.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("batches", sa.Column("read_key", sa.String(64)))
    op.add_column("batches", sa.Column("record_keys", sa.Text))
    op.add_column("batches", sa.Column("unmapped", sa.Text))


def downgrade() -> None:
    # plain DROP COLUMN (SQLite 3.35+): copying the table, as batch mode does, would break the
    # foreign keys of records and rejections that point to it
    op.drop_column("batches", "unmapped")
    op.drop_column("batches", "record_keys")
    op.drop_column("batches", "read_key")
