"""Where the tone mark sits in open oa/oe/uy syllables: "hóa" (traditional) or "hoá" (new style).

Both spellings are correct Vietnamese. The 2025 administrative catalogue writes unit names the
traditional way (Thanh Hóa, Thủy), so address text is brought to it (repair `old_tone`), while
personal names keep the registered spelling and are only compared through one position
(`names.name_key`). Only the open rimes oa, oe, uy move; "qu" + y ("Quý") and syllables with a
final consonant ("hoàn", "khuýt") are left where they are.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from lamsach.standardise.syllables import TONE_MARKS

_PAIRS = ("oa", "oe", "uy")


@lru_cache(maxsize=100_000)
def traditional_tone(word: str) -> str:
    """`word` with the tone of an open oa/oe/uy rime on its first vowel ("hoá" -> "hóa")."""
    return _move(word, to_first=True)


@lru_cache(maxsize=100_000)
def new_style_tone(word: str) -> str:
    """`word` with the tone of an open oa/oe/uy rime on its second vowel ("hóa" -> "hoá")."""
    return _move(word, to_first=False)


def _move(word: str, to_first: bool) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in TONE_MARKS]
    if len(tones) != 1:
        return word
    bare = "".join(c for c in decomposed if c not in TONE_MARKS)
    bare_nfc = unicodedata.normalize("NFC", bare)
    lower = bare_nfc.lower()
    if len(lower) < 2 or not lower.endswith(_PAIRS):
        return word
    start = len(lower) - 2
    if lower[start - 1 : start + 1] == "qu" or (start and lower[start - 1] in "aeiouyăâêôơư"):
        return word  # "quy" has u in its onset; "ngoai"-like clusters are not open oa/oe/uy
    target = start if to_first else start + 1
    moved = bare_nfc[:target] + bare_nfc[target] + tones[0] + bare_nfc[target + 1 :]
    return unicodedata.normalize("NFC", moved)
