"""Scanned pages made to measure OCR: Vietnamese text rendered with a TrueType font (DejaVu), then
turned a little, blurred and speckled the way a flatbed scan of a paper register looks.

The text is known, so the archive's OCR accuracy can be measured on it; the same pages serve
tests, the archive benchmark and a demo of scanning a parcel's certificate.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PAGE_PIXELS = (1700, 2200)  # A4-ish at 200 dpi
DPI = 200


@dataclass(frozen=True)
class ScanLook:
    """How rough the scan is: degrees turned, blur radius in pixels, share of speckled pixels."""

    rotate_degrees: float = 1.5
    blur_pixels: float = 0.8
    noise_share: float = 0.01


def certificate_lines(parcel: dict) -> list[str]:
    """The text of a land-use right certificate (GCN) for one land_parcel record's values."""
    born = parcel.get("owner_birth_year") or ""
    return [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT",
        f"Số phát hành: {parcel.get('certificate_serial', '')}",
        f"Người sử dụng đất: {parcel.get('owner_name', '')}, năm sinh {born}",
        f"Số định danh cá nhân: {parcel.get('owner_id', '')}",
        f"Thửa đất số {parcel.get('parcel_no', '')}, tờ bản đồ số {parcel.get('map_sheet', '')}",
        f"Diện tích: {parcel.get('area_m2', '')} m2, mục đích sử dụng {parcel.get('land_use_code', '')}",
        f"Địa chỉ thửa đất: {parcel.get('parcel_address', '')}",
    ]


def render_scan(lines: list[str], seed: int = 1, look: ScanLook | None = None, font_size: int = 30):
    """One page (PIL image, grayscale) holding `lines`, scanned with `look`."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    look = look or ScanLook()
    rng = random.Random(seed)
    font = ImageFont.truetype(FONT_PATH, font_size)
    page = Image.new("L", PAGE_PIXELS, 255)
    draw = ImageDraw.Draw(page)
    y = 150
    for line in lines:
        draw.text((110, y), line, font=font, fill=0)
        y += int(font_size * 2)
    if look.rotate_degrees:
        page = page.rotate(look.rotate_degrees, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if look.blur_pixels:
        page = page.filter(ImageFilter.GaussianBlur(look.blur_pixels))
    pixels = page.load()
    width, height = PAGE_PIXELS
    for _ in range(int(width * height * look.noise_share)):
        pixels[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 90, 200, 255))
    return page


def scan_bytes(pages: list, kind: str = "PNG") -> bytes:
    """Pages as one file as a scanner writes it: PNG or JPEG (first page), TIFF or PDF (all)."""
    buffer = io.BytesIO()
    # copies: a save leaves encoder settings on the image that a save in another format trips on
    first, rest = pages[0].copy(), [page.copy() for page in pages[1:]]
    if kind in ("TIFF", "PDF"):
        first.save(buffer, format=kind, save_all=True, append_images=rest, resolution=DPI, dpi=(DPI, DPI))
    else:
        first.save(buffer, format=kind, dpi=(DPI, DPI))
    return buffer.getvalue()


def character_accuracy(expected: str, actual: str) -> float:
    """1 - (edit distance / expected length), over text with runs of white space made one space."""
    a, b = " ".join(expected.split()), " ".join(actual.split())
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return max(0.0, 1 - previous[-1] / max(len(a), 1))
