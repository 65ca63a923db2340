"""The shared layer's lookup indexes cover only the dataset each is for (partial indexes).

0015 and 0019 indexed a JSON field of every published version — a husband's ID, a parcel's sheet
and number — so publishing a province parsed each version's values six times to index fields
that only marriages, deaths or parcels have (a quarter of a first pass's publishing time). Each
index now holds the rows of its own dataset (`WHERE dataset = '…'`), and the lookups name the
dataset in their statement's text (`lamsach.lookups.facts`) so the database can use them.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None
FIELDS = {"husband_id": "marriage", "wife_id": "marriage", "deceased_id": "death", "owner_id": "land_parcel"}


def _expression(dialect: str, field: str) -> str:
    if dialect == "postgresql":
        return f"(CAST(data AS JSONB) ->> '{field}')"
    return f"json_extract(data, '$.{field}')"


def _parcel(dialect: str) -> str:
    return f"unit, {_expression(dialect, 'map_sheet')}, {_expression(dialect, 'parcel_no')}"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for field, dataset in FIELDS.items():
        op.execute(f"DROP INDEX ix_published_json_{field}")
        op.execute(f"CREATE INDEX ix_published_json_{field} ON published ({_expression(dialect, field)}) "
                   f"WHERE dataset = '{dataset}'")
    op.execute("DROP INDEX ix_published_parcel")
    op.execute(f"CREATE INDEX ix_published_parcel ON published ({_parcel(dialect)}) WHERE dataset = 'land_parcel'")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for field in FIELDS:
        op.execute(f"DROP INDEX ix_published_json_{field}")
        op.execute(f"CREATE INDEX ix_published_json_{field} ON published ({_expression(dialect, field)})")
    op.execute("DROP INDEX ix_published_parcel")
    op.execute(f"CREATE INDEX ix_published_parcel ON published ({_parcel(dialect)})")
