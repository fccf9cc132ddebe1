"""Campaigns: training drives with their rules, and the running standings and tallies.

Standings and tallies are kept up to date in the same transaction as each scored answer,
so leaderboards and statistics read a few rows and never recompute from the answers.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guild.extensions import db
from guild.timeutil import utcnow

WHOLE_CAMPAIGN = 0  # the trade_id of a standing over all of a campaign's trades


class Campaign(db.Model):
    """A time-boxed training drive (练兵活动) over some trades, with its points rules."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]  # inclusive
    daily_count: Mapped[int] = mapped_column(default=10)
    points_per_correct: Mapped[int] = mapped_column(default=10)
    daily_points_cap: Mapped[int] = mapped_column(default=100)
    perfect_day_bonus: Mapped[int] = mapped_column(default=20)
    partial_credit: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    trades: Mapped[list["CampaignTrade"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def trade_ids(self) -> list[int]:
        """The ids of the campaign's trades."""
        return [link.trade_id for link in self.trades]

    def is_open_on(self, day: date) -> bool:
        """Tell whether the campaign runs on a calendar day."""
        return self.starts_on <= day <= self.ends_on


class CampaignTrade(db.Model):
    """A trade a campaign trains."""

    __tablename__ = "campaign_trades"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    trade_id: Mapped[int] = mapped_column(ForeignKey("trades.id"), primary_key=True)


class Standing(db.Model):
    """A worker's running total in a campaign × trade, or the whole campaign (trade_id 0).

    trade_id is not a foreign key because 0 stands for every trade of the campaign.
    `day_points` are the points earned on `last_day`, for the daily cap.
    """

    __tablename__ = "standings"
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    trade_id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[int | None]
    city: Mapped[str] = mapped_column(String(20), default="")
    points: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    answers: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)
    last_day: Mapped[date | None]
    day_points: Mapped[int] = mapped_column(default=0)


# A board is read best first: points high to low, then less time taken.
Index(
    "ix_standings_board",
    Standing.campaign_id,
    Standing.trade_id,
    Standing.points.desc(),
    Standing.seconds,
)


class StandingCount(db.Model):
    """How many standings of a board hold a points value: "my rank" sums these."""

    __tablename__ = "standing_counts"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    trade_id: Mapped[int] = mapped_column(primary_key=True)
    points: Mapped[int] = mapped_column(primary_key=True)
    participants: Mapped[int] = mapped_column(default=0)


class StandingMinuteCount(db.Model):
    """How many standings of a board hold a points value and a minute of time taken.

    Ties on points are broken by time; "my rank" sums the tied minutes before mine here and
    counts only my own minute's standings, however many share my points.
    """

    __tablename__ = "standing_minute_counts"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    trade_id: Mapped[int] = mapped_column(primary_key=True)
    points: Mapped[int] = mapped_column(primary_key=True)
    minute: Mapped[int] = mapped_column(primary_key=True)  # seconds taken // 60
    participants: Mapped[int] = mapped_column(default=0)


class Tally(db.Model):
    """A campaign's running totals along one dimension: day, trade, city, enterprise, chapter."""

    __tablename__ = "campaign_tallies"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)  # participations (人次)
    participants: Mapped[int] = mapped_column(default=0)
    answers: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)
    points: Mapped[int] = mapped_column(default=0)


class CampaignDay(db.Model):
    """A worker took part in a campaign on a day: its first row counts them once that day."""

    __tablename__ = "campaign_days"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
