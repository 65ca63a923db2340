"""VIQR (RFC 1456): Vietnamese written in ASCII with mnemonic marks after each vowel.

`(` breve, `^` circumflex, `+` horn, then `'` acute, `` ` `` grave, `?` hook, `~` tilde, `.` dot;
`dd`/`DD` is đ/Đ; a backslash makes the next character literal. The mark characters are also
ordinary punctuation, so `decode_viqr` is only applied to cells detection judged to be VIQR.
"""

from __future__ import annotations

import unicodedata

_MODIFIERS = {"(": "\u0306", "^": "\u0302", "+": "\u031b"}
_TONES = {"'": "\u0301", "`": "\u0300", "?": "\u0309", "~": "\u0303", ".": "\u0323"}
_MODIFIER_OF = {v: k for k, v in _MODIFIERS.items()}
_TONE_OF = {v: k for k, v in _TONES.items()}
# Which modifier a base vowel can take (a( a^ e^ o^ o+ u+).
_ALLOWED = {"a": "(^", "e": "^", "o": "^+", "u": "+", "i": "", "y": ""}
_VOWELS = frozenset("aeiouyAEIOUY")
_MARK_CHARS = frozenset(_MODIFIERS) | frozenset(_TONES)


def encode_viqr(text: str) -> str:
    """VIQR for NFC text; literal mark characters after a vowel or `d` are escaped."""
    out: list[str] = []
    prev_takes_marks = False
    for ch in unicodedata.normalize("NFC", text):
        if ch in "đĐ":
            out.append("dd" if ch == "đ" else "DD")
            prev_takes_marks = False
            continue
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        if base in _VOWELS and all(m in _MODIFIER_OF or m in _TONE_OF for m in marks):
            modifier = "".join(_MODIFIER_OF[m] for m in marks if m in _MODIFIER_OF)
            tone = "".join(_TONE_OF[m] for m in marks if m in _TONE_OF)
            out.append(base + modifier + tone)
            prev_takes_marks = True
            continue
        if (ch in _MARK_CHARS and prev_takes_marks) or ch == "\\" or (ch in "dD" and out and out[-1] in "dD"):
            out.append("\\")
        out.append(ch)
        prev_takes_marks = ch in _VOWELS
    return "".join(out)


def decode_viqr(text: str) -> str:
    """Unicode (NFC) for VIQR text."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            out.append(text[i + 1])
            i += 2
            continue
        if ch in "dD" and i + 1 < n and text[i + 1] in "dD":
            out.append("đ" if ch == "d" else "Đ")
            i += 2
            continue
        if ch in _VOWELS:
            i += 1
            marks = ""
            if i < n and text[i] in _MODIFIERS and text[i] in _ALLOWED[ch.lower()]:
                marks += _MODIFIERS[text[i]]
                i += 1
            if i < n and text[i] in _TONES:
                marks += _TONES[text[i]]
                i += 1
            out.append(unicodedata.normalize("NFC", ch + marks))
            continue
        out.append(ch)
        i += 1
    return "".join(out)
