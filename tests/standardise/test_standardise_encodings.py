"""Legacy encodings: the shared test vectors, every Vietnamese letter round-tripping, the tables
re-derived from glibc iconv."""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamsach.standardise import ENCODINGS, decode, encode
from lamsach.standardise.encoding_tables import tcvn3_table, viscii_table

# the shared folder sits beside the repository root
SHARED = Path(__file__).resolve().parents[3] / "shared"
VECTORS = json.loads((SHARED / "data" / "encoding_test_vectors.json").read_text(encoding="utf-8"))["vectors"]
BASES = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
LETTERS = sorted(
    {unicodedata.normalize("NFC", b + t) for b in BASES for t in TONES}
    | {unicodedata.normalize("NFC", b + t).upper() for b in BASES for t in TONES}
    | {"đ", "Đ"}
)
_UNDEFINED_1252 = dict.fromkeys(map(ord, "\x81\x8d\x8f\x90\x9d"), "\ufffd")


def test_alphabet_has_134_letters():
    assert len([letter for letter in LETTERS if not letter.isascii()]) == 134


def _expected(vector: dict, encoding: str) -> str:
    if encoding == "tcvn3":
        return vector["tcvn3_surface_text"]
    if encoding == "vni":
        return vector["vni_surface_text"]
    if encoding == "viqr":
        return vector["viqr"]
    if encoding == "utf8_mojibake":
        return vector["utf8_as_cp1252_mojibake"]
    if encoding == "viscii":
        return bytes.fromhex(vector["viscii_hex"]).decode("latin-1")
    if encoding == "cp1258":
        return bytes.fromhex(vector["cp1258_hex"]).decode("cp1252", errors="replace")
    return bytes.fromhex(vector["unicode_nfd_hex"]).decode("utf-8")


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["unicode_nfc"][:20])
def test_encode_matches_vectors(vector, encoding):
    surface = encode(vector["unicode_nfc"], encoding)
    if encoding == "utf8_mojibake":  # the vectors show the lossy reading of undefined bytes
        surface = surface.translate(_UNDEFINED_1252)
    assert surface == _expected(vector, encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["unicode_nfc"][:20])
def test_decode_vectors(vector, encoding):
    surface = _expected(vector, encoding)
    if encoding == "utf8_mojibake" and vector["unicode_nfc"].startswith("ằẳẵ"):
        pytest.skip("U+FFFD hides which of ỏ/ọ each of two neighbours was: undecidable")
    assert decode(surface, encoding) == vector["unicode_nfc"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@given(text=st.lists(st.sampled_from(LETTERS + [" ", "n", "g", "h", "T"]), min_size=1, max_size=30).map("".join))
def test_every_letter_round_trips(encoding, text):
    assert decode(encode(text, encoding), encoding) == text


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("letter", LETTERS)
def test_each_letter_round_trips(encoding, letter):
    assert decode(encode(letter, encoding), encoding) == letter


def test_unrepresentable_character_is_refused():
    with pytest.raises(ValueError):
        encode("250 m²", "tcvn3")
    with pytest.raises(ValueError):
        encode("x", "ebcdic")


def test_lossy_mojibake_resolves_by_syllable():
    assert decode("Ngá»\ufffdc Ã\ufffdnh Ä\ufffdá»©c", "utf8_mojibake") == "Ngọc Ánh Đức"


@pytest.mark.skipif(shutil.which("iconv") is None, reason="glibc iconv not installed")
@pytest.mark.parametrize(("charset", "table"), [("TCVN5712-1", tcvn3_table), ("VISCII", viscii_table)])
def test_tables_match_iconv(charset, table):
    for byte in range(256):
        run = subprocess.run(["iconv", "-f", charset, "-t", "UTF-8"], input=bytes([byte]), capture_output=True)
        if run.returncode == 0:
            assert table().to_unicode[byte] == run.stdout.decode("utf-8"), hex(byte)
