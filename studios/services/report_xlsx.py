"""Activity reports as .xlsx: a summary sheet (one row per studio and the total) and one sheet
per kind with every item of the period.

Headers are fixed Chinese, as the contest roster's are: the file goes to union offices as a
document. Text is always written as text, never as a formula.
"""

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import xlsxwriter

from studios.services.periods import time_zone
from studios.services.reports import ActivityReport, Counts

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PATENT_TYPES = {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}
PATENT_STATUSES = {"pending": "审查中", "in_force": "有效", "lapsed": "失效"}
SUMMARY = [
    "工作室", "专利", "发明专利", "实用新型", "外观设计", "成果", "经济效益(元)",
    "新增课件", "课件上传", "揭榜", "交付", "活动",
]  # fmt: skip
SHEETS = {
    "patents": ("专利", ["工作室", "专利名称", "申请号", "类型", "申请日", "法律状态"]),
    "achievements": ("成果", ["工作室", "成果名称", "类别", "取得日期", "经济效益(元)"]),
    "courseware": ("课件", ["工作室", "课件名称", "格式", "创建日期", "版本数"]),
    "events": ("活动", ["主办", "活动名称", "开始时间", "地点", "报名人数"]),
}
WIDE = {"工作室": 28, "主办": 28, "专利名称": 36, "成果名称": 36, "课件名称": 36, "活动名称": 36}


class _Book:
    """An in-memory workbook writing numbers as numbers and everything else as text."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self.buffer, {"in_memory": True})
        self.head = self.workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
        self.money = self.workbook.add_format({"num_format": "#,##0.00"})

    def sheet(self, title: str, headers: list[str]):
        sheet = self.workbook.add_worksheet(title)
        for column, header in enumerate(headers):
            sheet.set_column(column, column, WIDE.get(header, 12))
            sheet.write_string(0, column, header, self.head)
        sheet.freeze_panes(1, 0)
        return sheet

    def row(self, sheet, number: int, values: list) -> None:
        for column, value in enumerate(values):
            if isinstance(value, float):
                sheet.write_number(number, column, value, self.money)
            elif isinstance(value, int):
                sheet.write_number(number, column, value)
            elif value is not None:
                sheet.write_string(number, column, str(value))

    def close(self) -> bytes:
        self.workbook.close()
        return self.buffer.getvalue()


def _summary_row(counts: Counts) -> list:
    by_type = counts.by_type
    return [
        counts.name, counts.patents, by_type["invention"], by_type["utility_model"],
        by_type["design"], counts.achievements, counts.benefit_fen / 100, counts.courseware,
        counts.uploads, counts.claims, counts.delivered, counts.events,
    ]  # fmt: skip


def _local(moment: datetime, zone: str, pattern: str) -> str:
    """A stored UTC instant as a local date, or a local date and time."""
    local = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    return local.date().isoformat() if pattern == "date" else local.strftime("%Y-%m-%d %H:%M")


def _item_rows(report: ActivityReport, kind: str, zone: str) -> list[list]:
    if kind == "patents":
        return [
            [
                s,
                t,
                n,
                PATENT_TYPES.get(str(k), str(k)),
                d.isoformat(),
                PATENT_STATUSES.get(str(st), ""),
            ]
            for s, t, n, k, d, st in report.patents
        ]
    if kind == "achievements":
        return [[s, t, c, d.isoformat(), fen / 100] for s, t, c, d, fen in report.achievements]
    if kind == "courseware":
        return [
            [s, t, str(k).upper(), _local(at, zone, "date"), v]
            for s, t, k, at, v in report.courseware
        ]
    return [[h, t, _local(at, zone, "time"), p, n] for h, t, at, p, n in report.events]


def report_xlsx(report: ActivityReport, title: str) -> bytes:
    """The report as an .xlsx file: 概况 (period, per-studio rows and total) and item sheets."""
    book, zone = _Book(), time_zone()
    sheet = book.sheet("概况", SUMMARY)
    rows = [*(_summary_row(counts) for counts in report.studios), _summary_row(report.total)]
    rows[-1][0] = "合计"
    for number, values in enumerate(rows, start=1):
        book.row(sheet, number, values)
    period = report.period
    note = f"{title}  统计期间 {period.start.isoformat()} 至 {period.end.isoformat()}"
    book.row(sheet, len(rows) + 2, [note])
    book.row(sheet, len(rows) + 3, ["揭榜、交付数据来自揭榜挂帅平台（尚未上线，暂计为0）"])
    if report.alliance_events:
        book.row(sheet, len(rows) + 4, [f"联盟主办活动 {report.alliance_events} 场，已计入合计"])
    for kind, (name, headers) in SHEETS.items():
        sheet = book.sheet(name, headers)
        for number, values in enumerate(_item_rows(report, kind, zone), start=1):
            book.row(sheet, number, values)
    return book.close()


def report_filename(what: str, object_id: int, start: date, end: date) -> str:
    """An ASCII download name: activity-studio-3-2026-01-01-2026-03-31.xlsx."""
    return f"activity-{what}-{object_id}-{start.isoformat()}-{end.isoformat()}.xlsx"
