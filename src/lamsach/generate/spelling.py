"""How clerks really type Vietnamese: old tone placement, stray spaces and case, small typos.

These are the surface variants the generator plants (and a name variant can use); each function
returns the variant and leaves the caller to compare it with the original, because some inputs
have no variant (a name without an open oa/oe/uy syllable cannot be written in the old style).
"""

from __future__ import annotations

import random
import re
import unicodedata

TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_OPEN_PAIRS = ("oa", "oe", "uy")
_WORD = re.compile(r"\w+")


def _old_tone_word(match: re.Match[str]) -> str:
    """"Hóa" -> "Hoá", "Thủy" -> "Thuỷ": the tone of an open oa/oe/uy syllable on its second vowel."""
    word = match.group(0)
    decomposed = unicodedata.normalize("NFD", word)
    tones = [i for i, ch in enumerate(decomposed) if ch in TONE_MARKS]
    if len(tones) != 1:
        return word
    tone_at = tones[0]
    base = decomposed[:tone_at] + decomposed[tone_at + 1 :]
    lower = base.lower()
    if len(base) < 2 or not lower.endswith(_OPEN_PAIRS) or lower[-3:-1] == "qu":
        return word
    if tone_at != len(base) - 1:  # the tone is not on the pair's first vowel
        return word
    return unicodedata.normalize("NFC", base + decomposed[tone_at])


def old_tone(text: str) -> str:
    """The text with every open oa/oe/uy syllable written in the old style ("Thanh Hoá")."""
    return _WORD.sub(_old_tone_word, text)


def messy_spacing_case(rng: random.Random, text: str) -> str:
    """The text as a hurried clerk typed it: doubled or stray spaces, all capitals or none."""
    variants = [
        lambda t: t.replace(" ", "  ", 1),
        lambda t: f" {t}  ",
        lambda t: t.upper(),
        lambda t: t.lower(),
        lambda t: t.replace(", ", " , ", 1) if ", " in t else t.replace(" ", "   ", 1),
    ]
    first, second = rng.sample(variants, 2)
    messy = first(text)
    if rng.random() < 0.5:
        messy = second(messy)
    return messy if messy != text else f"{text} "


def strip_one_tone(word: str) -> str:
    """The word without its tone mark ("Hương" -> "Hương" stays, "Hồng" -> "Hông")."""
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONE_MARKS))


def typo(rng: random.Random, name: str) -> str:
    """A small slip in a full name: last letter dropped, a tone lost, or the old tone placement."""
    words = name.split(" ")
    last = words[-1]
    choices = []
    if len(last) > 2:
        choices.append(" ".join([*words[:-1], last[:-1]]))
    toneless = [i for i, w in enumerate(words) if strip_one_tone(w) != w]
    if toneless:
        i = rng.choice(toneless)
        choices.append(" ".join(strip_one_tone(w) if j == i else w for j, w in enumerate(words)))
    if old_tone(name) != name:
        choices.append(old_tone(name))
    return rng.choice(choices) if choices else name.upper()
