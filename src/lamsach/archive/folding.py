"""Text as search compares it: without tone marks, đ as d, lower case — "dat dai" finds "đất đai".

Folding maps each character of NFC text to exactly one character, so a position in the folded
text is the same position in the original: a match found in the folded text is shown as a
snippet of the original, with its tone marks, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

SNIPPET_CHARS = 160  # how much of the text around the first match a result shows


@cache
def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)[0]
    if not base.isprintable() or unicodedata.combining(base):
        return " "
    return base.lower() if len(base.lower()) == 1 else base


def fold(text: str) -> str:
    """`text` in NFC, each character replaced by its toneless lower-case base letter."""
    return "".join(_fold_char(c) for c in unicodedata.normalize("NFC", text))


_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str) -> list[str]:
    """The words of a query, folded; punctuation and quotes dropped."""
    return _WORD.findall(fold(query))


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """The stretch of `text` around the first place one of `terms` occurs, ellipses where cut."""
    text = unicodedata.normalize("NFC", text)
    folded = fold(text)
    hits = [m.start() for term in terms for m in [re.search(rf"\b{re.escape(term)}", folded)] if m]
    start = max(0, min(hits) - width // 3) if hits else 0
    end = min(len(text), start + width)
    piece = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")
