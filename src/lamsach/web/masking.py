"""Personal ID numbers hidden from those who do not need them: `038******643`.

An ID can also sit inside a message ("Số định danh 038093004643 không có…") or a change reason,
so text is masked by pattern as well as fields by type.
"""

from __future__ import annotations

import re

ID_PATTERN = re.compile(r"(?<!\d)(\d{3})(\d{3,6})(\d{3})(?!\d)")


def mask_id(value: str | None) -> str | None:
    """Keep the first three digits (the province) and the last three; hide the rest."""
    if not value:
        return value
    text = str(value)
    if len(text) < 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 6) + text[-3:]


def mask_text(text: str | None) -> str | None:
    """Every run of 9 to 12 digits in `text` masked as an ID."""
    if not text:
        return text
    return ID_PATTERN.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), str(text))
