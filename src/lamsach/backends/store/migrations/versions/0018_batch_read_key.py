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
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("read_key", sa.String(64)))
        batch.add_column(sa.Column("record_keys", sa.Text))
        batch.add_column(sa.Column("unmapped", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("unmapped")
        batch.drop_column("record_keys")
        batch.drop_column("read_key")
