"""Adding a file to the archive: refuse it with a reason, or keep it whole with text and metadata.

The steps run so that nothing is half-stored: the file is inspected (empty, damaged, encrypted,
too long: refused, nothing written), read (OCR), its metadata validated, then its files are
written under their hashes and catalogued in one transaction; if the catalogue cannot be
written, the files this call created are removed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lamsach.archive import folding, metadata, ocr, vault
from lamsach.archive.files import display_name, inspect_file
from lamsach.archive.suggest import suggest_links
from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.settings import Settings

KEPT, REFUSED = "kept", "refused"
PENDING = "pending"  # a kept document's text source while its text is still being read


@dataclass(frozen=True)
class RecordRef:
    campaign: str
    dataset: str
    record_key: str


@dataclass
class AddOutcome:
    """What became of one file: kept (with its document number) or refused (with the reason)."""

    file_name: str
    status: str
    document_id: int | None = None
    error: LamsachError | None = None
    warnings: list[LamsachError] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    suggestions: list[dict] = field(default_factory=list)
    text_source: str | None = None
    pages: int = 0


def vault_for(settings: Settings) -> vault.Vault:
    return vault.Vault(settings.archive_root, settings.archive_copy_dir)


def add_path(store, settings: Settings, path: Path | str | bytes, values: dict, actor: str,
             unit: str | None = None, record: RecordRef | None = None) -> AddOutcome:
    """`add_content` for a file on disk; its name may be bytes in any encoding."""
    name = display_name(Path(path).name if not isinstance(path, bytes) else path.rsplit(b"/", 1)[-1])
    try:
        content = Path(path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path).read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return AddOutcome(name, REFUSED, error=LamsachError(ErrorCode.ARCHIVE_FILE_NOT_FOUND, Location(file=name)))
    return add_content(store, settings, content, name, values, actor, unit, record)


def add_content(store, settings: Settings, content: bytes, name: str, values: dict, actor: str,
                unit: str | None = None, record: RecordRef | None = None) -> AddOutcome:
    """Keep `content` (received as `name`) with `values` as its metadata, tied to `record` if given,
    its text read before it is catalogued (the command line: the officer waits for the result)."""
    return _keep(store, settings, content, name, values, actor, unit, record, read_now=True)


def receive_content(store, settings: Settings, content: bytes, name: str, values: dict, actor: str,
                    unit: str | None = None, record: RecordRef | None = None) -> AddOutcome:
    """Keep `content` at once with its metadata, its text still to read (`PENDING`): the web's
    upload answers in the time it takes to check and store the file, and `read_kept` (a queued
    job) reads it afterwards. A file that cannot be kept is refused here just the same."""
    return _keep(store, settings, content, name, values, actor, unit, record, read_now=False)


def _keep(store, settings: Settings, content: bytes, name: str, values: dict, actor: str, unit: str | None,
          record: RecordRef | None, read_now: bool) -> AddOutcome:
    from lamsach.backends.store import archive as catalogue

    name = display_name(name)
    try:
        facts = inspect_file(content, name, settings.archive_max_pages)
        if record is not None and store.record(record.campaign, record.dataset, record.record_key) is None:
            raise LamsachError(ErrorCode.ARCHIVE_RECORD_NOT_FOUND, Location(file=name), {
                "campaign": record.campaign, "dataset": record.dataset, "record": record.record_key})
    except LamsachError as error:
        return AddOutcome(name, REFUSED, error=error)
    sha256 = vault.sha256_bytes(content)
    known = catalogue.document_by_sha(store, sha256)
    if known is not None:
        return AddOutcome(name, REFUSED, document_id=known["id"], error=LamsachError(
            ErrorCode.ARCHIVE_DUPLICATE, Location(file=name), {"document": known["id"]}))

    outcome = AddOutcome(name, KEPT, pages=facts.page_count)
    result = _read(content, facts, name, settings, outcome) if read_now else ocr.TextResult("", PENDING, None)
    outcome.text_source = result.source

    meta = metadata.normalise({"title": Path(name).stem, "language": "vi", "access_level": "restricted",
                               "page_count": facts.page_count,
                               "unit": unit, **{k: v for k, v in values.items() if v not in (None, "")}})
    outcome.findings = metadata.validate({sha256: meta})
    links = [{"campaign": record.campaign, "dataset": record.dataset, "record_key": record.record_key,
              "status": catalogue.CONFIRMED, "evidence": None, "decided_by": actor}] if record else []
    outcome.suggestions = _suggestions(store, result.text, links)
    links += [{**s, "status": catalogue.SUGGESTED} for s in outcome.suggestions]

    keep = vault_for(settings)
    created: list[Path] = []
    try:
        created += keep.put("originals", sha256, content)
        copy_sha = _put_text(keep, sha256, result, created) if read_now else None
        outcome.document_id = catalogue.add_document(store, {
            "sha256": sha256, "file_name": name, "media_type": facts.media_type, "size_bytes": len(content),
            "signed": int(facts.signed), "copy_sha256": copy_sha, "text_source": result.source,
            "metadata": meta, "access_level": meta.get("access_level") or "restricted", "unit": meta.get("unit"),
            "added_by": actor}, result.text, _searchable(name, meta, result.text), outcome.findings, links)
    except catalogue.AlreadyKept as kept:  # the same file, sent twice at once: the other one won
        return AddOutcome(name, REFUSED, document_id=kept.document_id, error=LamsachError(
            ErrorCode.ARCHIVE_DUPLICATE, Location(file=name), {"document": kept.document_id}))
    except BaseException:
        vault.remove(created)
        raise
    return outcome


def read_kept(store, settings: Settings, document_id: int) -> AddOutcome:
    """Read the text of a document kept by `receive_content`: OCR of its original, the searchable
    copy and the text written beside it, the text indexed for search and the records it names
    suggested. Safe to run again (after a crash): the files are addressed by hash and the
    catalogue entry is replaced as a whole."""
    from lamsach.backends.store import archive as catalogue

    document = catalogue.document(store, document_id)
    if document is None:
        raise LamsachError(ErrorCode.ARCHIVE_DOCUMENT_NOT_FOUND, Location(), {"document": document_id})
    name = document["file_name"]
    outcome = AddOutcome(name, KEPT, document_id=document_id)
    keep = vault_for(settings)
    content = keep.read("originals", document["sha256"])
    facts = inspect_file(content, name, settings.archive_max_pages)
    outcome.pages = facts.page_count
    result = _read(content, facts, name, settings, outcome)
    outcome.text_source = result.source
    confirmed = catalogue.links(store, document_id, status=catalogue.CONFIRMED)
    outcome.suggestions = _suggestions(store, result.text, confirmed)
    created: list[Path] = []
    try:
        copy_sha = _put_text(keep, document["sha256"], result, created)
        catalogue.finish_reading(store, document_id, result.source, copy_sha, result.text,
                                 _searchable(name, document["metadata"], result.text),
                                 [{**s, "status": catalogue.SUGGESTED} for s in outcome.suggestions])
    except BaseException:
        vault.remove(created)
        raise
    return outcome


def _read(content: bytes, facts, name: str, settings: Settings, outcome: AddOutcome) -> ocr.TextResult:
    """The file's text; a failed or empty reading keeps the file, with a warning saying why."""
    try:
        result = ocr.read_text(content, facts, jobs=settings.archive_ocr_jobs)
    except ocr.OcrFailed as exc:
        outcome.warnings.append(LamsachError(ErrorCode.ARCHIVE_OCR_FAILED, Location(file=name),
                                             {"reason": str(exc)}, severity="warning"))
        return ocr.TextResult("", "none", None)
    if result.source == "none":
        outcome.warnings.append(LamsachError(ErrorCode.ARCHIVE_NO_TEXT, Location(file=name), severity="warning"))
    return result


def _suggestions(store, text: str, links: list[dict]) -> list[dict]:
    """Records the text names, but for those the document is tied to already."""
    tied = {(link["campaign"], link["dataset"], link["record_key"]) for link in links}
    return [s for s in suggest_links(store, text) if (s["campaign"], s["dataset"], s["record_key"]) not in tied]


def _put_text(keep: vault.Vault, sha256: str, result: ocr.TextResult, created: list[Path]) -> str | None:
    """Write the searchable copy (if any) and the text beside the original; the copy's hash."""
    copy_sha = None
    if result.copy_pdf is not None:
        copy_sha = vault.sha256_bytes(result.copy_pdf)
        created += keep.put("copies", copy_sha, result.copy_pdf, ".pdf")
    created += keep.put("texts", sha256, result.text.encode("utf-8"), ".txt")
    return copy_sha


def _searchable(name: str, meta: dict, text: str) -> str:
    """What search reads: the file name, every metadata value and the text, folded."""
    return folding.fold("\n".join([name, *(str(v) for v in meta.values() if v), text]))
