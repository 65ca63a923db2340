"""Generate stage: a synthetic province with planted defects and its ground truth.

`generate_province` writes a folder in the shape of `shared/samples/hau-loc` (manifest,
register extract, one land workbook per commune, civil registers, `truth/`); it serves tests,
demos and benchmarks. `generate_register_rows` streams clean register rows for benchmarks
that need a million people without files; `build_world` gives the in-memory province.
"""

from lamsach.generate.province import build_world, generate_province, write_province
from lamsach.generate.register import DEFAULT_REFERENCE_DATE, generate_register_rows

__all__ = [
    "DEFAULT_REFERENCE_DATE",
    "build_world",
    "generate_province",
    "generate_register_rows",
    "write_province",
]
