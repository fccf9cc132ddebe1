"""Training: attempts and their questions, recorded answers, exposure, progress, mistakes."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guild.extensions import db, enum_type
from guild.i18n import mark, translate
from guild.timeutil import utcnow


class Mode(StrEnum):
    """How an attempt's questions were chosen and when its answers are shown."""

    SEQUENTIAL = "sequential"  # a chapter in bank order, resuming where the worker left
    RANDOM = "random"  # least-seen questions of the trade first
    DAILY = "daily"  # N questions, one scored attempt per trade and day
    EXAM = "exam"  # a timed paper composed by a blueprint
    REVIEW = "review"  # mistakes due on the Leitner schedule

    @property
    def label(self) -> str:
        """The mode's name in the user's language."""
        return translate(MODE_LABELS[self])

    @property
    def is_exam(self) -> bool:
        """Exams show answers only after submission; practice shows each at once."""
        return self is Mode.EXAM


MODE_LABELS = {
    Mode.SEQUENTIAL: mark("Chapter practice"),
    Mode.RANDOM: mark("Random practice"),
    Mode.DAILY: mark("Daily practice"),
    Mode.EXAM: mark("Mock exam"),
    Mode.REVIEW: mark("Mistake review"),
}


class TrainingTrade(db.Model):
    """A trade a worker has chosen to train in."""

    __tablename__ = "training_trades"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    trade_id: Mapped[int] = mapped_column(ForeignKey("trades.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExamBlueprint(db.Model):
    """How a trade's mock exam (or a contest's theory paper) is composed, and its time limit.

    `parts` is a list of {"type", "difficulty" (0 for any), "count", "points"}: that many
    questions of the type and difficulty, each worth the points.
    """

    __tablename__ = "exam_blueprints"

    id: Mapped[int] = mapped_column(primary_key=True)
    trade_id: Mapped[int] = mapped_column(ForeignKey("trades.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    duration_minutes: Mapped[int] = mapped_column(default=60)
    parts: Mapped[list[dict]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def question_count(self) -> int:
        """How many questions the paper holds."""
        return sum(int(part["count"]) for part in self.parts)

    @property
    def total_points(self) -> float:
        """The paper's full marks."""
        return sum(int(part["count"]) * float(part["points"]) for part in self.parts)


class Attempt(db.Model):
    """One sitting of practice or an exam by a worker, in one trade."""

    __tablename__ = "attempts"
    __table_args__ = (
        # One scored daily practice per worker, trade and day: the database decides.
        Index(
            "uq_attempts_daily",
            "user_id",
            "trade_id",
            "day",
            unique=True,
            sqlite_where=text("mode = 'daily'"),
            postgresql_where=text("mode = 'daily'"),
        ),
        Index("ix_attempts_user_id_started_at", "user_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    trade_id: Mapped[int] = mapped_column(ForeignKey("trades.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    blueprint_id: Mapped[int | None] = mapped_column(ForeignKey("exam_blueprints.id"))
    mode: Mapped[Mode] = mapped_column(enum_type(Mode))
    chapter: Mapped[str] = mapped_column(String(100), default="")
    partial_credit: Mapped[bool] = mapped_column(default=False)
    day: Mapped[date]  # the local calendar day it was started on
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    item_count: Mapped[int] = mapped_column(default=0)
    answered_count: Mapped[int] = mapped_column(default=0)
    correct_count: Mapped[int] = mapped_column(default=0)
    score: Mapped[float] = mapped_column(default=0.0)  # points earned on the paper
    max_score: Mapped[float] = mapped_column(default=0.0)

    items: Mapped[list["AttemptItem"]] = relationship(
        order_by="AttemptItem.position", viewonly=True
    )

    @property
    def is_finished(self) -> bool:
        """Submitted, or every question answered in practice."""
        return self.submitted_at is not None

    @property
    def seconds_taken(self) -> int:
        """Seconds from start to submission (or to the latest answer)."""
        end = self.submitted_at or self.last_activity_at
        return max(0, int((end - self.started_at).total_seconds()))


class AttemptItem(db.Model):
    """A question as placed in an attempt: its version, option order, and any saved response.

    The option order is drawn once when the attempt is made, so reloads show the same
    order; `response` holds an exam's answer until it is submitted and graded.
    """

    __tablename__ = "attempt_items"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)  # 1-based
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    option_order: Mapped[list[int]] = mapped_column(JSON, default=list)
    points: Mapped[float] = mapped_column(default=1.0)
    response: Mapped[list[str] | None] = mapped_column(JSON)
    flagged: Mapped[bool] = mapped_column(default=False)


class Answer(db.Model):
    """A graded answer: exactly one per attempt question, pointing at the version shown."""

    __tablename__ = "answers"
    __table_args__ = (
        # One answer per attempt question; a worker's answers are found through their
        # attempts (attempt_id leads this index).
        UniqueConstraint("attempt_id", "position"),
        # A question's attempts (item statistics) must not scan every answer. Every index
        # here is written by every answer, the hottest insert, so user_id and version_id have
        # none: deleting a user or a version would scan answers, and the product does neither
        # (it deactivates workers and keeps every version).
        Index("ix_answers_question_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    response: Mapped[list[str]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(default=0.0)  # 0 to 1, partial credit in between
    is_correct: Mapped[bool] = mapped_column(default=False)
    seconds: Mapped[int] = mapped_column(default=0)  # time spent on it, server-measured
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class Exposure(db.Model):
    """How often a worker has been shown a question, so draws prefer the least seen."""

    __tablename__ = "question_exposures"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    seen_count: Mapped[int] = mapped_column(default=0)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChapterProgress(db.Model):
    """Where a worker stands in a chapter of a trade's bank, for sequential practice."""

    __tablename__ = "chapter_progress"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    trade_id: Mapped[int] = mapped_column(ForeignKey("trades.id"), primary_key=True)
    chapter: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_question_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Mistake(db.Model):
    """A question the worker got wrong, in its Leitner box until mastered."""

    __tablename__ = "mistakes"
    __table_args__ = (Index("ix_mistakes_user_id_due_on", "user_id", "due_on"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    trade_id: Mapped[int] = mapped_column(ForeignKey("trades.id"))
    box: Mapped[int] = mapped_column(default=1)  # 1..5; review intervals 1, 2, 4, 8, 16 days
    due_on: Mapped[date]
    wrong_count: Mapped[int] = mapped_column(default=1)
    last_wrong_at: Mapped[datetime] = mapped_column(default=utcnow)
    mastered_at: Mapped[datetime | None]
