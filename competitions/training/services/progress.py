"""A worker's training at a glance: trades, streak, points, accuracy per chapter."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from competitions.campaigns.models import WHOLE_CAMPAIGN, Standing
from competitions.questions.models import QuestionVersion
from competitions.training.models import Answer, Attempt, TrainingTrade
from guild.extensions import db
from guild.trades.models import Trade

STREAK_LOOKBACK = 400  # days read to count a streak


def my_trades(user_id: int) -> list[Trade]:
    """The trades the worker trains in, by name."""
    query = (
        select(Trade)
        .join(TrainingTrade, TrainingTrade.trade_id == Trade.id)
        .where(TrainingTrade.user_id == user_id)
        .order_by(Trade.name)
    )
    return list(db.session.scalars(query))


def streak(user_id: int, today: date) -> int:
    """Consecutive days of practice up to today (or yesterday, if not yet today)."""
    days = db.session.scalars(
        select(Attempt.day)
        .where(Attempt.user_id == user_id, Attempt.day > today - timedelta(days=STREAK_LOOKBACK))
        .distinct()
        .order_by(Attempt.day.desc())
    ).all()
    expected = today if days and days[0] == today else today - timedelta(days=1)
    count = 0
    for day in days:
        if day != expected:
            break
        count += 1
        expected -= timedelta(days=1)
    return count


def total_points(user_id: int) -> int:
    """Points earned in every campaign."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Standing.points), 0)).where(
            Standing.user_id == user_id, Standing.trade_id == WHOLE_CAMPAIGN
        )
    )


@dataclass(frozen=True)
class ChapterAccuracy:
    """How well the worker answers one chapter of a trade."""

    trade_id: int
    chapter: str
    answers: int
    correct: int

    @property
    def accuracy(self) -> float:
        """Share of answers right."""
        return self.correct / self.answers if self.answers else 0.0


def chapter_accuracy(user_id: int) -> list[ChapterAccuracy]:
    """Per trade and chapter, the worker's answers and how many were right, weakest first."""
    correct = func.sum(func.cast(Answer.is_correct, db.Integer))
    query = (
        select(Attempt.trade_id, QuestionVersion.chapter, func.count(), correct)
        .select_from(Answer)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == Answer.version_id)
        .where(Attempt.user_id == user_id)  # by the attempts' index, then each one's answers
        .group_by(Attempt.trade_id, QuestionVersion.chapter)
    )
    rows = [ChapterAccuracy(t, c or "", n, int(k or 0)) for t, c, n, k in db.session.execute(query)]
    return sorted(rows, key=lambda row: (row.accuracy, -row.answers))


def open_attempts(user_id: int, limit: int = 5) -> list[Attempt]:
    """Unfinished attempts to resume, latest first."""
    query = (
        select(Attempt)
        .where(Attempt.user_id == user_id, Attempt.submitted_at.is_(None))
        .order_by(Attempt.started_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
