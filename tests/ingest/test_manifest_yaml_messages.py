"""Every problem of a hand-written manifest or campaign file is told in Vietnamese, naming the
file, the line and the key: YAML syntax errors (PyYAML's English never reaches the user) and
values of the wrong type alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lamsach.campaign import load_campaign
from lamsach.domain import LamsachError
from lamsach.ingest import load_manifest

HEAD = "name: Thử\nprovince: '38'\n"
SOURCES = "sources:\n  - path: a.csv\n    dataset: birth\n"
# words of PyYAML's own messages and of the English templates: none may show in a Vietnamese one
ENGLISH = re.compile(r"\b(mapping|allowed|found|expected|scanning|while|could not|must|needs|not a)\b", re.I)


def _errors(load, path: Path) -> list[LamsachError]:
    try:
        load(path)
    except LamsachError as error:
        return [error]
    except ExceptionGroup as group:
        return [e for e in group.exceptions if isinstance(e, LamsachError)]
    raise AssertionError("the file was accepted")


def _write(folder: Path, text: str, name: str = "manifest.yaml") -> Path:
    (folder / "a.csv").write_text("x\n", encoding="utf-8")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


SYNTAX = {
    # text: (code, line, key named)
    "a value with a colon": (HEAD.replace("Thử", "Thử: đợt 1") + SOURCES, "MANIFEST_YAML_COLON", 1, "name"),
    "a tab for indentation": (HEAD + "sources:\n\t- path: a.csv\n", "MANIFEST_YAML_TAB", 4, "path"),
    "an unclosed bracket": (HEAD + "sources:\n  - path: [a.csv\n    dataset: birth\n", "MANIFEST_YAML_UNCLOSED", 4,
                            "path"),
    "an unclosed quote": ('name: "Thử\nprovince: \'38\'\n' + SOURCES, "MANIFEST_YAML_UNCLOSED", 1, "name"),
    "a key out of line": (HEAD + "sources:\n  - path: a.csv\n   dataset: birth\n", "MANIFEST_YAML_INDENT", 5,
                          "dataset"),
}


@pytest.mark.parametrize("case", list(SYNTAX))
def test_a_yaml_syntax_error_names_file_line_and_key_in_vietnamese(tmp_path, case):
    text, code, line, key = SYNTAX[case]
    for load, name in ((load_manifest, "manifest.yaml"), (load_campaign, "campaign.yaml")):
        [error] = _errors(load, _write(tmp_path, text, name))
        assert (error.code.value, error.location.row, error.params["key"]) == (code, line, key)
        message = error.message("vi")
        assert message.startswith(f"Tệp {tmp_path / name}, dòng {line}: ") and f"“{key}”" in message
        assert not ENGLISH.search(message), message
        assert error.message("en") != message  # the English template is the catalogue's own, not PyYAML's


def test_values_of_the_wrong_type_name_their_key_and_line(tmp_path):
    text = (HEAD + "reference_date: 20/11/2026\n"            # 3
            "rules: [date_in_future]\n"                       # 4
            "freshness_days: {land_parcel: -3}\n"             # 5
            "documents_required:\n  - {dataset: land_parcel}\n"  # 6, 7
            "sources:\n"                                      # 8
            "  - path: a.csv\n    dataset: birth\n    columns: [Họ tên]\n    ignore_columns: Ghi chú\n"  # 9-12
            "  - chỉ một dòng chữ\n")                         # 13
    errors = _errors(load_manifest, _write(tmp_path, text))
    found = {(e.code.value, e.params.get("key"), e.location.row) for e in errors}
    assert found == {
        ("CAMPAIGN_DATE_INVALID", "reference_date", 3),
        ("MANIFEST_VALUE_NOT_MAPPING", "rules", 4),
        ("CAMPAIGN_NUMBER_INVALID", "freshness_days.land_parcel", 5),
        ("MANIFEST_DOCUMENT_ENTRY_INVALID", "documents_required[1]", 7),
        ("MANIFEST_VALUE_NOT_MAPPING", "sources[1].columns", 11),
        ("MANIFEST_VALUE_NOT_LIST", "sources[1].ignore_columns", 12),
        ("MANIFEST_VALUE_NOT_MAPPING", "sources[2]", 13),
    }
    for error in errors:
        message = error.message("vi")
        assert f"dòng {error.location.row}" in message and f"“{error.params['key']}”" in message
        assert not ENGLISH.search(message), message


def test_rule_settings_are_checked_key_by_key(tmp_path):
    text = (HEAD + "rules:\n  date_in_futur: {enabled: false}\n  date_invalid:\n    severty: warning\n"
            "  format_invalid: {severity: high}\n  id_province_invalid: {enabled: 'có'}\n" + SOURCES)
    errors = {e.code.value: e for e in _errors(load_manifest, _write(tmp_path, text))}
    assert errors["MANIFEST_RULE_UNKNOWN"].params["nearest"] == "date_in_future"
    assert errors["MANIFEST_RULE_UNKNOWN"].location.row == 4
    assert (errors["MANIFEST_KEY_UNKNOWN"].params["key"], errors["MANIFEST_KEY_UNKNOWN"].location.row) == (
        "rules.date_invalid.severty", 6)
    assert errors["MANIFEST_VALUE_NOT_CHOICE"].location.row == 7
    assert "error, warning, info" in errors["MANIFEST_VALUE_NOT_CHOICE"].message("vi")
    assert errors["MANIFEST_VALUE_NOT_BOOLEAN"].location.row == 8
    for error in errors.values():
        assert not ENGLISH.search(error.message("vi")), error.message("vi")


def test_a_campaign_files_sections_of_the_wrong_shape_are_errors_not_tracebacks(tmp_path):
    text = (HEAD + 'start: "2026-10-01"\ndeadline: 31/12/2026\n'    # 3, 4
            "targets: 0.9\n"                                        # 5
            "units: 16012\n"                                        # 6
            "lagging: 14\n"                                         # 7
            "report: UBND tỉnh\n" + SOURCES)                        # 8
    errors = _errors(load_campaign, _write(tmp_path, text, "campaign.yaml"))
    found = {(e.code.value, e.params.get("key"), e.location.row) for e in errors}
    assert found == {
        ("CAMPAIGN_DATE_INVALID", "deadline", 4),
        ("MANIFEST_VALUE_NOT_MAPPING", "targets", 5),
        ("MANIFEST_VALUE_NOT_LIST", "units", 6),
        ("MANIFEST_VALUE_NOT_MAPPING", "lagging", 7),
        ("MANIFEST_VALUE_NOT_MAPPING", "report", 8),
    }
    for error in errors:
        message = error.message("vi")
        assert message.startswith(f"Tệp {tmp_path / 'campaign.yaml'}, dòng {error.location.row}: ")
        assert not ENGLISH.search(message), message


def test_a_file_that_is_not_utf8_says_so_in_vietnamese(tmp_path):
    path = tmp_path / "manifest.yaml"
    path.write_bytes((HEAD.replace("Thử", "Phú") + SOURCES).encode("latin-1"))  # saved in a legacy code page
    [error] = _errors(load_manifest, path)
    assert error.code.value == "MANIFEST_NOT_UTF8" and "UTF-8" in error.message("vi")
    assert not ENGLISH.search(error.message("vi"))
