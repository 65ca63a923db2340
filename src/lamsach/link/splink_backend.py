"""The Splink database API that runs on the pass's own engine connection.

Splink writes its `__splink__*` tables beside the pass's `__lamsach__*` tables, so predictions
join the datasets in SQL without copying. Only the engine-to-API mapping knows which engine
is which; a Spark engine would map to `splink.SparkAPI` here.
"""

from __future__ import annotations

import logging
from typing import Any

from lamsach.backends.engine import Engine

logging.getLogger("splink").setLevel(logging.ERROR)


def splink_api(engine: Engine) -> Any:
    """A Splink `DatabaseAPI` over `engine`'s connection."""
    if engine.name == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI(connection=engine.con)  # type: ignore[attr-defined]
    raise NotImplementedError(f"Splink linking is not available on the {engine.name} engine")
