"""A contest's results and score sheets (成绩单) as .xlsx, for its organisers and chief judge.

Entrants appear by entry code until the reveal, with names and enterprises after it. Text is
always written as text, never as a formula; headers are Chinese, as the printed documents are.
"""

import io
import re

import pandas as pd
import xlsxwriter

from competitions.contests.models import Contest
from competitions.contests.services.documents import (
    aspect_heads,
    entrant_labels,
    mark_grid,
    names_shown,
)
from competitions.contests.services.results import Standings, standings

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRIZES = {1: "一等奖", 2: "二等奖", 3: "三等奖"}
RESULT_HEADERS = ["组别", "名次", "参赛号", "姓名", "单位", "理论", "实操", "总分", "奖项", "称号"]
FLAG_HEADERS = ["缺评项", "超差项"]
WIDTHS = {"组别": 10, "名次": 6, "参赛号": 10, "姓名": 16, "单位": 28, "奖项": 8, "称号": 10}


def prize_name(level: int) -> str:
    """A prize level in Chinese: 一等奖 … ; "" for none."""
    return PRIZES.get(level, f"{level}等奖") if level > 0 else ""


def export_filename(contest: Contest, kind: str) -> str:
    """A download name from the contest's name: letters, digits and CJK only."""
    name = re.sub(r"[^\w\-]+", "_", contest.name).strip("_")[:40] or f"contest-{contest.id}"
    return f"{kind}-{name}-contest-{contest.id}.xlsx"


def _frame(contest: Contest, current: Standings) -> pd.DataFrame:
    """The ranking with group names, and names and enterprises once revealed."""
    table = current.table
    groups = {group.id: group.name for group in contest.groups}
    labels = entrant_labels(contest.id, None) if names_shown(contest) else {}
    frame = table.assign(
        group=[groups.get(g, "") if not pd.isna(g) else "" for g in table["group_id"]],
        name=[labels.get(entry_id, ("", ""))[0] for entry_id in table.index],
        enterprise=[labels.get(entry_id, ("", ""))[1] for entry_id in table.index],
    )
    return frame


class _Book:
    """An in-memory workbook with the formats the exports use."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self.buffer, {"in_memory": True})
        self.head = self.workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
        self.figure = self.workbook.add_format({"num_format": "0.00"})
        self.flagged = self.workbook.add_format({"num_format": "0.00", "bg_color": "#F8D7DA"})

    def sheet(self, title: str, headers: list[str]):
        sheet = self.workbook.add_worksheet(title)
        for column, header in enumerate(headers):
            sheet.set_column(column, column, WIDTHS.get(header, 9))
            sheet.write_string(0, column, header, self.head)
        sheet.freeze_panes(1, 0)
        return sheet

    def cell(self, sheet, row: int, column: int, value, style=None) -> None:
        """A number as a number, anything else as text; nothing for a blank."""
        if isinstance(value, bool):
            value = "是" if value else ""
        if isinstance(value, int | float):
            if not pd.isna(value):
                sheet.write_number(row, column, value, style)
        elif value:
            sheet.write_string(row, column, str(value), style)

    def close(self) -> bytes:
        self.workbook.close()
        return self.buffer.getvalue()


def results_xlsx(contest: Contest) -> bytes:
    """The ranking of every group, flags included."""
    book, frame = _Book(), _frame(contest, standings(contest.id))
    sheet = book.sheet("成绩", RESULT_HEADERS + FLAG_HEADERS)
    for number, row in enumerate(frame.to_dict("records"), start=1):
        values = [
            row["group"], int(row["rank"]), row["code"] or "", row["name"], row["enterprise"],
            round(float(row["theory"]), 2), round(float(row["practical"]), 2),
            round(float(row["total"]), 2), prize_name(int(row["prize"])),
            contest.title_name if row["title"] else "", int(row["missing"]), int(row["flagged"]),
        ]  # fmt: skip
        for column, value in enumerate(values):
            book.cell(sheet, number, column, value, book.figure if 5 <= column <= 7 else None)
    return book.close()


def sheet_xlsx(contest: Contest) -> bytes:
    """The score sheet: every entrant's mark on every aspect, then practical, theory, total."""
    current = standings(contest.id)
    book, frame = _Book(), _frame(contest, current)
    heads = aspect_heads(current)
    grid, flags = mark_grid(current)
    columns = [f"{head.code}（{head.max_mark:g}）" for head in heads]
    headers = ["组别", "参赛号", "姓名", "单位", *columns, "实操", "理论", "总分", "名次"]
    sheet = book.sheet("成绩单", headers)
    marks = grid.reindex(frame.index).to_numpy()
    flagged = flags.reindex(frame.index).eq(True).to_numpy()
    for number, row in enumerate(frame.to_dict("records"), start=1):
        first = [row["group"], row["code"] or "", row["name"], row["enterprise"]]
        for column, value in enumerate(first):
            book.cell(sheet, number, column, value)
        for offset in range(len(heads)):
            style = book.flagged if flagged[number - 1, offset] else book.figure
            book.cell(sheet, number, 4 + offset, float(marks[number - 1, offset]), style)
        tail = [float(row["practical"]), float(row["theory"]), float(row["total"])]
        for offset, value in enumerate(tail):
            book.cell(sheet, number, 4 + len(heads) + offset, value, book.figure)
        book.cell(sheet, number, 7 + len(heads), int(row["rank"]))
    return book.close()
