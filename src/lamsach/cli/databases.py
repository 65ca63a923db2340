"""`lamsach databases`: the province's twelve key databases, each with its datasets, records, the
six criteria, its stage (computed where the data proves it), connection, target date and outlook."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lamsach.cli.console import console, err_console, user_errors
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
    with user_errors(lang):
        loaded = load_key_databases(catalogue or settings.key_databases)
        province = database_statuses(loaded, SqlAlchemyStore.open(settings.store_url), day, campaign=campaign)
    print_databases(province, lang)


def print_databases(province, lang: str = "vi") -> None:
    """Two tables: where each database stands (fits an 80-column terminal), then its figures.

    A database's name is never wrapped or cut: leaders search the output for it. The figures table
    is printed whole even when wider than the terminal (a pager or file keeps it readable); squeezing
    it would break names and figures over lines.
    """
    from lamsach.catalogue import database_words as w

    vi = lang == "vi"
    longest = max((len(line) for r in province.rows
                   for line in (r.database.name(lang), r.database.lead_department_name)), default=4)
    stages = Table(title=w("title", lang), show_lines=True)
    stages.add_column("CSDL" if vi else "Database", no_wrap=True, min_width=longest)
    stages.add_column("Giai đoạn" if vi else "Stage", overflow="fold", min_width=10)
    stages.add_column("Hạn, dự báo" if vi else "Target, outlook", overflow="fold", min_width=10)
    stages.add_column("Kết nối" if vi else "Connection", overflow="fold")
    figures = Table(show_lines=False)
    for header in ("CSDL" if vi else "Database", "Tập dữ liệu" if vi else "Dataset", "Bản ghi" if vi else "Records",
                   *(criterion_label(c.value) if vi else c.value for c in CRITERIA)):
        first = header in ("CSDL", "Database")
        figures.add_column(header, overflow="fold", no_wrap=header not in _CRITERIA_HEADERS,
                           justify="left" if first or header in ("Tập dữ liệu", "Dataset") else "right")
    for row in province.rows:
        # one phrase a line, so a narrow column breaks between phrases rather than inside them
        stage = f"{w('stage_' + row.stage, lang)}\n({w('source_' + row.stage_source, lang)})"
        if row.reported_unproved:
            stage += "\n" + w("reported", lang, stage=w("stage_" + row.database.stage, lang))
        name = f"{row.database.name(lang)}\n{row.database.lead_department_name}"
        stages.add_row(name, stage, f"{row.database.target_date:%d/%m/%Y}\n{_outlook(row, lang)}",
                       _connection(row, lang))
        if not row.datasets:
            figures.add_row(row.database.name(lang), w("no_datasets", lang), "", *("" for _ in CRITERIA))
        for i, f in enumerate(row.datasets):
            label = f.dataset if f.known else f"{f.dataset} ({w('not_in_lamsach', lang)})"
            figures.add_row(row.database.name(lang) if i == 0 else "", label, _count(f.records, lang),
                            *(_share(f.scores.get(c.value)) for c in CRITERIA))
    console.print(stages)
    whole = console.measure(figures, options=console.options.update_width(1000)).maximum
    wide = Console(width=max(console.width, whole), file=console.file, force_terminal=console.is_terminal,
                   no_color=console.no_color)
    wide.print(figures)
    console.print(w("complete", lang, n=province.complete_count, total=province.total), style="bold")


_CRITERIA_HEADERS = frozenset({*(criterion_label(c.value) for c in CRITERIA), *(c.value for c in CRITERIA)})


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
