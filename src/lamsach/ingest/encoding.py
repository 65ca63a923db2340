"""Which code page a CSV file was written in, and its text.

Units send UTF-8 (with or without the BOM Excel adds), UTF-16 ("Unicode text" from Excel), or an
8-bit Windows code page: Windows-1258 (Vietnamese) or Windows-1252. Text typed in a legacy
Vietnamese font (TCVN3, VNI, VISCII) arrives as Windows-1252 bytes: it is decoded as cp1252 here,
byte for byte, so the standardise stage can recognise and convert it. Converting fonts is not
ingest's job.

General-purpose detectors (charset-normalizer included) do not answer the question that matters
here — cp1258 or cp1252 — so the choice is made by which decoding yields more words that are valid
Vietnamese syllables; on a tie cp1252 wins, since it keeps every byte as one character.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from lamsach.domain import ErrorCode, LamsachError, Location

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAMPLE_BYTES = 4096
_UTF16_NUL_SHARE = 0.3

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_BASES = "aăâeêioôơuưy"
_VI_LETTERS = (
    frozenset(
        unicodedata.normalize("NFC", base + tone)
        for base in _BASES + _BASES.upper()
        for tone in ("", *_TONES)
    )
    | frozenset("đĐ")
    | frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
)
_TONELESS_VOWELS = frozenset(unicodedata.normalize("NFC", b) for b in _BASES + _BASES.upper())
_TONE_EVIDENCE = 4
_TONE_ON_VOWEL = re.compile("[" + "".join(sorted(_TONELESS_VOWELS)) + "][" + "".join(sorted(_TONES)) + "]")
_WORD = re.compile(r"\S*[^\x00-\x7f]\S*")
_EDGE_PUNCTUATION = "\"'()[]{}.,;:!?-/\\"


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """Bytes cp1252 leaves undefined (0x81, 0x8D, …) become U+0080+byte, as Windows reads them."""
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("lamsach-latin1", _latin1_fallback)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    stray_bytes: bool = False  # undecodable bytes kept as lone surrogates, for row rejections


def decode(content: bytes, file: str) -> Decoded:
    """The file's text and the code page it was read with; LamsachError if it is not text."""
    if content.startswith(codecs.BOM_UTF8):
        return _decode_utf8_bom(content, file)
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return _decode_strict(content, encoding, file)
    if b"\x00" in content:
        return _decode_strict(content, _utf16_without_bom(content, file), file)
    try:
        return Decoded(content.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return _mostly_utf8(content, "utf-8") or _choose_code_page(content)


def _mostly_utf8(content: bytes, encoding: str) -> Decoded | None:
    """Mostly UTF-8 with a few stray bytes: kept as UTF-8, and the rows holding the stray bytes are
    rejected one by one (they still carry them, as lone surrogates) instead of the whole file."""
    text = content.decode("utf-8", "surrogateescape")
    invalid = sum(1 for c in text if "\udc80" <= c <= "\udcff")
    valid = sum(1 for c in text if c > "\x7f") - invalid
    return Decoded(text, encoding, stray_bytes=True) if valid >= 2 * invalid else None


def _decode_utf8_bom(content: bytes, file: str) -> Decoded:
    """Excel's "CSV UTF-8": the same treatment as UTF-8 without the BOM (a stray byte rejects its
    row), except that text mostly not UTF-8 is an error, not a guessed code page, since the BOM
    says UTF-8. The error's offset counts from the file's first byte, the BOM included."""
    bom = len(codecs.BOM_UTF8)
    try:
        return Decoded(content[bom:].decode("utf-8"), "utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc
    decoded = _mostly_utf8(content[bom:], "utf-8-sig")
    if decoded is None:
        raise _undecodable(content, "utf-8-sig", bom + first_bad.start, first_bad.reason, file)
    return decoded


def _decode_strict(content: bytes, encoding: str, file: str) -> Decoded:
    try:
        return Decoded(content.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        raise _undecodable(content, encoding, exc.start, exc.reason, file) from None


def _undecodable(content: bytes, encoding: str, at: int, why: str, file: str) -> LamsachError:
    """The error naming the first bad byte by its offset in the file, as a hex editor shows it."""
    reason = f"{encoding}: byte {at} ({content[at : at + 1].hex()}) {why}"
    return LamsachError(ErrorCode.INGEST_ENCODING_UNKNOWN, Location(file=file), {"reason": reason})


def _utf16_without_bom(content: bytes, file: str) -> str:
    """UTF-16 text of mostly ASCII has a NUL in every other byte; anything else with NULs is binary."""
    sample = content[:_SAMPLE_BYTES]
    even = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd >= _UTF16_NUL_SHARE and even < _UTF16_NUL_SHARE / 3:
        return "utf-16-le"
    if even >= _UTF16_NUL_SHARE and odd < _UTF16_NUL_SHARE / 3:
        return "utf-16-be"
    at = content.index(b"\x00")
    raise LamsachError(
        ErrorCode.INGEST_ENCODING_UNKNOWN,
        Location(file=file),
        {"reason": f"binary data (NUL byte at {at})"},
    )


def _choose_code_page(content: bytes) -> Decoded:
    as_1252 = content.decode("cp1252", "lamsach-latin1")
    try:
        as_1258 = content.decode("cp1258")
    except UnicodeDecodeError:
        return Decoded(as_1252, "cp1252")
    on_vowel, elsewhere = tone_attachments(as_1258)
    if on_vowel or elsewhere:
        is_1258 = on_vowel >= _TONE_EVIDENCE * elsewhere
    else:
        is_1258 = vietnamese_score(as_1258) > vietnamese_score(as_1252)
    return Decoded(as_1258, "cp1258") if is_1258 else Decoded(as_1252, "cp1252")


def tone_attachments(text: str) -> tuple[int, int]:
    """Tone marks on a toneless Vietnamese vowel, and tone marks anywhere else.

    Windows-1258 writes most toned vowels as the vowel then a combining tone (bytes CC, D2, DE,
    EC, F2). In real cp1258 text these follow a vowel; in cp1252 text — Western, or a legacy font
    like TCVN3, VNI or VISCII, where the same bytes are whole letters — they mostly follow a
    consonant or another toned letter. This is the strongest single sign of the code page.
    """
    tones = sum(text.count(t) for t in _TONES)
    on_vowel = len(_TONE_ON_VOWEL.findall(text))
    elsewhere = tones - on_vowel
    return on_vowel, elsewhere


def vietnamese_score(text: str) -> int:
    """Valid minus invalid Vietnamese words among the words that are not plain ASCII.

    A word is valid when, composed (NFC), it is made only of Vietnamese letters and carries at
    most one tone mark. Plain-ASCII words read the same in every code page and do not count. Used
    only when the text has no combining tone at all, so it weighs đ, ơ, ư, ă against ð, õ, ý, ã.
    """
    score = 0
    for word in _WORD.findall(unicodedata.normalize("NFC", text)):
        word = word.strip(_EDGE_PUNCTUATION)
        if word and _is_vietnamese_word(word):
            score += 1
        elif word:
            score -= 1
    return score


def _is_vietnamese_word(word: str) -> bool:
    if not all(c in _VI_LETTERS for c in word):
        return False
    tones = sum(1 for c in unicodedata.normalize("NFD", word) if c in _TONES)
    return tones <= 1
