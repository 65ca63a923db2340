"""A campaign keeps its trained person model (`link_models`): the trained parameters, the fingerprint
of what defined the model (comparisons, floors, training settings, engine, versions) and of the
rows it was trained on, so the next pass can tell whether its training input moved enough to train
again (see `lamsach.link.model_keeping`).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_models",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("campaign", sa.String(200), nullable=False),
        sa.Column("model_key", sa.String(64), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("input_rows", sa.Integer, nullable=False),
        sa.Column("input_digest", sa.String(64), nullable=False),
        sa.Column("input_sketch", sa.Text, nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.UniqueConstraint("campaign", "model_key", name="uq_link_models_key"),
    )


def downgrade() -> None:
    op.drop_table("link_models")
