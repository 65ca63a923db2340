"""Agencies' lookups read the shared layer (`published`): the JSON expression indexes 0010 gave
`records` — a marriage's husband and wife, a death's deceased, a parcel's owner and a parcel's
number — move to the published versions (written per dialect exactly as
`lamsach.lookups.facts.json_field` queries them), so a pass no longer maintains them on every
record it stores.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from alembic import op

revision = "0015"
down_revision = "0014"
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
        op.execute(f"DROP INDEX ix_records_json_{field}")
        op.execute(f"CREATE INDEX ix_published_json_{field} ON published ({_expression(dialect, field)})")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for field in FIELDS:
        op.execute(f"DROP INDEX ix_published_json_{field}")
        op.execute(f"CREATE INDEX ix_records_json_{field} ON records ({_expression(dialect, field)})")
