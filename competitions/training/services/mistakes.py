"""The mistake book: wrong answers enter it and are reviewed on a Leitner schedule."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from competitions.questions.models import Question
from competitions.questions.types import QuestionStatus
from competitions.training.models import Mistake
from guild.extensions import db
from guild.fastsql import Statement, session_cursor
from guild.upsert import insert_of, placeholders

# Days until the next review when a mistake enters box 1, 2, 3, 4, 5.
REVIEW_INTERVALS = (1, 2, 4, 8, 16)
LAST_BOX = len(REVIEW_INTERVALS)


_MISTAKE_COLUMNS = ("user_id", "question_id", "trade_id", "due_on", "last_wrong_at")


def _upsert_wrong(dialect: str):
    table = Mistake.__table__
    statement = insert_of(dialect, table).values(
        **placeholders(table, _MISTAKE_COLUMNS), box=1, wrong_count=1, mastered_at=None
    )
    return statement.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.question_id],
        set_={
            "box": 1,
            "due_on": statement.excluded.due_on,
            "wrong_count": table.c.wrong_count + 1,
            "last_wrong_at": statement.excluded.last_wrong_at,
            "mastered_at": None,
        },
    )


_NOTE_WRONG = Statement(_upsert_wrong)


def note_wrong(user_id: int, question_id: int, trade_id: int, day: date, now: datetime) -> None:
    """A wrong answer puts the question in box 1, due tomorrow, whatever box it was in."""
    values = {
        "user_id": user_id,
        "question_id": question_id,
        "trade_id": trade_id,
        "due_on": day + timedelta(days=REVIEW_INTERVALS[0]),
        "last_wrong_at": now,
    }
    _NOTE_WRONG.execute(session_cursor(), values)


def note_reviewed(user_id: int, question_id: int, day: date, now: datetime) -> None:
    """A right answer to a due mistake moves it up a box; right in the last box masters it.

    Only a due mistake moves: review rounds opened side by side cannot skip the schedule.
    """
    mistake = db.session.get(Mistake, (user_id, question_id), with_for_update=True)
    if mistake is None or mistake.mastered_at is not None or mistake.due_on > day:
        return
    if mistake.box >= LAST_BOX:
        mistake.mastered_at = now
        return
    mistake.box += 1
    mistake.due_on = day + timedelta(days=REVIEW_INTERVALS[mistake.box - 1])


@dataclass(frozen=True)
class MistakeSummary:
    """A worker's mistake book in one trade: how many are open, due today, and mastered."""

    trade_id: int
    open: int
    due: int
    mastered: int


def mistake_summaries(user_id: int, day: date) -> dict[int, MistakeSummary]:
    """Per trade, the worker's open, due and mastered mistakes (of questions still in use).

    Retired questions are left out, as review draws leave them out.
    """
    is_open = Mistake.mastered_at.is_(None)
    query = (
        select(
            Mistake.trade_id,
            func.count().filter(is_open),
            func.count().filter(is_open & (Mistake.due_on <= day)),
            func.count().filter(Mistake.mastered_at.is_not(None)),
        )
        .join(Question, Question.id == Mistake.question_id)
        .where(Mistake.user_id == user_id, Question.status == QuestionStatus.ACTIVE)
        .group_by(Mistake.trade_id)
    )
    return {row[0]: MistakeSummary(*row) for row in db.session.execute(query)}


def open_mistakes(user_id: int, trade_id: int, limit: int = 200) -> list[tuple[Mistake, Question]]:
    """The worker's open mistakes of a trade with their questions, soonest due first."""
    query = (
        select(Mistake, Question)
        .join(Question, Question.id == Mistake.question_id)
        .where(
            Mistake.user_id == user_id,
            Mistake.trade_id == trade_id,
            Mistake.mastered_at.is_(None),
        )
        .order_by(Mistake.due_on, Mistake.last_wrong_at.desc())
        .limit(limit)
    )
    return [(mistake, question) for mistake, question in db.session.execute(query)]
