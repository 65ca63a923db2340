"""Runs name the process that runs them (host and process id), so a later pass can tell a run
still going on from one whose process was killed, and mark the latter interrupted.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite adds and drops a column in place since 3.35): a batch
# migration would rebuild `runs`, which batches and findings point to.
def upgrade() -> None:
    op.add_column("runs", sa.Column("host", sa.String(255)))
    op.add_column("runs", sa.Column("pid", sa.Integer))


def downgrade() -> None:
    op.drop_column("runs", "pid")
    op.drop_column("runs", "host")
