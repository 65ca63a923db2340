"""The batch engine interface: a few abstract methods, everything else final on the base.

A backend (DuckDB now, Spark later) implements running SQL, fetching a result as Arrow (whole or
in batches), registering an Arrow table, checking and dropping a table, and closing; it names
the `Dialect` its SQL is written in. Naming, logging and turning driver errors into
`LamsachError` (which names the rule, while the SQL goes to the log) live here once. A pass is
handed its engine and closes it (`with engine:`).
"""

from __future__ import annotations

import logging
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, final

from lamsach.backends.engine.dialect import Dialect
from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.domain.files import check_size, local_path, scheme

log = logging.getLogger("lamsach.engine")

TABLE_PREFIX = "__lamsach__"


class Engine(ABC):
    name: str = "engine"
    dialect: Dialect  # the SQL this engine speaks where engines differ

    @abstractmethod
    def _run(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        """Run a statement to completion; the rows it returns (none for DDL)."""

    @abstractmethod
    def _arrow(self, sql: str) -> Any:
        """The result of a SELECT as an Arrow table."""

    @abstractmethod
    def _register(self, table_name: str, data: Any) -> None: ...

    @abstractmethod
    def table_exists(self, table_name: str) -> bool: ...

    @abstractmethod
    def drop(self, table_name: str) -> None: ...

    @abstractmethod
    def batches(self, sql: str, rows_per_batch: int = 10_000) -> Any:
        """A large SELECT streamed as Arrow record batches (a reader), never whole in memory."""

    @abstractmethod
    def close(self) -> None: ...

    @contextmanager
    def memory_share(self, share: float) -> Iterator[None]:
        """Within the block, use at most `share` of the engine's memory: other work of the pass
        holds memory beside it. An engine whose memory is not the pass's process's (Spark's
        executors) has nothing to change."""
        yield

    @final
    def drop_tables(self, *tables: str | None) -> None:
        """Drop the tables a step made for itself once it is done with them (None: nothing): at a
        million people the link stage's alone are gigabytes the engine would otherwise hold, or
        spill to disk and read back, through the rest of the pass."""
        for table in tables:
            if table is not None:
                self.drop(table)

    def fetch_file(self, url: str, destination: Path, max_bytes: int | None) -> None:
        """Copy the file a manifest names by `url` to `destination` on this machine, refusing one
        over `max_bytes` before copying it. An engine of one machine reads its own files only
        (`file://`); Spark reads every file system it is configured for (`SparkEngine`)."""
        if scheme(url) != "file":
            raise LamsachError(ErrorCode.INGEST_URL_NEEDS_SPARK, Location(file=url),
                               {"scheme": scheme(url), "engine": self.name})
        source = Path(local_path(url))
        try:
            if not source.is_file():
                raise LamsachError(ErrorCode.INGEST_FILE_NOT_FOUND, Location(file=url))
            check_size(source.stat().st_size, max_bytes, url)
            shutil.copyfile(source, destination)
        except OSError as exc:
            raise LamsachError(ErrorCode.INGEST_URL_UNREADABLE, Location(file=url),
                               {"reason": exc.strerror or type(exc).__name__}) from None

    @final
    def __enter__(self) -> Engine:
        return self

    @final
    def __exit__(self, *_exc: object) -> None:
        self.close()

    @final
    def table_name(self, stem: str) -> str:
        """The generated table for `stem`, e.g. `__lamsach__ds_population`."""
        return f"{TABLE_PREFIX}{stem}"

    @final
    def register(self, stem: str, data: Any) -> str:
        name = self.table_name(stem)
        self._register(name, data)
        return name

    @final
    def rows(self, sql: str, rule: str = "-") -> list[dict]:
        """The result of a SELECT as a list of dicts (for reports and small results)."""
        return self.arrow(sql, rule).to_pylist()

    @final
    def arrow(self, sql: str, rule: str = "-") -> Any:
        log.debug("rule %s: %s", rule, sql)
        try:
            return self._arrow(sql)
        except Exception as exc:
            log.error("rule %s failed: %s\n%s", rule, exc, sql)
            raise LamsachError(
                ErrorCode.ENGINE_SQL_FAILED, Location(), {"rule": rule, "reason": str(exc).splitlines()[0]}
            ) from exc

    @final
    def run(self, sql: str, params: list[Any] | None = None, rule: str = "-") -> list[tuple]:
        """Run SQL for `rule`; a driver error becomes a `LamsachError` naming the rule."""
        log.debug("rule %s: %s", rule, sql)
        try:
            return self._run(sql, params)
        except Exception as exc:  # the driver's own error types differ per backend
            log.error("rule %s failed: %s\n%s", rule, exc, sql)
            raise LamsachError(
                ErrorCode.ENGINE_SQL_FAILED, Location(), {"rule": rule, "reason": str(exc).splitlines()[0]}
            ) from exc
