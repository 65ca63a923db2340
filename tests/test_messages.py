"""Every error code and every rule has its wording in Vietnamese and English, with the same
placeholders, in NFC — the messages are what clerks read."""

from __future__ import annotations

import unicodedata
from string import Formatter

import pytest

from lamsach.data import error_templates, rule_templates
from lamsach.domain import CRITERIA, ErrorCode


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


@pytest.mark.parametrize("code", list(ErrorCode))
def test_error_code_has_both_languages(code):
    template = error_templates()[code.value]
    assert placeholders(template["vi"]) == placeholders(template["en"])
    assert unicodedata.is_normalized("NFC", template["vi"])


@pytest.mark.parametrize("rule", sorted(rule_templates()))
def test_rule_has_both_languages_and_a_criterion(rule):
    template = rule_templates()[rule]
    assert template["criterion"] in {c.value for c in CRITERIA}
    assert template.get("severity", "error") in ("error", "warning", "info")
    assert placeholders(template["vi"]) == placeholders(template["en"])
    assert unicodedata.is_normalized("NFC", template["vi"])


@pytest.mark.parametrize("rule", sorted(rule_templates()))
def test_every_rule_has_a_name_people_read_in_both_languages(rule):
    from lamsach.data import rule_label, rule_labels

    assert set(rule_labels()[rule]) == {"vi", "en"}
    assert rule_label(rule, "vi") != rule and unicodedata.is_normalized("NFC", rule_label(rule, "vi"))
