"""A campaign's statistics, read from its running tallies only (never from the answers).

Per day, trade, city, enterprise and chapter: participations (人次, attempts), participants,
answers and accuracy. The tallies hold a row per value (a few thousand at most), so this
costs the same with twenty million answers as with twenty.
"""

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import xlsxwriter
from sqlalchemy import Integer, cast, func, select

from competitions.campaigns.models import WHOLE_CAMPAIGN, Campaign, StandingCount, Tally
from guild.accounts.models import Enterprise, User
from guild.extensions import db
from guild.trades.models import Trade

COUNTERS = ["attempts", "participants", "answers", "correct", "points"]
DIMENSIONS = ("day", "trade", "city", "enterprise", "chapter")


@dataclass(frozen=True)
class StatRow:
    """One line of a statistics table: a day, trade, city, enterprise or chapter."""

    key: str  # the tally value
    label: str  # what people read: the day, the trade's, city's or enterprise's name
    detail: str  # the chapter, for chapters
    attempts: int
    participants: int
    answers: int
    correct: int
    points: int
    headcount: int | None = None  # registered workers, for enterprises

    @property
    def accuracy(self) -> float | None:
        """Share of answers right; None before any answer."""
        return self.correct / self.answers if self.answers else None

    @property
    def participation_rate(self) -> float | None:
        """Participants as a share of the registered workers, where they are known."""
        return self.participants / self.headcount if self.headcount else None


@dataclass(frozen=True)
class CampaignStatistics:
    """Everything the statistics page and its export show."""

    total: StatRow
    days: list[StatRow]
    trades: list[StatRow]
    cities: list[StatRow]
    enterprises: list[StatRow]
    chapters: list[StatRow]


def tally_frame(campaign_id: int) -> pd.DataFrame:
    """Every tally row of a campaign: dimension, value and the counters."""
    query = select(Tally.dimension, Tally.value, *(getattr(Tally, name) for name in COUNTERS))
    rows = db.session.execute(query.where(Tally.campaign_id == campaign_id)).all()
    # Plain tuples: pandas probes each SQLAlchemy Row for namedtuple fields, slowly.
    frame = pd.DataFrame([tuple(row) for row in rows], columns=["dimension", "value", *COUNTERS])
    return frame.astype({name: "int64" for name in COUNTERS})


def _part(frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """One dimension's rows indexed by value."""
    return frame.loc[frame["dimension"] == dimension].set_index("value")[COUNTERS]


def _rows(frame: pd.DataFrame, labels=None, details=None, heads=None) -> list[StatRow]:
    """Dataclass rows from a counters frame indexed by tally value."""
    labels, details, heads = labels or {}, details or {}, heads or {}
    figures = frame[COUNTERS].to_numpy().tolist()  # plain ints, row by row
    return [
        StatRow(str(key), labels.get(key, str(key)), details.get(key, ""), *row, heads.get(key))
        for key, row in zip(frame.index, figures, strict=True)
    ]


def day_frame(frame: pd.DataFrame, campaign: Campaign, today: date) -> pd.DataFrame:
    """Counters per day, every day of the campaign so far (quiet days as zeros)."""
    days = _part(frame, "day")
    last = min(campaign.ends_on, today)
    span = (last - campaign.starts_on).days + 1
    every = [(campaign.starts_on + timedelta(days=n)).isoformat() for n in range(max(span, 0))]
    index = sorted(set(every) | set(days.index))
    return days.reindex(index, fill_value=0)


def trade_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Counters per trade, most participations first."""
    trades = _part(frame, "trade")
    return trades.sort_values(["attempts", "participants"], ascending=False, kind="stable")


def city_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Counters per city, most participations first."""
    cities = _part(frame, "city")
    cities = cities.loc[cities.index != ""]
    return cities.sort_values(["attempts", "participants"], ascending=False, kind="stable")


def enterprise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Counters per enterprise, most participants first."""
    found = _part(frame, "enterprise")
    return found.sort_values(["participants", "attempts"], ascending=False, kind="stable")


def chapter_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Answers and accuracy per trade chapter, the weakest (lowest accuracy) first."""
    chapters = _part(frame, "chapter").copy()
    chapters["accuracy"] = chapters["correct"] / chapters["answers"].where(chapters["answers"] > 0)
    chapters = chapters.sort_values(
        ["accuracy", "answers"], ascending=[True, False], kind="stable", na_position="last"
    )
    return chapters[COUNTERS]


def _trade_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Trade.id, Trade.name).where(Trade.id.in_(ids))).all()
    return dict(rows)


