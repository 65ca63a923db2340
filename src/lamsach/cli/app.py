"""The `lamsach` command: one Typer app, one function per command."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from lamsach.cli.access import audit_app
from lamsach.cli.archive import archive_app
from lamsach.cli.campaign import campaign_app
from lamsach.cli.clients import client_app
from lamsach.cli.console import RichProgress, console, fail, print_summary
from lamsach.cli.databases import databases
from lamsach.cli.options import DatabaseUrl, DataDir, Lang, settings_for
from lamsach.cli.records import finding_app, record_app
from lamsach.cli.serve import serve
from lamsach.cli.sync import sync_app
from lamsach.cli.users import user_app
from lamsach.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="lamsach — làm sạch, làm giàu và đo chất lượng CSDL của tỉnh theo 6 tiêu chí.")

app.add_typer(campaign_app, name="campaign")
app.add_typer(archive_app, name="archive")
app.add_typer(user_app, name="user")
app.add_typer(client_app, name="client")
app.add_typer(audit_app, name="audit")
app.command()(serve)
app.add_typer(record_app, name="record")
app.add_typer(finding_app, name="finding")
app.add_typer(sync_app, name="sync")
app.command()(databases)


def run_and_report(manifest: Path, out: Path, settings: Settings, reference_date=None, source_roots=()) -> None:
    """Run the pass with progress bars; print its summary, or its errors and exit 1."""
    from lamsach.runner import run_pass

    try:
        with RichProgress() as progress:
            summary = run_pass(manifest, out, settings, progress, reference_date=reference_date,
                               source_roots=source_roots)
    except Exception as exc:
        fail(exc, settings.lang)
    print_summary(summary, settings.lang)


@app.command()
def run(
    manifest: Annotated[Path, typer.Argument(help="Tệp mô tả (manifest.yaml) của đợt làm sạch.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Thư mục ghi kết quả.")] = Path("out"),
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    lang: Lang = "vi",
    engine: Annotated[str | None, typer.Option(
        "--engine", help="Engine xử lý lô: duckdb (một máy) hoặc spark (Apache Spark, cần pip install -e "
        "\".\\[spark]\" và Java 17). Mặc định: LAMSACH_ENGINE hoặc duckdb.")] = None,
    spark_master: Annotated[str | None, typer.Option(
        "--spark-master", help="URL master của Spark khi chạy bằng --engine spark (mặc định local[*]; "
        "vd. spark://máy:7077).")] = None,
) -> None:
    """Chạy một lượt làm sạch trên các tệp mà tệp mô tả liệt kê."""
    settings = settings_for(data_dir, database_url, lang)
    if engine or spark_master:
        from dataclasses import replace

        settings = replace(settings, engine=engine or settings.engine,
                           spark_master=spark_master or settings.spark_master)
    run_and_report(manifest, out, settings)


@app.command()
def demo(
    people: Annotated[int, typer.Option(help="Số nhân khẩu của tỉnh mẫu.")] = 3000,
    seed: Annotated[int, typer.Option(help="Hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu).")] = 1,
    out: Annotated[Path, typer.Option("--out", "-o", help="Thư mục ghi dữ liệu mẫu và kết quả.")] = Path("out/demo"),
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    lang: Lang = "vi",
) -> None:
    """Sinh một tỉnh mẫu có đáp án (ground truth) rồi chạy trọn một lượt làm sạch."""
    from lamsach.generate import generate_province

    settings = settings_for(data_dir or out / "store", database_url, lang)
    with console.status(f"Đang sinh tỉnh mẫu {people} nhân khẩu…"):
        manifest = generate_province(out / "province", people=people, seed=seed)
    console.print(f"Tỉnh mẫu: {manifest} (đáp án trong {manifest.parent / 'truth'})")
    run_and_report(manifest, out / "result", settings)
    _print_truth_score(out / "result", manifest.parent / "truth")


def _print_truth_score(result: Path, truth: Path) -> None:
    """How much of what the generator planted the pass found: the demo's own check."""
    from lamsach.measure import score_against_truth

    score = score_against_truth(result, truth)
    planted = sum(c.planted for c in score.classes)
    found = sum(c.found for c in score.classes)
    weakest = min(score.classes, key=lambda c: c.recall)
    console.print(f"Đối chiếu đáp án: phát hiện {found}/{planted} lỗi đã cài ({found / planted:.1%}); "
                  f"lớp lỗi thấp nhất: {weakest.dataset}/{weakest.error_type} {weakest.recall:.0%}; "
                  f"báo nhầm {score.false_alarms}/{score.clean_records} bản ghi sạch "
                  f"({score.false_alarm_rate:.2%}).")
    _print_truth_by_dataset(score)


def _print_truth_by_dataset(score) -> None:
    """The same check per dataset: each must find ≥ 99% of its planted defects and raise false
    alarms on ≤ 0.5% of its records with none."""
    from rich.table import Table

    table = Table(title="Đối chiếu đáp án theo tập dữ liệu")
    for header in ("Tập dữ liệu", "Đã cài", "Thấy", "%", "Báo nhầm", "Sạch", "% nhầm"):
        table.add_column(header, justify="left" if header == "Tập dữ liệu" else "right", no_wrap=True)
    for dataset, planted, found, alarms, clean in score.by_dataset():
        table.add_row(dataset, str(planted), str(found), f"{found / planted:.1%}" if planted else "—",
                      str(alarms), str(clean), f"{alarms / clean:.2%}" if clean else "—")
    console.print(table)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()

