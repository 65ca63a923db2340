"""`lamsach campaign …`: register a campaign, list them, run one, show its weekly progress."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lamsach.campaign.uploads import pass_manifest, pass_source_roots
from lamsach.cli.console import console, err_console, fail, user_errors
from lamsach.cli.options import DatabaseUrl, DataDir, Lang, settings_for

campaign_app = typer.Typer(help="Đợt làm sạch: đơn vị, chỉ tiêu, tiến độ hằng tuần.", no_args_is_help=True)

CampaignFile = Annotated[Path, typer.Argument(help="Tệp khai báo đợt làm sạch (YAML).")]
CampaignName = Annotated[str, typer.Argument(help="Tên đợt làm sạch.")]
AsOf = Annotated[str | None, typer.Option(help="Ngày chốt số liệu yyyy-mm-dd (mặc định: hôm nay).")]


def _open(data_dir, database_url):
    from lamsach.backends.store import SqlAlchemyStore

    return SqlAlchemyStore.open(settings_for(data_dir, database_url).store_url)


def _spec_by_name(store, name: str):
    from lamsach.campaign import load_campaign

    known = {c["name"]: c for c in store.campaigns()}
    if name not in known:
        err_console.print(f"Chưa có đợt làm sạch “{name}”. Các đợt đã khai báo: {', '.join(known) or 'không có'}. "
                          "Hãy khai báo bằng: lamsach campaign create TỆP")
        raise typer.Exit(1)
    return load_campaign(Path(known[name]["path"]))


def _as_of(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        err_console.print(f"--as-of “{value}” không phải ngày yyyy-mm-dd.")
        raise typer.Exit(1) from None


@campaign_app.command("create")
def create(path: CampaignFile, data_dir: DataDir = None, database_url: DatabaseUrl = None,
           lang: Lang = "vi") -> None:
    """Khai báo (hoặc cập nhật) một đợt làm sạch từ tệp YAML."""
    from lamsach.campaign import load_campaign

    with user_errors(lang):
        spec = load_campaign(path)
    store = _open(data_dir, database_url)
    new = store.save_campaign(spec.name, str(path.resolve()), path.read_text(encoding="utf-8-sig"))
    console.print(f"{'Đã khai báo' if new else 'Đã cập nhật'} đợt “{spec.name}”: {len(spec.manifest.sources)} tệp, "
                  f"từ {spec.start} đến {spec.deadline}, chỉ tiêu {spec.targets}.")


@campaign_app.command("list")
def list_(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Các đợt làm sạch đã khai báo."""
    store = _open(data_dir, database_url)
    table = Table("Đợt làm sạch", "Tệp", "Số lần chạy")
    runs = store.runs()
    for c in store.campaigns():
        table.add_row(c["name"], c["path"], str(sum(r["campaign"] == c["name"] for r in runs)))
    console.print(table)


@campaign_app.command("run")
def run(name: CampaignName, as_of: AsOf = None,
        out: Annotated[Path | None, typer.Option("--out", "-o", help="Thư mục kết quả.")] = None,
        data_dir: DataDir = None, database_url: DatabaseUrl = None, lang: Lang = "vi") -> None:
    """Chạy một lượt của đợt làm sạch; lượt chạy là bản chốt số liệu của ngày --as-of."""
    from lamsach.cli.app import run_and_report

    settings = settings_for(data_dir, database_url, lang)
    spec = _spec_by_name(_open(data_dir, database_url), name)
    day = _as_of(as_of)
    run_and_report(pass_manifest(spec, settings), out or Path("out") / f"campaign-{day.isoformat()}", settings, day,
                   pass_source_roots(spec, settings))


@campaign_app.command("show")
def show(name: CampaignName, as_of: AsOf = None, data_dir: DataDir = None,
         database_url: DatabaseUrl = None) -> None:
    """Tiến độ tuần mới nhất: điểm, thay đổi, dự báo đến hạn, đơn vị chậm tiến độ."""
    from lamsach.campaign import campaign_progress
    from lamsach.data import rule_label
    from lamsach.report.labels import day, number, percent, signed_points, week_label
    from lamsach.report.weekly_words import LAGGING_VI, OUTLOOK_VI

    store = _open(data_dir, database_url)
    spec = _spec_by_name(store, name)
    progress = campaign_progress(store, spec, _as_of(as_of) if as_of else None)
    if not progress.weeks:
        console.print(f"Đợt “{name}” chưa có lần chạy nào. Hãy chạy: lamsach campaign run \"{name}\"")
        return
    target = spec.targets.get("overall")
    table = Table(title=f"{name} — {week_label(progress.weeks[-1])}, hạn {day(spec.deadline)}"
                  + (f", chỉ tiêu {percent(target)}" if target is not None else ""))
    for column in ("Hạng", "Đơn vị", "Tên", "Bản ghi", "Đạt cả 5", "Dùng chung", "Thay đổi", "Dự báo đến hạn", "Nhận định",
                   "Chậm", "Gửi gần nhất", "Lỗi nhiều nhất"):
        table.add_column(column)
    for row in progress.latest():
        overall = row.scores.get("overall")
        forecast = "" if row.forecast is None else percent(row.forecast) + (
            f" ({percent(row.forecast_low, 0)}–{percent(row.forecast_high, 0)})" if row.forecast_low is not None else "")
        table.add_row(str(row.rank), row.unit, row.unit_name, number(row.records), percent(overall),
                      percent(row.scores.get("shared")),
                      signed_points(row.change), forecast, OUTLOOK_VI.get(row.outlook or "", ""),
                      ", ".join(LAGGING_VI[r] for r in row.lagging_reasons),
                      day(row.last_submission) if row.last_submission else "chưa gửi",
                      rule_label(row.top_rules[0][0]) if row.top_rules else "")
    week = progress.province.get(progress.weeks[-1], {})
    table.add_row("", spec.manifest.province, "Toàn tỉnh", number(sum(r.records for r in progress.latest())),
                  percent(week.get("overall")), percent(week.get("shared")), "", "", "", "", "", "", style="bold")
    console.print(table)


