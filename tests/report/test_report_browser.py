"""report.html as a browser draws and prints it (Debian's chromium, headless, when installed)."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install -y chromium)")


def _chromium(*args: str, cwd: Path) -> None:
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    f"--user-data-dir={cwd / 'profile'}", *args], cwd=cwd, check=True, timeout=120,
                   capture_output=True)


def _png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the inflated image data of a PNG (enough to see it is not blank)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            chunks.append(data[at + 8:at + 8 + length])
        at += 12 + length
    return width, height, zlib.decompress(b"".join(chunks))


@needs_chromium
def test_report_renders_to_a_non_trivial_png_and_prints_a_page_per_unit(small_pass, tmp_path):
    report = (small_pass.out / "report.html").resolve()
    png = tmp_path / "report.png"
    _chromium(f"--screenshot={png}", "--window-size=1200,1600", report.as_uri(), cwd=tmp_path)
    width, height, pixels = _png_pixels(png.read_bytes())
    assert (width, height) == (1200, 1600)
    assert png.stat().st_size > 20_000
    assert len(set(pixels)) > 50  # text, tables and coloured bars, not a blank or error page

    pdf = tmp_path / "report.pdf"
    _chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report.as_uri(), cwd=tmp_path)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))
    assert pages >= 1 + len(small_pass.units())  # each unit starts on a page of its own
