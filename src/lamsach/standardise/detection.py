"""Which legacy encoding a cell is in, decided from the cell and, when it is ambiguous, its column.

A cell is only decoded when it could be legacy text (every character one a single byte can show)
and is not Vietnamese as it stands (a non-ASCII word that is no syllable, a stray symbol such as
"§", "ª", "·", VIQR marks). Correct text like "Lê Thị Hoa" is never touched. Short cells can read
well in more than one encoding ("Lª ThÞ Hoa" is "Lê Thị Hoa" in TCVN3 and "Lế Thỡ Hoa" in
VISCII), and some read well undecoded ("CÕn" is VISCII for "Cạn"): the column decides. Its cells
vote — an encoding for each cell only it explains, "unicode" for each cell holding characters no
legacy byte shows — and a column where nine votes in ten agree is consistent: its encoding is
applied to every cell it reads no worse, unless another encoding reads a cell decisively better
(a VNI cell merged into a TCVN3 file). A mixed column is decided cell by cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache

from lamsach.standardise.encoding_tables import surface_to_byte
from lamsach.standardise.encodings import decode
from lamsach.standardise.syllables import is_loose_syllable, is_syllable
from lamsach.standardise.tcvn3_u import restore_dropped_u

LEGACY: tuple[str, ...] = ("tcvn3", "vni", "utf8_mojibake", "viscii", "cp1258", "viqr")
"""Candidate encodings, most common in Vietnamese administrative files first (the tie-break)."""

UNICODE = "unicode"
"""The vote of a cell that can only be Unicode."""

_WORD = re.compile(r"[^\W\d_]+")
VIQR_HINT = r"[aeiouyAEIOUY][(^+`?~'.]|\b[dD][dD]"
"""A vowel followed by a VIQR tone or shape mark, or VIQR's "dd" (đ): the cell may be VIQR. The
pattern reads the same in Python's `re` and in RE2 (Arrow) on ASCII text."""
_VIQR_HINT = re.compile(VIQR_HINT)
_VIQR_MARK = re.compile(r"[aeiouyAEIOUY][(^+`~]|[aeiouyAEIOUY]\?(?!$)|[aeiouyAEIOUY]'(?=[A-Za-z])|[aeiouyAEIOUY]'$")
_ODD_CHAR = re.compile(r"[^\w\s]|_|[\x00-\x1f\x7f-\x9f\u00ad]")
_CONSISTENT = 0.9
_DECISIVE = 0.2
_PLAIN = frozenset(" \t\u00a0,.;:-/()'\"&+#%!?[]{}*_=<>@|~`^\\\u2018\u2019\u201c\u201d\u2013\u2014\u2026")


@dataclass(frozen=True)
class Reading:
    """One way to read a cell: the text, the encoding it assumes (None: as is), its badness."""

    encoding: str | None
    text: str
    badness: float


def badness(text: str) -> float:
    """How un-Vietnamese a text reads: 1 per non-ASCII word that is no syllable (0.5 if it has
    a syllable's shape, as minority-language names do: "Pơng", "Dliê"), 1 per stray symbol or
    control character or VIQR mark after a vowel, 0.25 per ASCII non-syllable ("ONT").
    Scored token by token (space-separated), each token once: columns repeat their words."""
    return sum([_token_scores(token)[0] for token in text.split(" ")])


def _hard(text: str) -> float:
    return sum([_token_scores(token)[1] for token in text.split(" ")])


@lru_cache(maxsize=200_000)
def _token_scores(token: str) -> tuple[float, float]:
    """(badness, the part of it only misread text has) of one space-free token."""
    hard = soft = 0.0
    for word in _WORD.findall(token):
        if is_syllable(word):
            continue
        if word.isascii():
            soft += 0.25
        else:
            hard += 0.5 if is_loose_syllable(word) else 1.0
    hard += len(_VIQR_MARK.findall(token))
    for ch in _ODD_CHAR.findall(token):
        if ch not in _PLAIN and (unicodedata.category(ch)[0] in "SPC" or unicodedata.combining(ch)):
            hard += 1.0
    return hard + soft, hard


def _plain_ascii(text: str) -> bool:
    """ASCII without control characters (TCVN3 puts capitals such as Ý at 0x01-0x17)."""
    return text.isascii() and text.isprintable()


def plain_ascii_text(text: str) -> bool:
    """Printable ASCII with no VIQR mark: a cell every encoding reads as it is (one reading,
    no vote), so a column's codes and numbers need not be scored one by one."""
    return _plain_ascii(text) and not _VIQR_HINT.search(text)


def could_be_legacy(text: str) -> bool:
    """Legacy surface text is made of characters one byte can show (Latin-1, Windows-1252) and
    U+FFFD; a cell holding "ị", "ư" or "đ" as such is Unicode already and is never decoded."""
    return text.isascii() or _not_surface().search(text) is None


@cache
def _not_surface() -> re.Pattern[str]:
    high = "".join(sorted(ch for ch in surface_to_byte() if ord(ch) > 0xFF))
    return re.compile(f"[^\x00-\xff{re.escape(high)}\ufffd]")


