"""What a received file is, read from its bytes: kind, pages, encryption, signature, text layer.

The archive decides from this whether it can keep a file and how to read its text; a file that
cannot be kept is refused here, before anything is stored, with a reason the officer can act on.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from dataclasses import dataclass

from lamsach.domain import ErrorCode, LamsachError, Location

MEDIA_TYPES = {  # leading bytes -> media type
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
}
SUPPORTED = "PDF, JPEG, PNG, TIFF"


@dataclass(frozen=True)
class FileFacts:
    media_type: str
    page_count: int
    signed: bool = False  # a PDF with a digital signature: kept and read, never rewritten
    text_pages: int = 0  # pages of a PDF that already carry text (born digital, or OCR'd before)


def display_name(raw: str | bytes) -> str:
    """A file name as people read it, whatever encoding the sender's system gave it.

    Names arrive as bytes on Linux (a ZIP from Windows, a USB stick): UTF-8 first, then the
    Vietnamese Windows code page, then Latin-1, which cannot fail; always NFC.
    """
    data = os.fsencode(raw) if isinstance(raw, str) else raw
    for encoding in ("utf-8", "cp1258", "latin-1"):
        try:
            return unicodedata.normalize("NFC", data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def inspect_file(content: bytes, name: str, max_pages: int) -> FileFacts:
    """Facts about `content`, or a `LamsachError` saying why the archive cannot keep it."""
    where = Location(file=name)
    if not content:
        raise LamsachError(ErrorCode.ARCHIVE_FILE_EMPTY, where)
    media_type = next((m for magic, m in MEDIA_TYPES.items() if content.startswith(magic)), None)
    if media_type is None:
        raise LamsachError(ErrorCode.ARCHIVE_FORMAT_UNSUPPORTED, where, {"expected": SUPPORTED})
    facts = _pdf_facts(content, where) if media_type == "application/pdf" else _image_facts(content, media_type, where)
    if facts.page_count > max_pages:
        raise LamsachError(ErrorCode.ARCHIVE_TOO_MANY_PAGES, where,
                           {"pages": facts.page_count, "limit": max_pages})
    return facts


def _pdf_facts(content: bytes, where: Location) -> FileFacts:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            pages = len(pdf.pages)
            signed = _has_signature(pdf)
    except pikepdf.PasswordError:
        raise LamsachError(ErrorCode.ARCHIVE_FILE_ENCRYPTED, where) from None
    except pikepdf.PdfError as exc:
        raise LamsachError(ErrorCode.ARCHIVE_FILE_CORRUPT, where,
                           {"expected": "PDF", "reason": _reason(exc)}) from None
    if pages == 0:
        raise LamsachError(ErrorCode.ARCHIVE_FILE_CORRUPT, where, {"expected": "PDF", "reason": "0 pages"})
    return FileFacts("application/pdf", pages, signed, _text_pages(content))


def _reason(exc: Exception) -> str:
    """qpdf's words without the in-memory stream's name."""
    return re.sub(r"^stream <[^>]*>:\s*|^<[^>]*>:\s*", "", str(exc).splitlines()[0])[:200]


def _has_signature(pdf) -> bool:
    form = pdf.Root.get("/AcroForm")
    if form is None:
        return False
    stack = list(form.get("/Fields", []))
    while stack:
        field = stack.pop()
        if field.get("/FT") == "/Sig" and field.get("/V") is not None:
            return True
        stack.extend(field.get("/Kids", []))
    return False


def _text_pages(content: bytes) -> int:
    """Pages with a text layer of their own (more than a few characters)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    try:
        return sum(1 for page in document if len(page.get_textpage().get_text_range().strip()) > 20)
    finally:
        document.close()


def _image_facts(content: bytes, media_type: str, where: Location) -> FileFacts:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            frames = getattr(image, "n_frames", 1)
            image.seek(frames - 1)
            image.load()  # a truncated file fails here, not halfway through OCR
    except (UnidentifiedImageError, OSError, EOFError, SyntaxError) as exc:
        raise LamsachError(ErrorCode.ARCHIVE_FILE_CORRUPT, where,
                           {"expected": media_type.split("/")[1].upper(), "reason": str(exc)[:200]}) from None
    return FileFacts(media_type, frames)
