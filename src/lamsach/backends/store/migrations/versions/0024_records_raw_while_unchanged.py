"""A record's values as received are kept apart from its current values only once they differ.

Each record held its values twice from the moment it was stored: `raw` (as last received) and
`data` (current), the same JSON text until a repair, an enrichment or an officer changed `data` —
at 1,000,000 people 0.9 GB of the store written twice, in the store stage's inserts and again when
SQLite copies its write-ahead log into the database. `raw` is now NULL while it would equal
`data`; the store writes it just before the values first change (`SqlAlchemyStore.apply_changes`)
and when a file sends the record again with other values. The records already stored keep theirs.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.alter_column("raw", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE records SET raw = data WHERE raw IS NULL")
    with op.batch_alter_table("records") as batch:
        batch.alter_column("raw", existing_type=sa.Text(), nullable=False)
