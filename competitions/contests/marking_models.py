"""A contest's marking scheme, the judges' panels, the raw marks and the appeals.

Marks are stored raw (a judge's 0–3 score, or a measurement aspect's one agreed mark);
aspect marks, spreads and totals are computed by competitions.contests.scoring. Each mark
row carries a version: a save names the version it was read at, and one that finds it
moved on is refused (two judges or two tabs never overwrite each other silently).
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from competitions.contests.scheme import AspectKind
from guild.extensions import db, enum_type
from guild.timeutil import utcnow

MARK = Numeric(6, 2)


class AppealStatus(StrEnum):
    """Where an appeal (申诉) stands."""

    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class Criterion(db.Model):
    """A criterion (模块) of a contest's scheme: locked by the chief judge once checked."""

    __tablename__ = "contest_criteria"
    __table_args__ = (UniqueConstraint("contest_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[datetime | None]
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SubCriterion(db.Model):
    """A sub-criterion (二级指标) of a criterion."""

    __tablename__ = "contest_sub_criteria"
    __table_args__ = (UniqueConstraint("contest_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("contest_criteria.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)


class Aspect(db.Model):
    """An aspect (评分项): marked by its panel for every entrant."""

    __tablename__ = "contest_aspects"
    __table_args__ = (UniqueConstraint("contest_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("contest_criteria.id", ondelete="CASCADE"), index=True
    )
    sub_criterion_id: Mapped[int] = mapped_column(
        ForeignKey("contest_sub_criteria.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    kind: Mapped[AspectKind] = mapped_column(enum_type(AspectKind))
    max_mark: Mapped[Decimal] = mapped_column(MARK)
    requirement: Mapped[str] = mapped_column(Text, default="")
    descriptors: Mapped[list[str]] = mapped_column(JSON, default=list)  # for scores 0..3
    position: Mapped[int] = mapped_column(default=0)


class PanelJudge(db.Model):
    """A judge of an aspect's panel. Never one from an entrant's enterprise for that
    entrant: recusal is checked when judges are assigned and again at every save."""

    __tablename__ = "contest_panel_judges"

    aspect_id: Mapped[int] = mapped_column(
        ForeignKey("contest_aspects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))


class JudgeScore(db.Model):
    """One judge's 0–3 score of a judgement aspect for one entry."""

    __tablename__ = "contest_judge_scores"
    __table_args__ = (
        UniqueConstraint("entry_id", "aspect_id", "judge_id"),
        # Covering: results read every score of a contest from the index alone.
        Index(
            "ix_contest_judge_scores_contest_marks",
            "contest_id",
            "entry_id",
            "aspect_id",
            "judge_id",
            "score",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"))
    aspect_id: Mapped[int] = mapped_column(ForeignKey("contest_aspects.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    score: Mapped[Decimal] = mapped_column(MARK)
    version: Mapped[int] = mapped_column(default=1)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgreedMark(db.Model):
    """The one agreed mark of a measurement aspect for one entry, as its panel entered it."""

    __tablename__ = "contest_agreed_marks"
    __table_args__ = (
        UniqueConstraint("entry_id", "aspect_id"),
        Index("ix_contest_agreed_marks_contest_id", "contest_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"))
    aspect_id: Mapped[int] = mapped_column(ForeignKey("contest_aspects.id", ondelete="CASCADE"))
    mark: Mapped[Decimal] = mapped_column(MARK)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)


class Appeal(db.Model):
    """An appeal filed in the publicity window, and the organiser's ruling on it."""

    __tablename__ = "contest_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(enum_type(AppealStatus), default=AppealStatus.OPEN)
    ruling: Mapped[str] = mapped_column(Text, default="")
    ruled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ruled_at: Mapped[datetime | None]
    reopened_aspect_id: Mapped[int | None] = mapped_column(ForeignKey("contest_aspects.id"))
