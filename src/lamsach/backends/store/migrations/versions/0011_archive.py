"""The electronic archive: kept documents, their text and search index, metadata findings,
links to records and fixity checks.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archive_documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("signed", sa.Integer, nullable=False),
        sa.Column("copy_sha256", sa.String(64)),
        sa.Column("text_source", sa.String(20), nullable=False),
        sa.Column("metadata", sa.Text, nullable=False),
        sa.Column("access_level", sa.String(20), nullable=False),
        sa.Column("unit", sa.String(20)),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_archive_documents_unit", "archive_documents", ["unit"])
    op.create_table(
        "archive_texts",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("archive_documents.id"), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("folded", sa.Text, nullable=False),
    )
    op.create_table(
        "archive_findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("archive_documents.id"), nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("criterion", sa.String(20), nullable=False),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_index("ix_archive_findings_document_id", "archive_findings", ["document_id"])
    op.create_table(
        "archive_links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("archive_documents.id"), nullable=False),
        sa.Column("campaign", sa.String(200), nullable=False),
        sa.Column("dataset", sa.String(100), nullable=False),
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("evidence", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("document_id", "campaign", "dataset", "record_key", name="uq_archive_links"),
    )
    op.create_index("ix_archive_links_document_id", "archive_links", ["document_id"])
    op.create_index("ix_archive_links_record", "archive_links", ["campaign", "dataset", "record_key"])
    op.create_table(
        "archive_checks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("archive_documents.id")),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("actor", sa.String(100), nullable=False),
    )
    op.create_index("ix_archive_checks_at", "archive_checks", ["at"])
    # the full-text index over the folded text: FTS5 on SQLite, a GIN tsvector index on PostgreSQL
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE archive_fts USING fts5(folded, content='archive_texts', "
                   "content_rowid='document_id', tokenize='unicode61')")
        op.execute("CREATE TRIGGER archive_texts_ai AFTER INSERT ON archive_texts BEGIN "
                   "INSERT INTO archive_fts(rowid, folded) VALUES (new.document_id, new.folded); END")
        op.execute("CREATE TRIGGER archive_texts_ad AFTER DELETE ON archive_texts BEGIN "
                   "INSERT INTO archive_fts(archive_fts, rowid, folded) VALUES ('delete', old.document_id, "
                   "old.folded); END")
        op.execute("CREATE TRIGGER archive_texts_au AFTER UPDATE ON archive_texts BEGIN "
                   "INSERT INTO archive_fts(archive_fts, rowid, folded) VALUES ('delete', old.document_id, "
                   "old.folded); INSERT INTO archive_fts(rowid, folded) VALUES (new.document_id, new.folded); END")
    else:
        op.execute("CREATE INDEX ix_archive_texts_search ON archive_texts "
                   "USING gin (to_tsvector('simple', folded))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("archive_texts_ai", "archive_texts_ad", "archive_texts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS archive_fts")
    for table in ("archive_checks", "archive_links", "archive_findings", "archive_texts", "archive_documents"):
        op.drop_table(table)
