"""Is this token a Vietnamese syllable? The test that tells real text from misread bytes.

Legacy text read in the wrong code page is made of plausible letters ("Thoân", "NguyÔn") but not
of Vietnamese syllables. A syllable is an onset, a rime and at most one tone, with two spelling
constraints (k/gh/ngh only before i, y, e, ê; stop codas take only the sắc or nặng tone). The
inventory is data (`catalogues/standardise/syllables.yaml`).
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

from lamsach.data import load_yaml

TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
"""grave (huyền), acute (sắc), tilde (ngã), hook (hỏi), dot below (nặng)."""

_VOWELS = frozenset("aăâeêioôơuưy")
_MARKED_VOWELS = frozenset("ăâêôơư")
_EITHER_SLOT = frozenset({"oa", "oe", "uy"})
"""Open rimes whose tone sits on either vowel: hòa/hoà, hòe/hoè, thủy/thuỷ."""


@cache
def _inventory() -> dict:
    doc = load_yaml("catalogues/standardise/syllables.yaml", "catalogue")
    onsets = sorted(doc["onsets"], key=len, reverse=True)
    return {
        "onsets": onsets,
        "front_only": frozenset(doc["front_only_onsets"]),
        "not_front": frozenset(doc["not_front_onsets"]),
        "front": tuple(doc["front_vowels"]),
        "stops": tuple(doc["stop_codas"]),
        "rimes": frozenset(doc["rimes"].split()),
    }


def split_tone(syllable: str) -> tuple[str, str]:
    """(the syllable without tone marks in NFC, the tone marks found) for a lower-case syllable."""
    parts = unicodedata.normalize("NFD", syllable)
    tones = "".join(c for c in parts if c in TONE_MARKS)
    bare = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
    return bare, tones


@lru_cache(maxsize=65536)
def is_syllable(token: str) -> bool:
    """True when `token` (any case) is a well-formed Vietnamese syllable."""
    lower = unicodedata.normalize("NFC", token.lower())
    bare, tones = split_tone(lower)
    if len(tones) > 1 or not bare or len(bare) != len(lower):
        return False
    toned_at = next((i for i, ch in enumerate(lower) if ch != bare[i]), None)
    inv = _inventory()
    for onset, rime in _splits(bare, inv["onsets"]):
        if not _rime_ok(onset, rime, inv):
            continue
        if tones and tones in "\u0300\u0303\u0309" and rime.endswith(inv["stops"]):
            continue
        if toned_at is not None and toned_at not in tone_slots(onset, rime):
            continue
        return True
    return False


def tone_slots(onset: str, rime: str) -> set[int]:
    """Indices (in onset + rime) where the tone mark may sit; both for open oa/oe/uy."""
    start = len(onset)
    if onset == "gi" and not rime:
        return {start - 1}
    if onset == "q":
        rime, start = rime[1:], start + 1
    n = 0
    while n < len(rime) and rime[n] in _VOWELS:
        n += 1
    cluster, coda = rime[:n], rime[n:]
    if not cluster:
        return set()
    marked = [i for i, ch in enumerate(cluster) if ch in _MARKED_VOWELS]
    if marked:
        return {start + marked[-1]}
    if len(cluster) == 1 or coda:
        return {start + len(cluster) - 1}
    if cluster in _EITHER_SLOT:
        return {start, start + 1}
    return {start + 1} if len(cluster) == 3 else {start}


def _splits(bare: str, onsets: list[str]):
    """Candidate (onset, rime) readings; "gi" and "qu" are read both ways."""
    yield "", bare
    for onset in onsets:
        if bare.startswith(onset) and len(bare) >= len(onset):
            yield onset, bare[len(onset) :]


def _rime_ok(onset: str, rime: str, inv: dict) -> bool:
    rimes = inv["rimes"]
    if onset == "gi" and (rime == "" or rime in rimes):
        return not rime.startswith("i") or rime in ("", "in", "it")  # gìn, gịt are rare but real
    if not rime:
        return False
    if onset == "q":
        return rime.startswith("u") and (rime in rimes or "o" + rime[1:] in rimes or rime[1:] in rimes)
    if rime not in rimes:
        return False
    front = rime.startswith(inv["front"])
    if onset in inv["front_only"] and not front:
        return False
    if onset in inv["not_front"] and front:
        return False
    return not (onset == "g" and rime.startswith(("e", "ê")))


_LOOSE_ONSET = frozenset("bcdđfghjklmnpqrstvwxz")
_LOOSE_CODA = ("ng", "nh", "ch", "c", "k", "m", "n", "p", "t", "h", "l", "r", "s", "")


@lru_cache(maxsize=65536)
def is_loose_syllable(token: str) -> bool:
    """Has the shape of a syllable without being Vietnamese: any consonant cluster, a vowel
    cluster Vietnamese has, a simple coda, one well-placed tone. Minority-language names in the
    catalogue ("Pơng", "Dliê", "Hrú") pass; misread bytes ("Xaõ", "Thoân", "Lª") do not."""
    lower = unicodedata.normalize("NFC", token.lower())
    bare, tones = split_tone(lower)
    if len(tones) > 1 or len(bare) != len(lower):
        return False
    i = 0
    while i < len(bare) and bare[i] in _LOOSE_ONSET:
        i += 1
    j = i
    while j < len(bare) and bare[j] in _VOWELS:
        j += 1
    onset, cluster, coda = bare[:i], bare[i:j], bare[j:]
    if not cluster or coda not in _LOOSE_CODA or cluster not in _clusters():
        return False
    toned_at = next((k for k, ch in enumerate(lower) if ch != bare[k]), None)
    return toned_at is None or toned_at in tone_slots(onset, cluster + (coda or ""))


@cache
def _clusters() -> frozenset[str]:
    """Vowel clusters of the rime inventory ("oa", "uyê", "ươ", …)."""
    out = set()
    for rime in _inventory()["rimes"]:
        k = 0
        while k < len(rime) and rime[k] in _VOWELS:
            k += 1
        out.add(rime[:k])
    return frozenset(out)
