"""The archive reads an uploaded scan in the background: its job in `web_jobs` names the document
it reads, so the document's page can tell whether its text is still coming.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_jobs") as batch:
        batch.add_column(sa.Column("document_id", sa.Integer))
    op.create_index("ix_web_jobs_document_id", "web_jobs", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_web_jobs_document_id", "web_jobs")
    with op.batch_alter_table("web_jobs") as batch:
        batch.drop_column("document_id")
