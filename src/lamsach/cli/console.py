"""What the CLI prints: Rich progress bars for each stage, errors as a table, the closing summary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lamsach.domain import LamsachError
from lamsach.report.queries import CRITERION_VI

console = Console()
err_console = Console(stderr=True)


class RichProgress:
    """One progress bar per stage of the pass."""

    def __init__(self) -> None:
        self._progress = Progress(TextColumn("{task.description:<30}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=console, transient=False)
        self._task = None

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    def start(self, label: str, total: int) -> None:
        self._task = self._progress.add_task(label, total=max(total, 1))

    def advance(self, steps: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, steps)

    def finish(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(self._task, completed=task.total)


def flatten(error: BaseException) -> list[LamsachError]:
    if isinstance(error, LamsachError):
        return [error]
    if isinstance(error, BaseExceptionGroup):
        return [e for sub in error.exceptions for e in flatten(sub)]
    return []


@contextmanager
def user_errors(lang: str) -> Iterator[None]:
    """Errors a user can fix (a store that cannot be opened, a missing setting, …) raised in the
    block are printed one per line and end the command with exit code 1; bugs propagate."""
    try:
        yield
    except Exception as exc:
        fail(exc, lang)


def fail(exc: Exception, lang: str) -> NoReturn:
    """Print `exc`'s user errors and end the command with exit code 1; re-raise a bug as it is."""
    errors = flatten(exc)
    if not errors:
        raise exc
    print_errors(errors, lang)
    raise typer.Exit(1) from None


def print_errors(errors: list[LamsachError], lang: str) -> None:
    """One line per error, never wrapped inside a file path, so it can be copied as it is."""
    title = "Lỗi" if lang == "vi" else "Errors"
    err_console.print(f"[bold red]{title} ({len(errors)}):[/bold red]")
    for error in errors:
        err_console.print(f"• [{error.code.value}] {error.message(lang)}", soft_wrap=True,
                          markup=False, highlight=False)


def print_summary(summary, lang: str = "vi") -> None:
    console.print(f"\n[bold]Kết quả: {summary.campaign}[/bold] (lần chạy {summary.run_id})")
    if getattr(summary, "files_date", None):
        console.print(f"[yellow]Bản chốt ngày {_day(summary.reference_date)} sớm hơn ngày của các tệp "
                      f"({_day(summary.files_date)}): ngày đến {_day(summary.files_date)} không bị coi là ngày "
                      "trong tương lai.[/yellow]")
    table = Table(show_header=True)
    table.add_column("Chỉ tiêu")
    table.add_column("Số lượng", justify="right")
    table.add_row("Dòng đọc", str(summary.rows_read))
    table.add_row("Dòng lưu", str(summary.rows_stored))
    table.add_row("Dòng bị loại", str(summary.rows_rejected))
    unchanged = sum(1 for source in summary.sources if source.get("unchanged_file"))
    if unchanged:  # the weekly re-run: files equal to their stored batch were not read again
        table.add_row("Tệp không đổi (không đọc lại)", f"{unchanged}/{len(summary.sources)}")
    for code, count in sorted(summary.rejection_reasons.items()):
        table.add_row(f"  lý do {code}", str(count))
    for dataset, count in summary.records.items():
        table.add_row(f"Bản ghi {dataset}", str(count))
    table.add_row("Giá trị tự sửa lần này", str(summary.repairs))
    table.add_row("Liên kết với CSDL dân cư", str(summary.links))
    table.add_row("Bản ghi trùng", str(summary.duplicates))
    console.print(table)
    crit = Table(show_header=True, title="Phát hiện theo tiêu chí")
    crit.add_column("Tiêu chí")
    crit.add_column("Còn mở", justify="right")
    crit.add_column("Đã tự sửa", justify="right")
    for criterion, counts in summary.findings_by_criterion.items():
        crit.add_row(CRITERION_VI.get(criterion, criterion), str(counts.get("open", 0)), str(counts.get("fixed", 0)))
    console.print(crit)
    for source in summary.sources:
        for col in source.get("unmapped_columns", []):
            hint = f" — có thể là “{col['closest_label']}” ({col['closest']})" if col.get("closest") else ""
            console.print(f"[yellow]Cột không được đọc[/yellow]: {source['file']}: “{col['column']}”{hint}. "
                          "Hãy ánh xạ trong columns: hoặc liệt kê trong ignore_columns: của tệp mô tả.")
    console.print(f"Thời gian: {summary.seconds} giây. Báo cáo: [bold]{summary.out_dir}/report.html[/bold], "
                  f"[bold]{summary.out_dir}/report.xlsx[/bold]")


def _day(iso: str) -> str:
    """2026-10-05 as an officer writes it: 05/10/2026."""
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
