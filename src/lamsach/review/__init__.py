"""Review stage: the correction workbook a unit receives, fixes in Excel and sends back.

`export_correction_workbook` writes one unit's workbook from a round's open findings;
`apply_correction_workbook` turns the cells the unit changed into versioned edits (source
"unit workbook"), and the merges and retirements chosen in its "Xử lý" column into the same
versioned changes the web and the command line make, or refuses the file with every problem
located. Re-checking is the next pass.
"""

from lamsach.review.apply import ApplyResult, apply_correction_workbook
from lamsach.review.export import WorkbookSummary, export_correction_workbook
from lamsach.review.layout import SOURCE

__all__ = [
    "SOURCE",
    "ApplyResult",
    "WorkbookSummary",
    "apply_correction_workbook",
    "export_correction_workbook",
]
