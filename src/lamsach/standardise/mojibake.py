"""UTF-8 bytes shown as Windows-1252 ("Nguyá»…n") turned back into text.

Windows-1252 leaves five bytes undefined (81 8D 8F 90 9D). A lossless reader shows them as the C1
control of the same number; a lossy one as U+FFFD, which loses which byte it was — and ề, ọ, ỏ,
Ố, ờ, Đ, Á, Í and Ý all contain one. Each such token is resolved by trying the five bytes and
keeping the reading that is a Vietnamese syllable in a sensible case.
"""

from __future__ import annotations

import itertools
import re

from lamsach.standardise.encoding_tables import surface_bytes
from lamsach.standardise.syllables import is_syllable, split_tone

# Tried in this order, so ties go to the commoner letter: ờ/Ý, ề/Á, ọ/Í, ỏ/Ï, Ố/Đ.
_UNDEFINED = (0x9D, 0x81, 0x8D, 0x8F, 0x90)
_TOKEN = re.compile(r"[^ \t\r\n]+")
_WORD = re.compile(r"[^\W\d_]+")
_MAX_UNKNOWN = 6


def decode_mojibake(text: str) -> str:
    """Text whose UTF-8 bytes were read as Windows-1252; tokens that are not are left as they are."""
    return _TOKEN.sub(lambda m: _decode_token(m.group()), text)


def _decode_token(token: str) -> str:
    if token.isascii():
        return token
    if "\ufffd" not in token:
        raw = surface_bytes(token)
        if raw is None:
            return token
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return token
    holes = token.count("\ufffd")
    if holes > _MAX_UNKNOWN:
        return token
    best: tuple[int, str] | None = None
    for fill in itertools.product(_UNDEFINED, repeat=holes):
        candidate = _fill(token, fill)
        if candidate is None:
            continue
        score = _plausibility(candidate)
        if best is None or score > best[0]:
            best = (score, candidate)
    return token if best is None else best[1]


def _fill(token: str, fill: tuple[int, ...]) -> str | None:
    parts = token.split("\ufffd")
    raw = bytearray()
    for i, part in enumerate(parts):
        chunk = surface_bytes(part)
        if chunk is None:
            return None
        raw += chunk
        if i < len(fill):
            raw.append(fill[i])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _plausibility(text: str) -> int:
    """More for each word that is a syllable in a normal case; a run of letters sharing one base
    (a list such as "ềểễếệ", no letter twice) breaks the remaining ties; otherwise the earlier reading wins."""
    score = 0
    for word in _WORD.findall(text):
        if is_syllable(word):
            score += 4
        if word.islower() or word.isupper() or word.istitle():
            score += 2
        marked = [split_tone(ch.lower())[0] for ch in word if not ch.isascii()]
        score += sum(1 for a, b in itertools.pairwise(marked) if a == b) + len(set(word))
    return score
