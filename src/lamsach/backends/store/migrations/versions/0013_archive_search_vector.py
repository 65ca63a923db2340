"""PostgreSQL keeps each archived text's search vector in a stored generated column with its GIN
index, so a search neither recomputes `to_tsvector` per row when the planner scans nor ranks from
scratch; SQLite's FTS5 index is unchanged.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_archive_texts_search")
    op.execute("ALTER TABLE archive_texts ADD COLUMN search_vector tsvector "
               "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, folded)) STORED")
    op.execute("CREATE INDEX ix_archive_texts_search ON archive_texts USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_archive_texts_search")
    op.execute("ALTER TABLE archive_texts DROP COLUMN search_vector")
    op.execute("CREATE INDEX ix_archive_texts_search ON archive_texts USING gin (to_tsvector('simple', folded))")
