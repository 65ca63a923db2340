"""Expression indexes for agencies' lookups on the record's JSON: a marriage's husband and wife,
a death's deceased and a parcel's owner by ID, and a parcel by sheet and number, so each lookup
reads index entries instead of every record of the dataset. Written per dialect exactly as
`lamsach.lookups.facts.json_field` queries them (SQLite: json_extract; PostgreSQL: ->> on JSONB).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None
FIELDS = ("husband_id", "wife_id", "deceased_id", "owner_id", "parcel_no")


def _expression(dialect: str, field: str) -> str:
    if dialect == "postgresql":
        return f"(CAST(data AS JSONB) ->> '{field}')"
    return f"json_extract(data, '$.{field}')"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for field in FIELDS:
        op.execute(f"CREATE INDEX ix_records_json_{field} ON records ({_expression(dialect, field)})")


def downgrade() -> None:
    for field in FIELDS:
        op.execute(f"DROP INDEX ix_records_json_{field}")
