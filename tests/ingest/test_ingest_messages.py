"""Every error code ingest raises has a Vietnamese and an English template with the same placeholders."""

from __future__ import annotations

from string import Formatter

import pytest

from lamsach.data import error_templates
from lamsach.domain import ErrorCode

INGEST_CODES = [c for c in ErrorCode if c.value.startswith(("INGEST_", "MANIFEST_"))]


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


@pytest.mark.parametrize("code", INGEST_CODES, ids=str)
def test_both_languages_same_placeholders(code: ErrorCode) -> None:
    templates = error_templates()[code.value]
    assert templates["vi"] and templates["en"]
    assert placeholders(templates["vi"]) == placeholders(templates["en"])
