"""The page "12 CSDL trọng điểm": where each of the province's key databases stands, as leaders
track it — datasets, records, the six criteria, stage (computed or set by hand, and which),
connection to the national system, target date and outlook; N of 12 complete.

The figures are `catalogue.database_statuses` over the store, the same as `lamsach databases`;
this module only turns them into words of the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request

from lamsach.catalogue import DatabaseStatus, database_statuses, database_words, load_key_databases
from lamsach.domain import CRITERIA
from lamsach.web.rendering import render, request_lang
from lamsach.web.security import SignedIn

router = APIRouter()


@dataclass(frozen=True)
class DatasetLine:
    dataset: str
    label: str
    known: bool
    records: int
    scores: dict[str, float]
    as_of: str | None


@dataclass(frozen=True)
class DatabaseCard:
    id: str
    name: str
    lead_department: str
    national_system: str
    stage: str  # one of catalogue.STAGES
    stage_words: str
    stage_source: str  # data, sync, hand
    source_words: str
    reported: str | None  # the department reports more than the data shows
    connection: str
    target_date: str
    outlook: str  # one of catalogue.OUTLOOKS
    outlook_words: str
    complete: bool
    records: int
    scores: dict[str, float]
    datasets: list[DatasetLine] = field(default_factory=list)


@dataclass(frozen=True)
class KeyDatabasesPage:
    title: str
    complete_words: str
    complete: int
    total: int
    as_of: str
    criteria: list[str]
    databases: list[DatabaseCard] = field(default_factory=list)


def _card(row: DatabaseStatus, lang: str) -> DatabaseCard:
    w = database_words
    reported = w("reported", lang, stage=w("stage_" + row.database.stage, lang)) if row.reported_unproved else None
    states = [f.sync for f in row.datasets if f.sync]
    if not states:
        connection = w("sync_none", lang)
    else:
        connection = w("sync_acknowledged", lang, n=sum(int(s.get("acknowledged", 0)) for s in states))
        pending = sum(int(s.get("pending", 0)) for s in states)
        connection += ", " + w("sync_pending", lang, n=pending) if pending else ""
    outlook = w("outlook_" + row.outlook, lang)
    if row.projected is not None:
        outlook += f" ({row.projected:.0%})"
    lines = [DatasetLine(f.dataset, f.label if f.known else f"{f.dataset} ({w('not_in_lamsach', lang)})", f.known,
                         f.records, f.scores, f.as_of) for f in row.datasets]
    return DatabaseCard(row.database.id, row.database.name(lang), row.database.lead_department_name,
                        row.database.national_system, row.stage, w("stage_" + row.stage, lang), row.stage_source,
                        w("source_" + row.stage_source, lang), reported, connection,
                        f"{row.database.target_date:%d/%m/%Y}", row.outlook, outlook, row.complete, row.records,
                        row.scores, lines)


@router.get("/databases")
def key_databases(request: Request, viewer: SignedIn):
    """Every signed-in user sees the province's twelve: they are the province's public commitment."""
    lang = request_lang(request)
    settings = request.app.state.config.settings
    province = database_statuses(load_key_databases(settings.key_databases), request.app.state.store)
    page = KeyDatabasesPage(database_words("title", lang),
                            database_words("complete", lang, n=province.complete_count, total=province.total),
                            province.complete_count, province.total, f"{province.as_of:%d/%m/%Y}",
                            [c.value for c in CRITERIA], [_card(r, lang) for r in province.rows])
    return render(request, "key_databases.html", page)
