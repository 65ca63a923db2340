"""Table statistics for PostgreSQL's planner after the store writes many rows.

PostgreSQL plans each query from the statistics ANALYZE gathers; autovacuum gathers them a minute
or more after a table changes, and not at all where it is turned off. A pass writes a province's
records and then reads them back at once: with a fresh store's empty statistics the planner takes
the records table for a few rows, and one join of a dataset's repairs with its records (nested
loops over every record for every change) took minutes at 200,000 people. So the store analyzes
a table itself once the rows it wrote since the last time reach a fifth of what it held then —
autovacuum's own rule, applied before the next read instead of after the next nap. SQLite plans
from its indexes alone: nothing to do there.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

_SHARE = 0.2  # of the rows at the last analysis
_MIN_ROWS = 1000  # fewer rows than this change no plan worth an analysis


class TableStatistics:
    """Counts the rows the store writes per table and analyzes a table when they are enough."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.active = engine.dialect.name == "postgresql"
        self._analyzed: dict[str, int] = {}  # table -> rows it held when last analyzed (as counted here)
        self._written: dict[str, int] = {}  # table -> rows written since

    def wrote(self, **rows: int) -> None:
        """Note rows written (inserted or updated, committed) per table; analyze those now due."""
        if not self.active:
            return
        due = []
        for table, count in rows.items():
            written = self._written.get(table, 0) + count
            analyzed = self._analyzed.get(table, 0)
            if written >= max(_MIN_ROWS, _SHARE * analyzed):
                due.append(table)
                self._analyzed[table], self._written[table] = analyzed + written, 0
            else:
                self._written[table] = written
        if due:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in due:
                    conn.execute(text(f"ANALYZE {table}"))