def _enterprise_names(campaign_id: int) -> dict[str, str]:
    """Names of the enterprises in a campaign's tallies, by tally value."""
    # Joined in the database: thousands of enterprises would make a long IN list. The cast
    # is on the tally side so the join probes the enterprises' primary key (SQLite otherwise
    # compares every pair). Enterprise tally values are always decimal ids.
    query = select(Tally.value, Enterprise.name).join(
        Enterprise, Enterprise.id == cast(Tally.value, Integer)
    )
    query = query.where(Tally.campaign_id == campaign_id, Tally.dimension == "enterprise")
    return dict(db.session.execute(query).all())


def _headcounts(keys: list[str] | None) -> dict[str, int]:
    """Active registered workers by enterprise tally value; every enterprise's for None."""
    query = select(User.enterprise_id, func.count()).where(User.is_active.is_(True))
    if keys is not None:
        ids = [int(key) for key in keys if key.isdigit()]
        if not ids:
            return {}
        query = query.where(User.enterprise_id.in_(ids))
    rows = db.session.execute(query.group_by(User.enterprise_id))
    return {str(k): int(v) for k, v in rows if k is not None}


def _split_chapters(keys) -> tuple[dict[str, int], dict[str, str]]:
    """The trade id and the chapter of each chapter value ("tradeid:chapter")."""
    trade_ids: dict[str, int] = {}
    chapters: dict[str, str] = {}
    for key in keys:
        trade, _, chapter = str(key).partition(":")
        trade_ids[key] = int(trade) if trade.isdigit() else 0
        chapters[key] = chapter
    return trade_ids, chapters


def participant_count(campaign_id: int) -> int:
    """Workers who took part in the campaign (from the per-points counts of its board)."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(StandingCount.participants), 0)).where(
                StandingCount.campaign_id == campaign_id,
                StandingCount.trade_id == WHOLE_CAMPAIGN,
            )
        )
    )


def campaign_statistics(
    campaign: Campaign, today: date, headcounts: int | None = None
) -> CampaignStatistics:
    """A campaign's figures per day, trade, city, enterprise and chapter, and its totals."""
    # Headcounts (for participation rates) of the first `headcounts` enterprises only, when
    # given: counting them all reads every registered worker's row.
    frame = tally_frame(campaign.id)
    days = day_frame(frame, campaign, today)
    trades, chapters = trade_frame(frame), chapter_frame(frame)
    chapter_trades, chapter_names = _split_chapters(chapters.index)
    names = _trade_names(
        sorted({int(key) for key in trades.index if key.isdigit()} | set(chapter_trades.values()))
    )
    trade_labels = {key: names.get(int(key), key) for key in trades.index if key.isdigit()}
    chapter_labels = {key: names.get(t, str(t)) for key, t in chapter_trades.items()}
    enterprises = enterprise_frame(frame)
    enterprise_names = _enterprise_names(campaign.id)
    heads = _headcounts(None if headcounts is None else list(enterprises.index[:headcounts]))
    sums = {name: int(days[name].sum()) for name in COUNTERS}
    sums["participants"] = participant_count(campaign.id)
    total = StatRow(key="", label="", detail="", **sums)
    return CampaignStatistics(
        total=total,
        days=_rows(days),
        trades=_rows(trades, trade_labels),
        cities=_rows(city_frame(frame)),
        enterprises=_rows(enterprises, enterprise_names, heads=heads),
        chapters=_rows(chapters, chapter_labels, chapter_names),
    )


