"""Encode Unicode Vietnamese into a legacy encoding's surface text, and decode it back.

Unit files still carry text typed in TCVN3 (ABC), VNI-Windows, VISCII, VIQR or Windows-1258, or
UTF-8 read as Windows-1252 ("mojibake"), or Unicode in decomposed form. Such a cell arrives as
the *surface text* its bytes show when read as Windows-1252/Latin-1. `decode` turns that text
back into Unicode NFC; `encode` produces it (for fixtures and generators). Which encoding a cell
is in is decided elsewhere (`lamsach.standardise.detection`): decoding correct text "just in case"
would damage it.
"""

from __future__ import annotations

import unicodedata

from lamsach.standardise import encoding_tables as tables
from lamsach.standardise.viqr import decode_viqr, encode_viqr

ENCODINGS: tuple[str, ...] = ("tcvn3", "vni", "viscii", "viqr", "cp1258", "nfd", "utf8_mojibake")
"""The legacy forms `encode`/`decode` know; each is also the suffix of its repair rule."""

_TONES_1258 = frozenset("\u0300\u0301\u0303\u0309\u0323")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def encode(text: str, encoding: str) -> str:
    """The surface text `text` shows once stored in `encoding` and read as Windows-1252/Latin-1.

    Raises ValueError for a character the encoding cannot carry (e.g. "²" in TCVN3, whose byte
    0xB2 is a tone mark), so a generator never writes text that cannot come back.
    """
    text = nfc(text)
    if encoding in ("tcvn3", "viscii"):
        table = tables.tcvn3_table() if encoding == "tcvn3" else tables.viscii_table()
        out = []
        for ch in text:
            byte = table.from_unicode.get(ch)
            if byte is None:
                raise ValueError(f"{encoding} cannot carry {ch!r}")
            out.append(chr(byte))
        return "".join(out)
    if encoding == "vni":
        vni = tables.vni_table()
        return "".join(vni.get(ch) or _ascii_only(ch, encoding) for ch in text)
    if encoding == "viqr":
        return encode_viqr(text)
    if encoding == "cp1258":
        return "".join(tables.byte_to_cp1252(b) for b in _cp1258_bytes(text))
    if encoding == "nfd":
        return unicodedata.normalize("NFD", text)
    if encoding == "utf8_mojibake":
        return "".join(tables.byte_to_cp1252(b) for b in text.encode("utf-8"))
    raise ValueError(f"unknown encoding {encoding!r}; known: {', '.join(ENCODINGS)}")


def decode(text: str, encoding: str) -> str:
    """Unicode NFC for a cell's surface text in `encoding`; characters outside it pass through."""
    if encoding in ("tcvn3", "viscii"):
        table = tables.tcvn3_table() if encoding == "tcvn3" else tables.viscii_table()
        to_byte = tables.surface_to_byte()
        return nfc("".join(table.to_unicode[to_byte[ch]] if ch in to_byte else ch for ch in text))
    if encoding == "vni":
        return nfc(_decode_vni(text))
    if encoding == "viqr":
        return nfc(decode_viqr(text))
    if encoding == "cp1258":
        cp1258 = tables.cp1258_surface_map()
        return nfc("".join(cp1258.get(ch, ch) for ch in text))
    if encoding == "nfd":
        return nfc(text)
    if encoding == "utf8_mojibake":
        from lamsach.standardise.mojibake import decode_mojibake

        return nfc(decode_mojibake(text))
    raise ValueError(f"unknown encoding {encoding!r}; known: {', '.join(ENCODINGS)}")


def _ascii_only(ch: str, encoding: str) -> str:
    if ord(ch) < 0x80:
        return ch
    raise ValueError(f"{encoding} cannot carry {ch!r}")


def _decode_vni(text: str) -> str:
    reverse = tables.vni_reverse()
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if len(pair) == 2 and pair in reverse:
            out.append(reverse[pair])
            i += 2
            continue
        out.append(reverse.get(text[i], text[i]))
        i += 1
    return "".join(out)


def _cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Windows writes it: a precomposed letter where the code page has one,
    otherwise the letter without its tone followed by the tone as a combining byte."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONES_1258)
        base = nfc("".join(c for c in parts if c not in _TONES_1258))
        try:
            out += base.encode("cp1258") + tones.encode("cp1258")
        except UnicodeEncodeError:
            raise ValueError(f"cp1258 cannot carry {ch!r}") from None
    return bytes(out)
