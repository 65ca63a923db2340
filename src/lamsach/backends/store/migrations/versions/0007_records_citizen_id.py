"""Records keep their current `citizen_id` in an indexed column: an agency's lookup by ID reads
one index entry instead of every population record.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
CHUNK = 5000


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("citizen_id", sa.String(20)))
    op.create_index("ix_records_citizen_id", "records", ["citizen_id"])
    conn = op.get_bind()
    records = sa.table("records", sa.column("id", sa.Integer), sa.column("data", sa.Text),
                       sa.column("citizen_id", sa.String(20)))
    last = 0
    while True:
        rows = conn.execute(sa.select(records.c.id, records.c.data).where(records.c.id > last)
                            .order_by(records.c.id).limit(CHUNK)).all()
        if not rows:
            break
        values = []
        for row in rows:
            found = json.loads(row.data).get("citizen_id")
            if found not in (None, ""):
                values.append({"rid": row.id, "cid": str(found)[:20]})
        if values:
            conn.execute(records.update().where(records.c.id == sa.bindparam("rid"))
                         .values(citizen_id=sa.bindparam("cid")), values)
        last = rows[-1].id


def downgrade() -> None:
    op.drop_index("ix_records_citizen_id", "records")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("citizen_id")
