"""Personal ID numbers hidden from those who do not need them: `038******643`.

An ID can also sit inside a message ("Số định danh 038093004643 không có…") or a change reason,
so text is masked by pattern as well as fields by type.
"""

from __future__ import annotations

import logging
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


class MaskIds(logging.Filter):
    """A logging filter masking ID-like digit runs in a record's message and arguments: the
    server's access log prints request paths, and a lookup's query string carries a citizen ID."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_text(a) if isinstance(a, str) else a for a in record.args)
        return True



def mask_server_logs() -> None:
    """Mask IDs in what the server logs (request lines carry a lookup's query string). Set on the
    loggers in each server process once the app is made: a filter in uvicorn's logging
    configuration would not reach its worker processes (the configuration is copied to them after
    the parent has replaced its filter entries by objects)."""
    for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error", "lamsach"):
        logger = logging.getLogger(name)
        for holder in (logger, *logger.handlers):
            if not any(isinstance(f, MaskIds) for f in holder.filters):
                holder.addFilter(MaskIds())
