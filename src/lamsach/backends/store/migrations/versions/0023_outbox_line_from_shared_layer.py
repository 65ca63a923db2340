"""An outbox entry's line may be left out while the shared layer's row holds the entry's version.

Each entry kept the line sent for its version as text: a second copy of every published record's
values beside the shared layer's row, the biggest table a first pass wrote (at 200,000 people
363 MB of the 617 MB publishing wrote, a third of the stage's time). The line is now rendered from
the shared layer's row when the entry is read for sending, and kept as text only when that row is
about to take a newer version (`backends/store/shared_layer.py`, `lamsach.publish.outbox`). The
lines already kept stay as they are.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("line", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    from lamsach.publish.outbox import line_sql

    dialect = op.get_bind().dialect.name
    op.execute(f"UPDATE outbox SET line = {line_sql(dialect, 'p')} FROM published p WHERE outbox.line IS NULL "
               "AND outbox.campaign = p.campaign AND outbox.dataset = p.dataset "
               "AND outbox.record_key = p.record_key AND outbox.version = p.version")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("line", existing_type=sa.Text(), nullable=False)