def chart(rows: list[StatRow], series: dict[str, str], limit: int | None = None) -> dict:
    """Chart data: labels, and a series per StatRow attribute named in `series` (rates in %)."""
    shown = rows[:limit] if limit else rows
    data = []
    for attribute, name in series.items():
        values = [getattr(row, attribute) for row in shown]
        if attribute in ("accuracy", "participation_rate"):
            values = [None if value is None else round(value * 100, 1) for value in values]
        data.append({"name": str(name), "data": values})
    labels = [f"{row.label} {row.detail}".strip() for row in shown]
    return {"categories": labels, "series": data}


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURES = [
    ("参与人次", "attempts"),
    ("参与人数", "participants"),
    ("答题数", "answers"),
    ("答对数", "correct"),
    ("正确率", "accuracy"),
    ("积分", "points"),
]
SHEETS = {
    "每日": ("days", ["日期"], FIGURES),
    "工种": ("trades", ["工种"], FIGURES),
    "城市": ("cities", ["城市"], FIGURES),
    "单位": (
        "enterprises",
        ["单位"],
        [*FIGURES[:2], ("在册人数", "headcount"), ("参与率", "participation_rate"), *FIGURES[2:]],
    ),
    "章节": ("chapters", ["工种", "章节"], FIGURES[2:5]),
}
RATES = ("accuracy", "participation_rate")


def export_filename(campaign: Campaign, today: date) -> str:
    """A download name from the campaign's name: letters, digits and CJK only."""
    name = re.sub(r"[^\w\-]+", "_", campaign.name).strip("_")[:40] or f"campaign-{campaign.id}"
    return f"练兵统计-{name}-{today.isoformat()}.xlsx"


def statistics_xlsx(campaign: Campaign, statistics: CampaignStatistics) -> bytes:
    """The statistics as .xlsx: a summary, then a sheet per dimension; no text is a formula."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    styles = {
        "head": workbook.add_format({"bold": True, "bg_color": "#DDEBF7"}),
        "rate": workbook.add_format({"num_format": "0.0%"}),
    }
    _summary_sheet(workbook, styles, campaign, statistics.total)
    for title, (attribute, labels, figures) in SHEETS.items():
        sheet = workbook.add_worksheet(title)
        headers = [*labels, *(header for header, _ in figures)]
        for column, header in enumerate(headers):
            sheet.set_column(column, column, 28 if column < len(labels) else 11)
            sheet.write_string(0, column, header, styles["head"])
        sheet.freeze_panes(1, len(labels))
        for number, row in enumerate(getattr(statistics, attribute), start=1):
            texts = [row.label, row.detail][: len(labels)]
            for column, text in enumerate(texts):
                sheet.write_string(number, column, text)
            for column, (_, name) in enumerate(figures, start=len(labels)):
                _write_figure(sheet, number, column, getattr(row, name), name, styles)
    workbook.close()
    return buffer.getvalue()


def _write_figure(sheet, row: int, column: int, value, name: str, styles: dict) -> None:
    """A number cell (a rate in percent); an unknown value stays blank."""
    if value is None:
        return
    sheet.write_number(row, column, value, styles["rate"] if name in RATES else None)


def _summary_sheet(workbook, styles: dict, campaign: Campaign, total: StatRow) -> None:
    """The 概况 sheet: the campaign's dates and its totals."""
    sheet = workbook.add_worksheet("概况")
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 40)
    lines: list[tuple[str, str | int | float | None]] = [
        ("练兵活动", campaign.name),
        ("开始日期", campaign.starts_on.isoformat()),
        ("结束日期", campaign.ends_on.isoformat()),
        *((header, getattr(total, name)) for header, name in FIGURES),
    ]
    for number, (header, value) in enumerate(lines):
        sheet.write_string(number, 0, header, styles["head"])
        if isinstance(value, str):
            sheet.write_string(number, 1, value)
        else:
            _write_figure(sheet, number, 1, value, "accuracy" if header == "正确率" else "", styles)
