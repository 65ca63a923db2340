"""Background passes of the web app, with their progress, shared by every server process.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("campaign", sa.Text, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(20)),
        sa.Column("upload_path", sa.Text),
        sa.Column("file_name", sa.Text),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("stages_done", sa.Integer, nullable=False),
        sa.Column("steps_done", sa.Integer, nullable=False),
        sa.Column("steps_total", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("run_id", sa.Integer),
        sa.Column("problems", sa.Text),
        sa.Column("reference", sa.String(20)),
    )
    op.create_index("ix_web_jobs_state", "web_jobs", ["state", "created_at"])
    op.create_index("ix_web_jobs_campaign", "web_jobs", ["campaign", "created_at"])


def downgrade() -> None:
    op.drop_table("web_jobs")
