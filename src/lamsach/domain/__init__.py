"""The domain model every stage shares. Imports nothing else from lamsach."""

from lamsach.domain.errors import ErrorCode, LamsachError, Location, shown
from lamsach.domain.model import (
    CRITERIA,
    DATA_CRITERIA,
    CellProblem,
    Criterion,
    DatasetSchema,
    DocumentRequirement,
    FieldSpec,
    Finding,
    FindingStatus,
    Manifest,
    Rejection,
    Repair,
    Severity,
    SourceSpec,
)
from lamsach.domain.summary import PassSummary

__all__ = [
    "shown",
    "CRITERIA",
    "DATA_CRITERIA",
    "CellProblem",
    "Criterion",
    "DatasetSchema",
    "DocumentRequirement",
    "ErrorCode",
    "FieldSpec",
    "Finding",
    "FindingStatus",
    "LamsachError",
    "Location",
    "Manifest",
    "PassSummary",
    "Rejection",
    "Repair",
    "Severity",
    "SourceSpec",
]
