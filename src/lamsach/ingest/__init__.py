"""Ingest: a manifest and the unit files it names, read into raw rows per dataset field.

`load_manifest` reads the batch contract's manifest; `read_source` reads one file (CSV in any of
the code pages units use, or a workbook) into a `SourceRead`: the original bytes with their
checksum, how the file was read, one dict of raw text per row and a rejection for every row that
cannot become a record. Values are not cleaned here — that is the standardise stage's work.
"""

from lamsach.ingest.collisions import (
    reject_pass_collisions,
    reject_taken_keys,
    row_key,
    row_keys,
    row_unit,
    row_units,
)
from lamsach.ingest.headers import fold
from lamsach.ingest.manifest import load_manifest
from lamsach.ingest.records import Records
from lamsach.ingest.source import SourceRead, read_key, read_source
from lamsach.ingest.yaml_text import key_lines, parse_yaml, shown_value

__all__ = [
    "Records", "SourceRead", "fold", "key_lines", "load_manifest", "parse_yaml", "read_key", "read_source", "reject_pass_collisions",
    "reject_taken_keys", "row_key", "row_keys", "row_unit", "row_units", "shown_value",
]
