"""Validate: rule specs (data in the schema files) compiled to SQL and run over whole datasets."""

from lamsach.validate.context import RuleContext, register_by_id_sql
from lamsach.validate.datasets import FINDING_SCHEMA, validate_datasets
from lamsach.validate.runner import FINDING_COLUMNS, rule_catalogue, rule_specs, rule_table, run_rules

__all__ = ["FINDING_COLUMNS", "FINDING_SCHEMA", "validate_datasets", "RuleContext", "register_by_id_sql", "rule_catalogue", "rule_specs", "rule_table", "run_rules"]
