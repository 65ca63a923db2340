"""Where each key database stands, from what the store holds: records, the six criteria, the stage
the data proves, and whether it will be complete by its target date.

Each dataset is read from the newest complete run that scored it (a land campaign and a civil
status campaign run separately; the province's view takes each dataset's latest). Stages the data
can prove are computed: *populated* (every dataset of the database has records), *cleaned* (the
share of records passing all five data criteria reaches the catalogue's `cleaned_score`),
*connected* (the national sync acknowledged every dataset, when the sync work reports it) and
*shared* (the shared criterion reaches `shared_score`). A database lamsach holds no data for keeps
the stage its department reports, and says it was set by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from lamsach.backends.store import SqlAlchemyStore
from lamsach.campaign import forecast_at
from lamsach.catalogue.key_databases import KeyDatabase, KeyDatabaseCatalogue, stage_index
from lamsach.data import dataset_names, load_schema
from lamsach.domain import CRITERIA
from lamsach.measure import OVERALL

OUTLOOKS = ("done", "on_track", "at_risk", "missed", "unknown")
SyncState = Callable[[], dict[str, dict]]
"""dataset -> {"acknowledged": int, "pending": int, "last_acknowledged_at": str | None, ...}."""


@dataclass(frozen=True)
class DatasetFigures:
    dataset: str
    label: str
    known: bool  # a schema file declares it
    records: int = 0
    passing: dict[str, int] = field(default_factory=dict)  # criterion (and overall) -> records passing
    run_id: int | None = None
    as_of: str | None = None  # reference date of that run
    sync: dict | None = None

    @property
    def scores(self) -> dict[str, float]:
        return {c: n / self.records for c, n in self.passing.items()} if self.records else {}


@dataclass(frozen=True)
class DatabaseStatus:
    database: KeyDatabase
    datasets: tuple[DatasetFigures, ...]
    stage: str
    stage_source: str  # data, sync, hand
    reported_unproved: bool  # the department reports a stage the data does not show
    complete: bool
    outlook: str  # one of OUTLOOKS
    projected: float | None  # overall share forecast at the target date

    @property
    def records(self) -> int:
        return sum(f.records for f in self.datasets)

    @property
    def scores(self) -> dict[str, float]:
        return _weighted(self.datasets)

    @property
    def connected(self) -> bool | None:
        """True when the national sync acknowledged every dataset; None without sync figures."""
        states = [f.sync for f in self.datasets if f.records]
        if not states or any(s is None for s in states):
            return None
        return all(s.get("acknowledged", 0) > 0 for s in states)


@dataclass(frozen=True)
class ProvinceDatabases:
    catalogue: KeyDatabaseCatalogue
    rows: tuple[DatabaseStatus, ...]
    as_of: date

    @property
    def complete_count(self) -> int:
        return sum(r.complete for r in self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)


def _weighted(figures: list[DatasetFigures] | tuple[DatasetFigures, ...]) -> dict[str, float]:
    records = sum(f.records for f in figures)
    sums: dict[str, int] = defaultdict(int)
    for f in figures:
        for criterion, n in f.passing.items():
            sums[criterion] += n
    return {c: n / records for c, n in sums.items()} if records else {}


def _run_figures(store: SqlAlchemyStore, run_id: int) -> dict[str, tuple[int, dict[str, int]]]:
    """dataset -> (records, criterion -> passing) of one run, summed over its units."""
    out: dict[str, tuple[int, dict[str, int]]] = {}
    for row in store.scorecard(run_id):
        records, passing = out.get(row["dataset"], (0, {}))
        if row["criterion"] == OVERALL:  # every criterion row repeats the unit's records: count once
            records += int(row["records"])
        passing[row["criterion"]] = passing.get(row["criterion"], 0) + int(row["passing"])
        out[row["dataset"]] = (records, passing)
    return out


def database_statuses(catalogue: KeyDatabaseCatalogue, store: SqlAlchemyStore, as_of: date | None = None,
                      sync_state: SyncState | None = None, campaign: str | None = None,
                      history_runs: int = 12) -> ProvinceDatabases:
    """Every database of the catalogue with its figures as of `as_of` (default: today)."""
    today = as_of or date.today()
    runs = [r for r in store.runs() if r["status"] == "complete" and (campaign is None or r["campaign"] == campaign)
            and (r["reference_date"] is None or date.fromisoformat(r["reference_date"]) <= today)]
    runs.sort(key=lambda r: (r["reference_date"] or "", r["id"]))
    runs = runs[-history_runs:]
    per_run = [(r, _run_figures(store, r["id"])) for r in runs]
    sync = (sync_state or _store_sync_state(store))()
    known = set(dataset_names())
    latest: dict[str, DatasetFigures] = {}
    for run, figures in per_run:
        for dataset, (records, passing) in figures.items():
            latest[dataset] = DatasetFigures(dataset, _label(dataset, known), dataset in known, records, passing,
                                             run["id"], run["reference_date"], sync.get(dataset))
    rows = []
    for database in catalogue.databases:
        figures = tuple(latest.get(d) or DatasetFigures(d, _label(d, known), d in known, sync=sync.get(d))
                        for d in database.datasets)
        history = [(date.fromisoformat(run["reference_date"]), _weighted(
            [DatasetFigures(d, d, True, *by_dataset[d]) for d in database.datasets if d in by_dataset]).get(OVERALL))
            for run, by_dataset in per_run if run["reference_date"]]
        rows.append(_status(catalogue, database, figures, [(d, s) for d, s in history if s is not None], today))
    return ProvinceDatabases(catalogue, tuple(rows), today)


def _status(catalogue: KeyDatabaseCatalogue, database: KeyDatabase, figures: tuple[DatasetFigures, ...],
            history: list[tuple[date, float]], today: date) -> DatabaseStatus:
    stage, source = _stage(catalogue, database, figures)
    unproved = stage_index(database.stage) > stage_index(stage)
    complete = stage_index(stage) >= stage_index(catalogue.complete_stage)
    projected = None
    if complete:
        outlook = "done"
    elif today > database.target_date:
        outlook = "missed"
    elif source == "hand":
        outlook = "unknown"
    else:
        forecast = forecast_at(history[-8:], database.target_date)
        projected = forecast.value if forecast else None
        outlook = "unknown" if forecast is None else "on_track" if forecast.value >= catalogue.cleaned_score \
            else "at_risk"
    return DatabaseStatus(database, figures, stage, source, unproved, complete, outlook, projected)


def _stage(catalogue: KeyDatabaseCatalogue, database: KeyDatabase,
           figures: tuple[DatasetFigures, ...]) -> tuple[str, str]:
    """(stage, source): computed from the data when lamsach holds any of the database's datasets."""
    known = [f for f in figures if f.known]
    held = [f for f in known if f.records]
    if not held:
        return database.stage, "hand"
    if len(held) < len(known):
        return "building", "data"
    scores = _weighted(held)
    if scores.get(OVERALL, 0.0) < catalogue.cleaned_score:
        return "populated", "data"
    acknowledged = [f.sync.get("acknowledged", 0) > 0 for f in held if f.sync is not None]
    if len(acknowledged) == len(held) and all(acknowledged):
        stage, source = "connected", "sync"
    elif stage_index(database.stage) >= stage_index("connected") and len(acknowledged) < len(held):
        stage, source = "connected", "hand"  # no sync figures: the department's word, shown as such
    else:
        return "cleaned", "data"
    if all(f.scores.get("shared", 0.0) >= catalogue.shared_score for f in held):
        return "shared", "data"
    return stage, source


def _store_sync_state(store: SqlAlchemyStore) -> SyncState:
    """The sync work's per-dataset state, when the store offers it; nothing otherwise."""
    reader = getattr(store, "sync_state_by_dataset", None)
    return reader if callable(reader) else dict


def _label(dataset: str, known: set[str]) -> str:
    return load_schema(dataset).label_vi if dataset in known else dataset


CRITERIA_SHOWN = tuple(c.value for c in CRITERIA)
