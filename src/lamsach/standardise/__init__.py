"""Standardise stage: Vietnamese text, names, IDs, dates, codes and addresses made canonical.

`standardise_dataset` is what the pipeline calls; the other names serve stages that compare
values (name keys) and tools that write or read legacy-encoded text (encode/decode).
"""

from lamsach.standardise.dataset import StandardisedDataset, standardise_dataset
from lamsach.standardise.encodings import ENCODINGS, decode, encode
from lamsach.standardise.names import clean_name, name_key

__all__ = [
    "ENCODINGS",
    "StandardisedDataset",
    "clean_name",
    "decode",
    "encode",
    "name_key",
    "standardise_dataset",
]
