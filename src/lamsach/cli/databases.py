"""`lamsach databases`: the province's twelve key databases, each with its datasets, records, the
six criteria, its stage (computed where the data proves it), connection, target date and outlook."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lamsach.cli.console import console, err_console, flatten, print_errors
from lamsach.cli.options import DatabaseUrl, DataDir, Lang, settings_for
from lamsach.domain import CRITERIA
from lamsach.report.labels import criterion_label

CatalogueFile = Annotated[Path | None, typer.Option(
    "--catalogue", help="Tệp danh mục 12 CSDL của tỉnh (YAML). Mặc định: LAMSACH_KEY_DATABASES hoặc bản kèm theo.")]


def databases(
    catalogue: CatalogueFile = None,
    campaign: Annotated[str | None, typer.Option(help="Chỉ tính theo một đợt làm sạch (mặc định: mọi đợt).")] = None,
    as_of: Annotated[str | None, typer.Option(help="Ngày chốt số liệu yyyy-mm-dd (mặc định: hôm nay).")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    lang: Lang = "vi",
) -> None:
    """12 CSDL trọng điểm: dữ liệu, số bản ghi, 6 tiêu chí, giai đoạn, kết nối, hạn và dự báo."""
    from lamsach.backends.store import SqlAlchemyStore
    from lamsach.catalogue import database_statuses, load_key_databases

    settings = settings_for(data_dir, database_url, lang)
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        err_console.print(f"--as-of “{as_of}” không phải ngày yyyy-mm-dd.")
        raise typer.Exit(1) from None
    try:
        loaded = load_key_databases(catalogue or settings.key_databases)
        province = database_statuses(loaded, SqlAlchemyStore.open(settings.store_url), day, campaign=campaign)
    except Exception as exc:
        errors = flatten(exc)
        if not errors:
            raise
        print_errors(errors, lang)
        raise typer.Exit(1) from None
    print_databases(province, lang)


def print_databases(province, lang: str = "vi") -> None:
    """Two tables that fit a terminal: where each database stands, then its figures."""
    from lamsach.catalogue import database_words as w

    vi = lang == "vi"
    stages = Table(title=w("title", lang), show_lines=True)
    for header in ("CSDL" if vi else "Database", "Giai đoạn" if vi else "Stage", "Kết nối" if vi else "Connection",
                   "Hạn" if vi else "Target", "Dự báo" if vi else "Outlook"):
        stages.add_column(header, overflow="fold")
    figures = Table(show_lines=False)
    for header in ("CSDL" if vi else "Database", "Tập dữ liệu" if vi else "Dataset", "Bản ghi" if vi else "Records",
                   *(criterion_label(c.value) if vi else c.value for c in CRITERIA)):
        figures.add_column(header, overflow="fold", justify="left" if header in ("CSDL", "Database") else "right")
    for row in province.rows:
        stage = f"{w('stage_' + row.stage, lang)} ({w('source_' + row.stage_source, lang)})"
        if row.reported_unproved:
            stage += "; " + w("reported", lang, stage=w("stage_" + row.database.stage, lang))
        name = f"{row.database.name(lang)}\n{row.database.lead_department_name}"
        stages.add_row(name, stage, _connection(row, lang), row.database.target_date.strftime("%d/%m/%Y"),
                       _outlook(row, lang))
        if not row.datasets:
            figures.add_row(row.database.name(lang), w("no_datasets", lang), "", *("" for _ in CRITERIA))
        for i, f in enumerate(row.datasets):
            label = f.dataset if f.known else f"{f.dataset} ({w('not_in_lamsach', lang)})"
            figures.add_row(row.database.name(lang) if i == 0 else "", label, _count(f.records, lang),
                            *(_share(f.scores.get(c.value)) for c in CRITERIA))
    console.print(stages)
    console.print(figures)
    console.print(w("complete", lang, n=province.complete_count, total=province.total), style="bold")


def _count(n: int, lang: str) -> str:
    return f"{n:,}".replace(",", "." if lang == "vi" else ",")


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _connection(row, lang: str) -> str:
    from lamsach.catalogue import database_words as w

    states = [f.sync for f in row.datasets if f.sync]
    if not states:
        return w("sync_none", lang)
    acknowledged = sum(int(s.get("acknowledged", 0)) for s in states)
    pending = sum(int(s.get("pending", 0)) for s in states)
    text = w("sync_acknowledged", lang, n=acknowledged)
    return text + (", " + w("sync_pending", lang, n=pending) if pending else "")


def _outlook(row, lang: str) -> str:
    from lamsach.catalogue import database_words as w

    text = w("outlook_" + row.outlook, lang)
    return text + (f" ({row.projected:.0%})" if row.projected is not None else "")