@campaign_app.command("report")
def report(name: CampaignName, as_of: AsOf = None,
           out: Annotated[Path, typer.Option("--out", "-o", help="Thư mục ghi báo cáo tuần.")] = Path("out/weekly"),
           data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Báo cáo tuần (PDF, XLSX, HTML) theo thể thức văn bản hành chính."""
    from lamsach.campaign import campaign_progress
    from lamsach.report.weekly import write_weekly_report

    store = _open(data_dir, database_url)
    spec = _spec_by_name(store, name)
    day = _as_of(as_of)
    progress = campaign_progress(store, spec, day)
    if not progress.weeks:
        err_console.print(f"Đợt “{name}” chưa có lần chạy nào đến ngày {day}; chưa có gì để báo cáo.")
        raise typer.Exit(1)
    paths = write_weekly_report(progress, out, issued=day)
    console.print("Báo cáo tuần: " + ", ".join(str(p) for p in paths.values()))



@campaign_app.command("workbook")
def workbook(name: CampaignName, unit: Annotated[str, typer.Argument(help="Mã đơn vị (mã xã).")],
             out: Annotated[Path, typer.Option("--out", "-o", help="Tệp Excel sẽ ghi.")] = Path("sua-loi.xlsx"),
             data_dir: DataDir = None, database_url: DatabaseUrl = None, lang: Lang = "vi") -> None:
    """Xuất tệp Excel sửa lỗi của một đơn vị từ lượt kiểm tra mới nhất."""
    from lamsach.review import export_correction_workbook

    store = _open(data_dir, database_url)
    _spec_by_name(store, name)
    try:
        summary = export_correction_workbook(store, name, unit, out)
    except Exception as exc:
        fail(exc, lang)
    console.print(f"Đã ghi {summary.path} (lượt kiểm tra {summary.round}): "
                  f"{sum(summary.records_by_dataset.values())} hồ sơ, {sum(summary.cells_by_dataset.values())} ô cần sửa.")
    if summary.actions_by_dataset:
        console.print(f"{sum(summary.actions_by_dataset.values())} hồ sơ trùng hoặc đơn vị không còn gửi: "
                      "gộp hoặc ngừng sử dụng ở cột “Xử lý” của tệp.")


@campaign_app.command("apply")
def apply(name: CampaignName, path: Annotated[Path, typer.Argument(help="Tệp Excel đơn vị gửi lại.")],
          by: Annotated[str, typer.Option("--by", help="Người nộp tệp.")],
          unit: Annotated[str | None, typer.Option(help="Đơn vị phải là của tệp (để từ chối tệp của đơn vị khác).")] = None,
          as_of: AsOf = None,
          out: Annotated[Path | None, typer.Option("--out", "-o", help="Thư mục kết quả lượt kiểm tra lại.")] = None,
          data_dir: DataDir = None, database_url: DatabaseUrl = None, lang: Lang = "vi") -> None:
    """Nhận tệp Excel đã sửa: mỗi ô thay đổi thành một phiên bản mới, rồi kiểm tra lại cả đợt."""
    from lamsach.cli.app import run_and_report
    from lamsach.review import apply_correction_workbook

    store = _open(data_dir, database_url)
    spec = _spec_by_name(store, name)
    try:
        result = apply_correction_workbook(store, path, by, expected_unit=unit)
    except Exception as exc:
        fail(exc, lang)
    console.print(f"Đã nhận {sum(result.cells_by_dataset.values())} ô sửa từ {path.name}: "
                  + ", ".join(f"{d} {n}" for d, n in result.cells_by_dataset.items()))
    for dataset, key, into in result.merged:
        console.print(f"Đã gộp {dataset}/{key} vào {into} (theo cột Xử lý của tệp).")
    for dataset, key in result.retired:
        console.print(f"Đã ngừng sử dụng {dataset}/{key} (theo cột Xử lý của tệp).")
    if result.skipped:
        console.print(f"{len(result.skipped)} ô không được nhận (các ô khác đã được nhận):")
        for error in result.skipped:
            console.print(f"• [{error.code.value}] {error.message(lang)}", soft_wrap=True, markup=False,
                          highlight=False)
    if result.applied:
        day = _as_of(as_of)
        settings = settings_for(data_dir, database_url, lang)
        run_and_report(pass_manifest(spec, settings), out or Path("out") / f"campaign-{day.isoformat()}",
                       settings, day, pass_source_roots(spec, settings))

