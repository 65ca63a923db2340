"""Surface-text maps of the legacy Vietnamese encodings, built once from the data tables.

A legacy cell reaches us as the text its bytes show when read as Windows-1252 or Latin-1 (Excel,
CSV readers). Both readings of bytes 0x80–0x9F occur, so every map here is keyed by *surface
characters* and accepts either; the byte tables themselves live in
`data/catalogues/encodings/` (derived from glibc iconv and the VNI layout, see its README).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from lamsach.data import load_yaml, read_csv

_CATALOGUE = "catalogues/encodings/encodings.yaml"

# Windows-1252's five undefined bytes; a lossless reader shows them as the C1 control.
_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def byte_to_cp1252(byte: int) -> str:
    """The character Windows shows for `byte` read as Windows-1252 (C1 control when undefined)."""
    if 0x80 <= byte <= 0x9F and byte not in _CP1252_UNDEFINED:
        return bytes([byte]).decode("cp1252")
    return chr(byte)


@cache
def surface_to_byte() -> dict[str, int]:
    """Every character a byte can show as (its Latin-1 and its Windows-1252 reading) -> the byte."""
    table = {chr(b): b for b in range(256)}
    for b in range(0x80, 0xA0):
        table[byte_to_cp1252(b)] = b
    return table


def surface_bytes(text: str) -> bytes | None:
    """The bytes behind a surface text, or None if a character cannot come from one byte."""
    table = surface_to_byte()
    try:
        return bytes(table[ch] for ch in text)
    except KeyError:
        return None


@dataclass(frozen=True)
class ByteTable:
    """A single-byte legacy encoding: byte -> Unicode text and back."""

    name: str
    to_unicode: dict[int, str]
    from_unicode: dict[str, int]


def _byte_table(name: str) -> ByteTable:
    files = load_yaml(_CATALOGUE, "catalogue")["files"]
    to_unicode = {b: chr(b) for b in range(256)}
    for row in read_csv(f"catalogues/encodings/{files[name]}"):
        to_unicode[int(row["byte"], 16)] = row["char"]
    from_unicode: dict[str, int] = {}
    for byte, char in sorted(to_unicode.items()):
        from_unicode.setdefault(char, byte)
    return ByteTable(name, to_unicode, from_unicode)


@cache
def tcvn3_table() -> ByteTable:
    return _byte_table("tcvn3")


@cache
def viscii_table() -> ByteTable:
    return _byte_table("viscii")


@cache
def vni_table() -> dict[str, str]:
    """Unicode letter (NFC) -> its VNI-Windows surface text (one or two characters)."""
    files = load_yaml(_CATALOGUE, "catalogue")["files"]
    return {
        row["char"]: bytes.fromhex(row["bytes"]).decode("latin-1")
        for row in read_csv(f"catalogues/encodings/{files['vni']}")
    }


@cache
def vni_reverse() -> dict[str, str]:
    """VNI surface sequence -> Unicode letter; decoding tries two-character keys first."""
    return {surface: unicodedata.normalize("NFC", char) for char, surface in vni_table().items()}


@cache
def cp1258_surface_map() -> dict[str, str]:
    """Surface character -> its Windows-1258 reading (Python's `cp1258` codec); bytes the code
    page leaves undefined are absent, so they pass through unchanged."""
    out: dict[str, str] = {}
    for char, byte in surface_to_byte().items():
        try:
            out[char] = bytes([byte]).decode("cp1258")
        except UnicodeDecodeError:
            continue
    return out
