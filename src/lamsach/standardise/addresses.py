"""Address columns and commune-code columns.

An address cell is encoding-repaired, then parsed and re-written (`address_resolve`): unit names
as the catalogue spells them, hamlets cased and spaced, the catalogue's tone position. What
changed is recorded as `spacing_case`, `old_tone` or `admin_unit_name`; an address naming an
abolished unit is reported with the rewritten address(es) as the suggestion. Derived columns give
the resolved commune and province codes and each part's text.
"""

from __future__ import annotations

import re

from lamsach.domain import CellProblem, Criterion, FieldSpec, Repair, Severity
from lamsach.standardise.address_resolve import ResolvedAddress, resolve_address
from lamsach.standardise.admin_units import catalogue
from lamsach.standardise.column import ColumnResult
from lamsach.standardise.text import collapse_spaces, repair_text_column, repair_text_map
from lamsach.standardise.tone import traditional_tone

_WORD = re.compile(r"[^\W\d_]+")
PART_COLUMNS: tuple[str, ...] = ("house", "hamlet", "commune", "district", "province")


def standardise_addresses(values: list[str | None], spec: FieldSpec, province: str | None = None) -> ColumnResult:
    """An address column; `province` (2025 code) is assumed where an address names none.
    Each distinct cell is worked out once; the rows are then filled by lookup, and only the
    rows with a repair or problem are visited one by one."""
    derived_names = ("commune_code", "province_code", *PART_COLUMNS)
    blank_row = (None, False, (None,) * len(derived_names), None, None, ())
    per_raw: dict[str | None, tuple] = {}
    for raw, (text, rule) in repair_text_map(set(values)).items():
        if text is None:
            per_raw[raw] = blank_row
            continue
        res = resolve_address(text, province)
        rules = tuple(dict.fromkeys(((rule,) if rule else ()) + _rules(text, res.text)))
        derived = (res.commune_code, res.province_code, *(res.parts.get(p) for p in PART_COLUMNS))
        per_raw[raw] = (res.text, bool(rules or res.abolished_unit), derived, res, text, rules)
    rows = [per_raw[v] for v in values]
    result = ColumnResult(values=[r[0] for r in rows])
    columns = list(zip(*(r[2] for r in rows), strict=True)) or [()] * len(derived_names)
    for what, column in zip(derived_names, columns, strict=True):
        result.derived[f"{spec.name}__{what}"] = list(column)
    for index in [i for i, r in enumerate(rows) if r[1]]:
        after, _, _, res, text, rules = rows[index]
        for rule in rules:
            # The encoding repair shows what decoding gave; the others what re-writing gave.
            if rule.startswith("encoding_"):
                result.repairs.append(Repair(index, rule, values[index], text))
            elif rule == "spacing_case":  # from the cell as sent: the spaces trimmed are part of it
                result.repairs.append(Repair(index, rule, values[index], after))
            else:
                result.repairs.append(Repair(index, rule, text, after))
        if res.abolished_unit:
            result.problems.append(_abolished(index, spec, res))
    return result


def _rules(before: str | None, after: str | None) -> tuple[str, ...]:
    """Which repairs turned `before` into `after`: tone position, spacing/case, unit names."""
    if before is None or after is None or before == after:
        return ()
    toned = _WORD.sub(lambda m: traditional_tone(m.group()), collapse_spaces(before))
    rules: list[str] = []
    if toned.lower() != collapse_spaces(before).lower():
        rules.append("old_tone")
    if _loose(toned) == _loose(after):
        if toned != after or before != collapse_spaces(before):
            rules.append("spacing_case")
    else:
        rules.append("admin_unit_name")
    return tuple(rules)


def _loose(text: str) -> str:
    return collapse_spaces(text.replace(",", ", ")).lower().replace(" ,", ",")


def _abolished(index: int, spec: FieldSpec, res: ResolvedAddress) -> CellProblem:
    suggestion = " | ".join(s for s in res.suggestions if s) or None
    params = {"field": spec.label_vi, "value": res.text, "unit": res.abolished_unit, "suggestion": suggestion or "?"}
    return CellProblem(index, spec.name, "abolished_admin_unit", Criterion.CORRECT, params=params,
                       suggested_value=suggestion)


def standardise_commune_codes(values: list[str | None], spec: FieldSpec) -> ColumnResult:
    """Commune codes as 5-digit text; `<field>__resolved` is the catalogue's code for it
    (a known conflicting copy's code maps to the catalogue's, reported as `admin_unit_conflict`)."""
    text, repairs = repair_text_column(values)
    result = ColumnResult(values=list(text), repairs=repairs)
    cat = catalogue()
    resolved: list[str | None] = []
    for index, value in enumerate(text):
        if value is None:
            resolved.append(None)
            continue
        code = value[:-2] if value.endswith(".0") else value
        if code.isdigit() and len(code) < 5:
            code = code.zfill(5)
            result.repairs.append(Repair(index, "id_leading_zero_lost", value, code))
        result.values[index] = code
        if code in cat.communes:
            resolved.append(code)
        elif code in cat.conflicts:
            current, codes = cat.conflicts[code]
            resolved.append(current)
            unit = cat.communes[current].full_name
            result.problems.append(
                CellProblem(index, spec.name, "admin_unit_conflict", Criterion.CORRECT, Severity.WARNING,
                            {"field": spec.label_vi, "unit": unit, "codes": ", ".join(codes), "code": current},
                            suggested_value=current)
            )
        elif code in cat.old_codes:
            targets = sorted({o.new_code for o in cat.old_codes[code]})
            resolved.append(targets[0] if len(targets) == 1 else None)
            old = cat.old_codes[code][0]
            result.problems.append(
                CellProblem(index, spec.name, "abolished_admin_unit", Criterion.CORRECT,
                            params={"field": spec.label_vi, "value": code, "unit": f"{old.kind} {old.name}",
                                    "suggestion": " | ".join(targets)},
                            suggested_value=" | ".join(targets))
            )
        else:
            resolved.append(None)
            result.problems.append(
                CellProblem(index, spec.name, "code_not_in_table", Criterion.CORRECT,
                            params={"field": spec.label_vi, "value": code, "table": "đơn vị hành chính 2025"})
            )
    result.derived[f"{spec.name}__resolved"] = resolved
    return result


def commune_name(code: str) -> str:
    """"xã Nga Sơn" for a 2025 commune code, the code itself when unknown."""
    unit = catalogue().communes.get(code)
    return unit.full_name if unit else code

