"""Batch engines: the `Engine` interface and its DuckDB backend."""

from lamsach.backends.engine.base import TABLE_PREFIX, Engine
from lamsach.backends.engine.duckdb import DuckDBEngine

__all__ = ["TABLE_PREFIX", "DuckDBEngine", "Engine"]
