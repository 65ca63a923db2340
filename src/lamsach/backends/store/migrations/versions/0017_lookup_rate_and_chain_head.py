"""Lookups made cheap and their rate limit shared by every server process.

- `api_clients` keeps each client's token bucket (`rate_tokens`, `rate_at` in epoch seconds,
  `rate_last_granted`): one UPDATE takes a token, so the limit holds across processes and
  machines, and the same statement checks the token is still the client's and not revoked.
- `access_head` is seeded (seq 0, the genesis hash) and moved by a trigger on every insert into
  `access_log`, so appending an entry is one INSERT … SELECT from the head, which it locks.
- `runs (campaign, status)` is indexed: every lookup finds its campaign's latest complete run.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None
GENESIS = "0" * 64
COLUMNS = ("rate_tokens", "rate_at", "rate_last_granted")


def upgrade() -> None:
    with op.batch_alter_table("api_clients") as batch:
        batch.add_column(sa.Column("rate_tokens", sa.Float, nullable=False, server_default="0"))
        batch.add_column(sa.Column("rate_at", sa.Float, nullable=False, server_default="0"))
        batch.add_column(sa.Column("rate_last_granted", sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_runs_campaign_status", "runs", ["campaign", "status"])
    op.execute(f"INSERT INTO access_head (id, seq, entry_hash) SELECT 1, 0, '{GENESIS}' "
               "WHERE NOT EXISTS (SELECT 1 FROM access_head WHERE id = 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""CREATE FUNCTION access_log_moves_head() RETURNS trigger AS $$
BEGIN
    UPDATE access_head SET seq = NEW.seq, entry_hash = NEW.entry_hash WHERE id = 1;
    RETURN NULL;
END $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER access_log_moves_head AFTER INSERT ON access_log "
                   "FOR EACH ROW EXECUTE FUNCTION access_log_moves_head()")
    else:
        op.execute("""CREATE TRIGGER access_log_moves_head AFTER INSERT ON access_log
BEGIN
    UPDATE access_head SET seq = NEW.seq, entry_hash = NEW.entry_hash WHERE id = 1;
END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER access_log_moves_head ON access_log")
        op.execute("DROP FUNCTION access_log_moves_head()")
    else:
        op.execute("DROP TRIGGER access_log_moves_head")
    op.execute("DELETE FROM access_head WHERE seq = 0")
    op.drop_index("ix_runs_campaign_status", "runs")
    with op.batch_alter_table("api_clients") as batch:
        for column in COLUMNS:
            batch.drop_column(column)
