"""Put back the TCVN3 "ư" that Office dropped.

TCVN3 stores the bare ư as byte 0xAD, which Windows-1252 calls a soft hyphen; Word and Excel often
drop it, so "Phương" arrives as "Ph¬ng" and decodes to "Phơng", "Hưng" to "Hng". A decoded word
that is not a syllable is tried with ư inserted before its ơ or after its onset; the first
insertion that makes a syllable wins. Words that are valid either way ("người"/"ngời") are left.
"""

from __future__ import annotations

import re
import unicodedata

from lamsach.standardise.syllables import is_syllable, split_tone

_WORD = re.compile(r"[^\W\d_]+")


def restore_dropped_u(text: str) -> str:
    """`text` with ư restored in each word that only becomes Vietnamese with it."""
    return _WORD.sub(lambda m: _restore(m.group()), text)


def _restore(word: str) -> str:
    if is_syllable(word):
        return word
    upper = word.isupper() and len(word) > 1
    for i in range(1, len(word) + 1):
        candidate = word[:i] + ("Ư" if upper else "ư") + word[i:]
        if _plausible_insert(word, i) and is_syllable(candidate):
            return unicodedata.normalize("NFC", candidate)
    return word


def _plausible_insert(word: str, i: int) -> bool:
    """ư goes before an ơ (ươ), or into a lower/title-case word of two or more consonants
    ("Hng", "Nh"); never into an abbreviation ("TP") or a lone letter ("m" of "m2")."""
    following = word[i : i + 1].lower()
    if following and split_tone(following)[0] == "ơ":
        return True
    if len(word) < 2 or word.isupper():
        return False
    return not any(split_tone(ch.lower())[0] in "aăâeêioôơuưy" for ch in word)
