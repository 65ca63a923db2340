"""Settings: one frozen dataclass, each field with a default and help, overridable by LAMSACH_* variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(
        default=Path("lamsach-data"),
        metadata={"help": "Folder of the embedded store (SQLite file) and the kept original files."},
    )
    database_url: str | None = field(
        default=None,
        metadata={"help": "SQLAlchemy URL of the store; default sqlite:///<data_dir>/lamsach.db. "
                  "Use postgresql+psycopg://user@host/db for a multi-user deployment."},
    )
    lang: str = field(default="vi", metadata={"help": "Language of messages: vi or en."})
    header_search_rows: int = field(
        default=30, metadata={"help": "How many rows of a sheet are searched for the header row."}
    )
    duckdb_memory_limit: str = field(
        default="6GB", metadata={"help": "Memory DuckDB may use for batch work."}
    )
    duckdb_threads: int = field(default=2, metadata={"help": "Threads DuckDB may use."})

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'lamsach.db').as_posix()}"

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Defaults, then LAMSACH_<FIELD> environment variables, then explicit overrides."""
        values: dict = {}
        for f in fields(cls):
            raw = os.environ.get(f"LAMSACH_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _coerce(type_name: str, raw: str):
    if "Path" in str(type_name):
        return Path(raw)
    if "int" in str(type_name):
        return int(raw)
    return raw
