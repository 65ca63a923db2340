"""Which code page a CSV file was written in, and its text.

Units send UTF-8 (with or without the BOM Excel adds), UTF-16 ("Unicode text" from Excel), or an
8-bit Windows code page: Windows-1258 (Vietnamese) or Windows-1252. Text typed in a legacy
Vietnamese font (TCVN3, VNI, VISCII) arrives as Windows-1252 bytes: it is decoded as cp1252 here,
byte for byte, so the standardise stage can recognise and convert it. Converting fonts is not
ingest's job.

General-purpose detectors (charset-normalizer included) do not answer the question that matters
here — cp1258 or cp1252 — so the choice is made by which decoding yields more words that are valid
Vietnamese syllables; on a tie cp1252 wins, since it keeps every byte as one character.

The file is never held as one text: `detect` scans its bytes a chunk at a time (every count it
decides by adds up over chunks, so the answer is the whole file's), and `text_lines` decodes it a
chunk at a time for the CSV reader.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from lamsach.domain import ErrorCode, LamsachError, Location

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAMPLE_BYTES = 4096
_CHUNK_BYTES = 1 << 20
_STRAY = re.compile("[\udc80-\udcff]")
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
class Decoding:
    """How to read a file's bytes as text: the code page reported, the codec and its error mode."""

    encoding: str
    codec: str
    errors: str = "strict"
    stray_bytes: bool = False  # undecodable bytes kept as lone surrogates, for row rejections


_CP1252 = Decoding("cp1252", "cp1252", "lamsach-latin1")


def detect(content: bytes, file: str) -> Decoding:
    """The code page of `content`; LamsachError if it is not text.

    Decided by scanning the bytes in chunks of `_CHUNK_BYTES` (the whole file, so the decision is
    the one a whole-file decode would make, without ever holding the whole text).
    """
    if content.startswith(codecs.BOM_UTF8):
        return _detect_utf8_bom(content, file)
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            _check_strict(content, encoding, file)
            return Decoding(encoding, encoding)
    if b"\x00" in content:
        encoding = _utf16_without_bom(content, file)
        _check_strict(content, encoding, file)
        return Decoding(encoding, encoding)
    if _first_utf8_error(content, 0) is None:
        return Decoding("utf-8", "utf-8")
    if _mostly_utf8(content, 0):
        return Decoding("utf-8", "utf-8", "surrogateescape", stray_bytes=True)
    return _choose_code_page(content)


def text_lines(content: bytes, decoding: Decoding) -> Iterator[str]:
    """The text's lines as `io.StringIO(text, newline="")` gives them (ends kept, untranslated),
    decoded a chunk at a time."""
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=decoding.codec, errors=decoding.errors, newline="")
    yield from stream


def decode(content: bytes, file: str) -> tuple[str, Decoding]:
    """The whole text at once (for small texts and tests; files are read with `text_lines`)."""
    decoding = detect(content, file)
    return "".join(text_lines(content, decoding)), decoding


def _chunks(content: bytes, start: int) -> Iterator[tuple[int, memoryview]]:
    view = memoryview(content)
    for at in range(start, len(content), _CHUNK_BYTES):
        yield at, view[at : at + _CHUNK_BYTES]


def _first_utf8_error(content: bytes, start: int) -> UnicodeDecodeError | None:
    """The first invalid UTF-8 sequence from `start`, its `start` an offset in `content`."""
    pending, base = b"", start
    for at, chunk in _chunks(content, start):
        data = pending + chunk.tobytes()
        final = at + len(chunk) >= len(content)
        try:
            _, used = codecs.utf_8_decode(data, "strict", final)
        except UnicodeDecodeError as exc:
            return UnicodeDecodeError("utf-8", content, base + exc.start, base + exc.end, exc.reason)
        pending, base = data[used:], base + used
    return None


def _mostly_utf8(content: bytes, start: int) -> bool:
    """Mostly UTF-8 with a few stray bytes: kept as UTF-8, and the rows holding the stray bytes are
    rejected one by one (they still carry them, as lone surrogates) instead of the whole file."""
    invalid = non_ascii = 0
    pending = b""
    for at, chunk in _chunks(content, start):
        data = pending + chunk.tobytes()
        text, used = codecs.utf_8_decode(data, "surrogateescape", at + len(chunk) >= len(content))
        pending = data[used:]
        invalid += len(_STRAY.findall(text))
        non_ascii += len(text) - len(text.encode("ascii", "ignore"))
    return non_ascii - invalid >= 2 * invalid


def _detect_utf8_bom(content: bytes, file: str) -> Decoding:
    """Excel's "CSV UTF-8": the same treatment as UTF-8 without the BOM (a stray byte rejects its
    row), except that text mostly not UTF-8 is an error, not a guessed code page, since the BOM
    says UTF-8. The error's offset counts from the file's first byte, the BOM included."""
    bom = len(codecs.BOM_UTF8)
    first_bad = _first_utf8_error(content, bom)
    if first_bad is None:
        return Decoding("utf-8-sig", "utf-8-sig")
    if not _mostly_utf8(content, bom):
        raise _undecodable(content, "utf-8-sig", first_bad.start, first_bad.reason, file)
    return Decoding("utf-8-sig", "utf-8-sig", "surrogateescape", stray_bytes=True)


def _check_strict(content: bytes, encoding: str, file: str) -> None:
    """LamsachError naming the first byte `encoding` cannot decode, if any (checked by chunks;
    the offset of a failure is taken from a whole decode, only then)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for at, chunk in _chunks(content, 0):
            decoder.decode(chunk, final=at + len(chunk) >= len(content))
    except UnicodeDecodeError:
        try:
            content.decode(encoding)
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


def _line_pieces(content: bytes) -> Iterator[bytes]:
    """The bytes in pieces of about `_CHUNK_BYTES` that end at a line feed: in a one-byte code page
    no word and no letter-and-tone pair crosses one, so counts over the pieces add up to the
    counts over the whole text."""
    start = 0
    while start < len(content):
        cut = content.find(b"\n", start + _CHUNK_BYTES)
        end = len(content) if cut < 0 else cut + 1
        yield content[start:end]
        start = end


def _choose_code_page(content: bytes) -> Decoding:
    on_vowel = elsewhere = 0
    try:
        for piece in _line_pieces(content):
            vowel, other = tone_attachments(piece.decode("cp1258"))
            on_vowel, elsewhere = on_vowel + vowel, elsewhere + other
    except UnicodeDecodeError:
        return _CP1252
    if on_vowel or elsewhere:
        is_1258 = on_vowel >= _TONE_EVIDENCE * elsewhere
    else:
        score_1258 = score_1252 = 0
        for piece in _line_pieces(content):
            score_1258 += vietnamese_score(piece.decode("cp1258"))
            score_1252 += vietnamese_score(piece.decode("cp1252", "lamsach-latin1"))
        is_1258 = score_1258 > score_1252
    return Decoding("cp1258", "cp1258") if is_1258 else _CP1252


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
