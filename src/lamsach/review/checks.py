"""Edited values checked with the standardise stage, as the next pass would read them.

A value the pass could not make canonical (a date that is not a date, an ID that is neither 12
nor 9 digits, a sex other than Nam/Nữ, a code not in its table) is refused before anything is
stored, so a unit fixes its own typing instead of meeting it again as next week's finding.
Warnings (an old 9-digit CMND) and cross-record checks stay findings of the next pass.
"""

from __future__ import annotations

from datetime import date

from lamsach.data import load_schema
from lamsach.domain import CellProblem, ErrorCode, FieldSpec, LamsachError, Severity
from lamsach.review.edits import Edit
from lamsach.standardise import standardise_dataset


def value_errors(edits: list[Edit], reference_date: date) -> list[LamsachError]:
    """One `LamsachError` per problem of an edited, non-empty value, located at its cell."""
    groups: dict[tuple[str, str], list[Edit]] = {}
    for edit in edits:
        if edit.value is not None:
            groups.setdefault((edit.dataset, edit.field.name), []).append(edit)
    errors: list[LamsachError] = []
    for (dataset, name), group in groups.items():
        result = standardise_dataset(load_schema(dataset), {name: [e.value for e in group]}, reference_date)
        for problem in result.problems:
            if problem.field != name or problem.severity != Severity.ERROR:
                continue
            edit = group[problem.index]
            code, params = _code(problem, edit.field)
            errors.append(LamsachError(code, edit.location, {**params, "value": edit.value}))
    return sorted(errors, key=lambda e: (e.location.sheet or "", e.location.row or 0, e.location.column or ""))


def _code(problem: CellProblem, spec: FieldSpec) -> tuple[ErrorCode, dict]:
    """The error code telling the officer what the field expects, with its placeholders."""
    params = problem.params
    match problem.rule:
        case "date_invalid":
            return (ErrorCode.REVIEW_CELL_NOT_YEAR if spec.type == "year" else ErrorCode.REVIEW_CELL_NOT_DATE), {}
        case "date_in_future":
            return ErrorCode.REVIEW_CELL_DATE_IN_FUTURE, {"reference_date": params.get("reference_date", "")}
        case "format_invalid" if spec.type == "id":
            return ErrorCode.REVIEW_CELL_ID_INVALID, {}
        case "format_invalid" if spec.type == "number":
            return ErrorCode.REVIEW_CELL_NOT_NUMBER, {}
        case "format_invalid":
            return ErrorCode.REVIEW_CELL_FORMAT_INVALID, {"expected": params.get("expected", "")}
        case "id_province_invalid":
            return ErrorCode.REVIEW_CELL_ID_PROVINCE, {"prefix": params.get("prefix", "")}
        case "code_not_in_table" if spec.type == "sex":
            return ErrorCode.REVIEW_CELL_SEX_INVALID, {}
        case "code_not_in_table":
            return ErrorCode.REVIEW_CELL_CODE_UNKNOWN, {"table": params.get("table", "")}
        case "abolished_admin_unit":
            return ErrorCode.REVIEW_CELL_UNIT_ABOLISHED, {"unit": params.get("unit", ""),
                                                          "suggestion": params.get("suggestion", "")}
    return ErrorCode.REVIEW_CELL_INVALID, {"rule": problem.rule}
