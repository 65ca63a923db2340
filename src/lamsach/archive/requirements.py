"""Documents a campaign requires: records that must have a confirmed archived scan and have none.

A campaign declares `documents_required` (a parcel whose certificate serial is filled must have
its certificate's scan); each record without a confirmed document becomes an open finding under
*complete*, so the unit's completeness counts it like a missing field.
"""

from __future__ import annotations

from lamsach.backends.store import archive as catalogue
from lamsach.data import fill_template, load_schema, rule_templates
from lamsach.domain import DocumentRequirement

RULE = "document_missing"


def missing_document_findings(store, engine, campaign: str, tables: dict[str, str],
                              requirements: tuple[DocumentRequirement, ...]) -> list[dict]:
    """Findings (the pass's finding columns) for each required document no record has confirmed."""
    template = rule_templates()[RULE]
    rows: list[dict] = []
    for need in requirements:
        if need.dataset not in tables:
            continue
        label = load_schema(need.dataset).field(need.when_field).label_vi
        having = catalogue.confirmed_record_keys(store, campaign, need.dataset)
        column, table = engine.dialect.quote(need.when_field), engine.dialect.quote(tables[need.dataset])
        filled = engine.rows(f"SELECT record_id, __unit AS unit, CAST({column} AS VARCHAR) AS value FROM {table} "
                             f"WHERE {column} IS NOT NULL AND CAST({column} AS VARCHAR) <> '' ORDER BY record_id",
                             rule=RULE)
        for row in filled:
            if row["record_id"] in having:
                continue
            rows.append({"dataset": need.dataset, "record_id": row["record_id"], "unit": row["unit"],
                         "field": need.when_field, "criterion": template["criterion"], "rule": RULE,
                         "severity": template.get("severity", "error"), "status": "open",
                         "message": fill_template(template["vi"], {"document": need.document, "field": label,
                                                                   "value": row["value"]}),
                         "suggested_value": None})
    return rows
