"""Batch engines: the `Engine` interface, its DuckDB backend, and the SQL `Dialect` each speaks."""

from lamsach.backends.engine.base import TABLE_PREFIX, Engine
from lamsach.backends.engine.dialect import Dialect, DuckDBDialect
from lamsach.backends.engine.duckdb import DuckDBEngine

__all__ = ["TABLE_PREFIX", "Dialect", "DuckDBDialect", "DuckDBEngine", "Engine"]
