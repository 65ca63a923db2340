"""A document's text: its own text layer where it has one, Vietnamese OCR where it has not.

Scans and unsigned PDFs go through OCRmyPDF (Tesseract with Debian's `vie` data), which writes a
searchable PDF/A copy beside the original and the recognised text beside that. A signed PDF is
never rewritten, not even as a copy: its text layer is read as it is, and pages without one are
rendered to images and read by Tesseract alone — its signature stays intact and checkable.
"""

from __future__ import annotations

import io
import logging
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lamsach.archive.files import FileFacts

LANGUAGE = "vie"
RENDER_DPI = 300  # how a signed PDF's scanned pages are rendered for Tesseract
MIN_TEXT_CHARS = 20  # fewer recognised characters than this on a whole document: no text found
PAGE_BREAK = "\f"


class OcrFailed(Exception):
    """OCR could not run on this file; the document is kept without text and the reason shown."""


@dataclass(frozen=True)
class TextResult:
    text: str  # pages separated by form feeds
    source: str  # ocr, text_layer, mixed, none
    copy_pdf: bytes | None  # the searchable PDF/A copy, when one may be made


def read_text(content: bytes, facts: FileFacts, jobs: int = 1) -> TextResult:
    """The text of a kept file, and its searchable copy (never for a signed PDF)."""
    if facts.signed:
        return _signed_pdf_text(content)
    if facts.text_pages and facts.text_pages == facts.page_count:  # born digital: already searchable
        text = PAGE_BREAK.join(p.strip() for p in _layer_pages(content))
        return TextResult(text, "text_layer" if _has_text(text) else "none", None)
    with tempfile.TemporaryDirectory(prefix="lamsach-ocr-") as folder:
        work = Path(folder)
        source = work / "input.pdf"
        source.write_bytes(content if facts.media_type == "application/pdf" else _image_pdf(content))
        output, sidecar = work / "output.pdf", work / "output.txt"
        _ocrmypdf(source, output, sidecar, jobs, keep_text=bool(facts.text_pages))
        pages = sidecar.read_text(encoding="utf-8").split(PAGE_BREAK)
        own = _layer_pages(content) if facts.text_pages else []
        if own:  # pages skipped by OCR keep their own text
            pages = [o if o.strip() else p for o, p in zip(own, pages + [""] * len(own), strict=False)]
        text = PAGE_BREAK.join(p.strip() for p in pages)
        kind = "text_layer" if facts.text_pages == facts.page_count else "mixed" if facts.text_pages else "ocr"
        return TextResult(text, kind if _has_text(text) else "none", output.read_bytes())


def _ocrmypdf(source: Path, output: Path, sidecar: Path, jobs: int, keep_text: bool) -> None:
    """OCR into a PDF/A copy. A PDF whose pages are partly text already gets a plain PDF copy:
    Debian 12's Ghostscript 10.0.0 corrupts existing text when making PDF/A (OCRmyPDF refuses it)."""
    import ocrmypdf
    from ocrmypdf.exceptions import ExitCodeException

    logging.getLogger("ocrmypdf").setLevel(logging.ERROR)
    options = {"skip_text": True, "output_type": "pdf"} if keep_text else {"output_type": "pdfa"}
    try:
        ocrmypdf.ocr(source, output, language=[LANGUAGE], sidecar=sidecar, optimize=0, jobs=jobs,
                     progress_bar=False, rotate_pages=False, **options)
    except ExitCodeException as exc:
        raise OcrFailed(type(exc).__name__ + (f": {exc}" if str(exc) else "")) from None


def _image_pdf(content: bytes) -> bytes:
    """A scan (every frame of a multi-page TIFF) as a PDF of its images, for OCRmyPDF."""
    import img2pdf
    from PIL import Image, ImageSequence

    frames = []
    with Image.open(io.BytesIO(content)) as image:
        dpi = image.info.get("dpi")
        for frame in ImageSequence.Iterator(image):
            plain = frame.convert("RGB") if frame.mode not in ("1", "L", "RGB") else frame.copy()
            buffer = io.BytesIO()
            plain.save(buffer, format="PNG", dpi=dpi or (RENDER_DPI, RENDER_DPI))
            frames.append(buffer.getvalue())
    return img2pdf.convert(frames)


def _layer_pages(content: bytes) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def _signed_pdf_text(content: bytes) -> TextResult:
    """Text of a signed PDF, read without writing anything: its layer, else Tesseract per page."""
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    pages, layered, recognised = [], 0, 0
    try:
        for page in document:
            layer = page.get_textpage().get_text_range()
            if len(layer.strip()) > MIN_TEXT_CHARS:
                pages.append(layer.strip())
                layered += 1
                continue
            image = page.render(scale=RENDER_DPI / 72).to_pil()
            pages.append(tesseract_image(image))
            recognised += 1
    finally:
        document.close()
    text = PAGE_BREAK.join(pages)
    source = "mixed" if layered and recognised else "ocr" if recognised else "text_layer"
    return TextResult(text, source if _has_text(text) else "none", None)


def tesseract_image(image) -> str:
    """Tesseract's Vietnamese reading of one page image."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(RENDER_DPI, RENDER_DPI))
    done = subprocess.run(["tesseract", "stdin", "stdout", "-l", LANGUAGE], input=buffer.getvalue(),
                          capture_output=True, check=False)
    if done.returncode != 0:
        raise OcrFailed(done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or "tesseract")
    return done.stdout.decode("utf-8").strip()


def _has_text(text: str) -> bool:
    return sum(c.isalnum() for c in text) >= MIN_TEXT_CHARS
