"""An outbox entry names the shared layer's row of its record; that row and the version are its key.

The entries were unique by (campaign, dataset, record key, version): an index of text a first pass
fills in no order of its own, which at 1,000,000 people took 14.6 s of the outbox's insert on
SQLite and 27.2 s on PostgreSQL (4.4 s and 10.5 s without it). The entry now holds the id of the
shared layer's row (`published_id`), which a pass's entries follow in order, and is unique by that
id and the version; the line of an entry is rendered from that row (`outbox._lines`) and kept
before the row moves on (`shared_layer._keep_lines`) by the same id. The entries already written
get the id of their record's row.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("published_id", sa.Integer))
    op.execute("UPDATE outbox SET published_id = (SELECT p.id FROM published p WHERE p.campaign = outbox.campaign "
               "AND p.dataset = outbox.dataset AND p.record_key = outbox.record_key)")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("uq_outbox_version", type_="unique")
        batch.create_unique_constraint("uq_outbox_published_version", ["published_id", "version"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("uq_outbox_published_version", type_="unique")
        batch.create_unique_constraint("uq_outbox_version", ["campaign", "dataset", "record_key", "version"])
        batch.drop_column("published_id")