def decoding(text: str, encoding: str, restore_u: bool = True) -> str:
    """`decode`, plus the TCVN3 ư that Office drops when the column shows it was dropped.
    Decoded token by token: no legacy sequence spans a space, and columns repeat their words."""
    if encoding == "viqr":
        if not all(ch.isascii() or ch in _PLAIN for ch in text) or not _VIQR_HINT.search(text):
            return text
    elif _plain_ascii(text):
        return text
    return " ".join([_token_decoding(token, encoding, restore_u) for token in text.split(" ")])


@lru_cache(maxsize=400_000)
def _token_decoding(token: str, encoding: str, restore_u: bool) -> str:
    if not token or (_plain_ascii(token) and encoding != "viqr"):
        # Within a TCVN3 cell, an ASCII token may still have lost its ư ("Nh" for "Như").
        return restore_dropped_u(token) if encoding == "tcvn3" and restore_u else token
    decoded = decode(token, encoding)
    for _ in range(2):  # saved as UTF-8 and misread twice (or three times)
        if encoding != "utf8_mojibake" or decoded == token or not could_be_legacy(decoded):
            break
        again = decode(decoded, encoding)
        if again == decoded:
            break
        decoded = again
    if encoding == "tcvn3" and restore_u:
        decoded = restore_dropped_u(decoded)
    return decoded


@lru_cache(maxsize=200_000)
def readings(text: str, restore_u: bool = True) -> tuple[Reading, ...]:
    """The cell as it is, then every decoding that reads no worse, best first; only the cell when
    it cannot be legacy or has nothing only misread text has."""
    if not could_be_legacy(text) or (_plain_ascii(text) and not _VIQR_HINT.search(text)):
        return (Reading(None, text, 0.0),)  # not scored: nothing to compare it with
    as_is = Reading(None, text, badness(text))
    if as_is.badness == 0 or _hard(text) == 0:
        return (as_is,)
    found: list[Reading] = []
    for encoding in LEGACY:
        decoded = decoding(text, encoding, restore_u)
        if decoded != text and (score := badness(decoded)) <= as_is.badness:
            found.append(Reading(encoding, decoded, score))
    found.sort(key=lambda r: r.badness)
    return (as_is, *found)


def column_votes(cells: list[str], restore_u: bool = True) -> Counter[str]:
    """Per encoding (and "unicode"), how many distinct cells only it explains: the evidence."""
    votes: Counter[str] = Counter()
    for cell in cells:
        if not could_be_legacy(cell):
            votes[UNICODE] += 1
            continue
        as_is, *options = readings(cell, restore_u)
        if not options or not _decisive(options[0].badness, as_is.badness):
            continue  # a cell no encoding makes (nearly) Vietnamese is no evidence
        best = options[0].badness
        winners = [r.encoding for r in options if r.badness == best]
        if len(winners) == 1 and best < as_is.badness:
            votes[winners[0]] += 1
    return votes


def dominant(votes: Counter[str]) -> str | None:
    """The column's encoding when it is consistent: nine in ten votes agree."""
    total = sum(votes.values())
    if not total:
        return None
    encoding, count = votes.most_common(1)[0]
    return encoding if count >= _CONSISTENT * total else None


def choose(cell: str, votes: Counter[str], restore_u: bool = True, column: str | None = None) -> Reading:
    """The reading of `cell` to keep (see the module docstring); `column` is `dominant(votes)`,
    passed in when the caller has it (it is the same for every cell of a column)."""
    as_is, *options = readings(cell, restore_u)
    if column is None:
        column = dominant(votes)
    if column not in (None, UNICODE) and could_be_legacy(cell) and (not _plain_ascii(cell) or column == "viqr"):
        decoded = decoding(cell, column, restore_u)
        score = badness(decoded)
        best = options[0].badness if options else as_is.badness
        plausible = _hard(cell) > 0 or _odd_case(decoded) < _odd_case(cell)
        if decoded != cell and plausible and score <= as_is.badness and (
            score <= best or _decisive(score, as_is.badness) or not _decisive(best, as_is.badness)
        ):
            return Reading(column, decoded, score)
    if not options or options[0].badness == as_is.badness:
        return as_is
    best = options[0].badness
    tied = [r for r in options if r.badness == best]
    if len(tied) > 1:
        tied.sort(key=lambda r: (-votes.get(r.encoding, 0), LEGACY.index(r.encoding)))
    return tied[0]


def _odd_case(text: str) -> int:
    """Words in no normal case ("CÕn", or "MÕ" in a cell not in capitals): a cell that reads as
    Unicode is only decoded in its column's encoding when that straightens such words ("Cạn",
    "Mạ"), so "Hà" never becomes "HỔ"."""
    if text.isupper():
        return 0
    return sum(1 for w in _WORD.findall(text) if not (w.islower() or w.istitle()) and len(w) > 1)


def _decisive(best: float, as_is: float) -> bool:
    """A reading this good is evidence on its own: (nearly) every word a syllable."""
    return best <= max(1.0, _DECISIVE * as_is)
