"""Choosing an attempt's questions: least seen first, never twice in one attempt."""

import random
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from competitions.questions.models import Question, QuestionVersion
from competitions.questions.types import QuestionStatus, QuestionType
from competitions.training.models import ChapterProgress, Exposure, Mistake
from guild.extensions import db
from guild.upsert import add_to_counters


@dataclass(frozen=True)
class Drawn:
    """A question chosen for an attempt: its current version and how many options it has."""

    question_id: int
    version_id: int
    option_count: int


def _active(trade_id: int):
    return (
        select(Question.id, QuestionVersion.id, QuestionVersion.options)
        .join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .where(
            Question.trade_id == trade_id,
            Question.status == QuestionStatus.ACTIVE,
            QuestionVersion.is_current.is_(True),
        )
    )


def _drawn(rows) -> list[Drawn]:
    return [Drawn(qid, vid, len(options or [])) for qid, vid, options in rows]


def least_seen(
    user_id: int,
    trade_id: int,
    count: int,
    kind: QuestionType | None = None,
    difficulty: int = 0,
    exclude: frozenset[int] = frozenset(),
) -> list[Drawn]:
    """Up to `count` active questions, those this worker has seen least first, ties at random."""
    seen = func.coalesce(Exposure.seen_count, 0)
    query = _active(trade_id).outerjoin(
        Exposure, (Exposure.question_id == Question.id) & (Exposure.user_id == user_id)
    )
    if kind is not None:
        query = query.where(QuestionVersion.type == kind)
    if difficulty:
        query = query.where(QuestionVersion.difficulty == difficulty)
    if exclude:
        query = query.where(Question.id.not_in(exclude))
    rows = db.session.execute(query.order_by(seen, func.random()).limit(count)).all()
    return _drawn(rows)


def in_chapter_order(user_id: int, trade_id: int, chapter: str, count: int) -> list[Drawn]:
    """The next questions of a chapter after the last one answered, from the start when done."""
    last = db.session.scalar(
        select(ChapterProgress.last_question_id).where(
            ChapterProgress.user_id == user_id,
            ChapterProgress.trade_id == trade_id,
            ChapterProgress.chapter == chapter,
        )
    )
    query = _active(trade_id).where(QuestionVersion.chapter == chapter).order_by(Question.id)
    rows = db.session.execute(query.where(Question.id > (last or 0)).limit(count)).all()
    if not rows and last:  # the chapter is done: go round again
        rows = db.session.execute(query.limit(count)).all()
    return _drawn(rows)


def due_mistakes(user_id: int, trade_id: int, day: date, count: int) -> list[Drawn]:
    """Mistakes of a trade due for review on a day, the longest overdue first."""
    query = (
        _active(trade_id)
        .join(Mistake, Mistake.question_id == Question.id)
        .where(Mistake.user_id == user_id, Mistake.mastered_at.is_(None), Mistake.due_on <= day)
        .order_by(Mistake.due_on, Question.id)
        .limit(count)
    )
    return _drawn(db.session.execute(query).all())


def shuffled_order(option_count: int, rng: random.Random) -> list[int]:
    """A random order of a question's options: stored index for each place shown."""
    order = list(range(option_count))
    rng.shuffle(order)
    return order


def note_seen(user_id: int, question_ids: list[int], now: datetime) -> None:
    """Count one more showing of each question to this worker."""
    if not question_ids:
        return
    rows = [
        {"user_id": user_id, "question_id": qid, "seen_count": 1, "last_seen_at": now}
        for qid in question_ids
    ]
    keys = ["user_id", "question_id"]
    table = Exposure.__table__
    add_to_counters(table, keys, rows, ["seen_count"], ["last_seen_at"])
