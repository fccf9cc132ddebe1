"""The statements of a graded practice answer, run on the driver (guild.fastsql).

A practice answer locks what it moves (its attempt, and the worker's campaign standing),
reads everything it needs in one joined read (the attempt, its question as placed and
shown, the campaign's points rules and the worker's standings, any answer already
recorded), then writes only what it changes. On PostgreSQL the locks go with the read in
one round trip, and the writes in another (guild.fastsql.pipeline). Rows come back as
plain frozen copies, never loaded into the session.
"""

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import and_, bindparam, case, func, select, update

from competitions.campaigns.models import WHOLE_CAMPAIGN, Campaign
from competitions.campaigns.services.answer_standings import PLACE_COLUMNS, TRADE, WHOLE, Place
from competitions.campaigns.services.standings import PointsRules
from competitions.questions.models import QuestionVersion
from competitions.questions.types import QuestionType
from competitions.training.models import Answer, Attempt, AttemptItem, ChapterProgress, Mode
from guild.fastsql import Cursor, Statement, pipeline
from guild.upsert import insert_of, placeholders


@dataclass(frozen=True)
class Sitting:
    """An attempt as an answer needs it: whose, what kind, and its counts so far."""

    id: int
    user_id: int
    mode: Mode
    trade_id: int
    campaign_id: int | None
    chapter: str
    partial_credit: bool
    day: date
    last_activity_at: datetime
    submitted_at: datetime | None
    item_count: int
    answered_count: int
    correct_count: int

    @classmethod
    def of(cls, attempt: Attempt) -> "Sitting":
        """The sitting of a loaded attempt."""
        return cls(**{field.name: getattr(attempt, field.name) for field in fields(cls)})


@dataclass(frozen=True)
class Placed:
    """A question as the attempt placed it: its position, version and option order."""

    position: int
    question_id: int
    version_id: int
    option_order: list[int]


@dataclass(frozen=True)
class Shown:
    """The question version shown: what grading and the worker's result need of it."""

    id: int
    type: QuestionType
    answer: list[str]
    options: list[str]
    chapter: str
    explanation: str


@dataclass(frozen=True)
class Recorded:
    """A recorded (or about to be recorded) answer."""

    id: int | None
    attempt_id: int
    position: int
    question_id: int
    version_id: int
    response: list[str]
    score: float
    is_correct: bool
    seconds: int


_ATTEMPTS, _ITEMS = Attempt.__table__, AttemptItem.__table__
_VERSIONS, _ANSWERS, _CAMPAIGNS = QuestionVersion.__table__, Answer.__table__, Campaign.__table__
_SITTING = [_ATTEMPTS.c[field.name] for field in fields(Sitting)]
_PLACED = ["question_id", "version_id", "option_order"]
_SHOWN = ["type", "answer", "options", "chapter", "explanation"]
_RULES = ["id", "points_per_correct", "daily_points_cap", "perfect_day_bonus"]
_RECORDED = ["id", "question_id", "version_id", "response", "score", "is_correct", "seconds"]
_ATTEMPT_ID = bindparam("attempt_id", type_=_ATTEMPTS.c.id.type)
_USER_ID = bindparam("user_id", type_=_ATTEMPTS.c.user_id.type)
_POSITION = bindparam("position", type_=_ITEMS.c.position.type)
_HERE = and_(_ANSWERS.c.attempt_id == _ATTEMPT_ID, _ANSWERS.c.position == _POSITION)
_MINE = and_(_ATTEMPTS.c.id == _ATTEMPT_ID, _ATTEMPTS.c.user_id == _USER_ID)

# Answers to one attempt are taken one at a time; a worker's answers in one campaign too
# (they share the daily cap). The attempt first, as exam submission locks it first.
_LOCKED_ATTEMPT = (
    select(_ATTEMPTS.c.campaign_id).where(_MINE).with_for_update().cte("locked_attempt")
)
_LOCK = Statement(
    select(WHOLE.c.user_id)
    .where(
        WHOLE.c.campaign_id == select(_LOCKED_ATTEMPT.c.campaign_id).scalar_subquery(),
        WHOLE.c.user_id == _USER_ID,
        WHOLE.c.trade_id == WHOLE_CAMPAIGN,
    )
    .with_for_update(of=WHOLE)
)
_READ = Statement(
    select(
        *_SITTING,
        *[_ITEMS.c[name] for name in _PLACED],
        *[_VERSIONS.c[name] for name in _SHOWN],
        *[_CAMPAIGNS.c[name] for name in _RULES],
        *[_ANSWERS.c[name] for name in _RECORDED],
        *PLACE_COLUMNS,
    )
    .select_from(
        _ATTEMPTS.outerjoin(
            _ITEMS, and_(_ITEMS.c.attempt_id == _ATTEMPTS.c.id, _ITEMS.c.position == _POSITION)
        )
        .outerjoin(_VERSIONS, _VERSIONS.c.id == _ITEMS.c.version_id)
        .outerjoin(_CAMPAIGNS, _CAMPAIGNS.c.id == _ATTEMPTS.c.campaign_id)
        .outerjoin(_ANSWERS, _HERE)
        .outerjoin(
            WHOLE,
            and_(
                WHOLE.c.campaign_id == _ATTEMPTS.c.campaign_id,
                WHOLE.c.user_id == _ATTEMPTS.c.user_id,
                WHOLE.c.trade_id == WHOLE_CAMPAIGN,
            ),
        )
        .outerjoin(
            TRADE,
            and_(
                TRADE.c.campaign_id == _ATTEMPTS.c.campaign_id,
                TRADE.c.user_id == _ATTEMPTS.c.user_id,
                TRADE.c.trade_id == _ATTEMPTS.c.trade_id,
            ),
        )
    )
    .where(_ATTEMPTS.c.id == _ATTEMPT_ID)
)
_EXISTING = Statement(select(*[_ANSWERS.c[name] for name in _RECORDED]).where(_HERE))
_ANSWER_COLUMNS = [column.name for column in _ANSWERS.c if column.name != "id"]
_INSERT = Statement(
    lambda dialect: (
        insert_of(dialect, _ANSWERS)
        .values(placeholders(_ANSWERS, _ANSWER_COLUMNS))
        .on_conflict_do_nothing()  # the unique constraint decides, not a lookup
        .returning(_ANSWERS.c.id)
    )
)
_COUNT = Statement(
    update(_ATTEMPTS)
    .where(_ATTEMPTS.c.id == _ATTEMPT_ID)
    .values(
        answered_count=_ATTEMPTS.c.answered_count + 1,
        correct_count=_ATTEMPTS.c.correct_count + bindparam("correct"),
        score=_ATTEMPTS.c.score + bindparam("gained", type_=_ATTEMPTS.c.score.type),
        last_activity_at=bindparam("now", type_=_ATTEMPTS.c.last_activity_at.type),
        submitted_at=case(
            (_ATTEMPTS.c.answered_count + 1 >= _ATTEMPTS.c.item_count, bindparam("now")),
            else_=_ATTEMPTS.c.submitted_at,
        ),
    )
)


@dataclass(frozen=True)
class Read:
    """What the joined read found: the attempt, its question, the rules, an earlier answer,
    and the worker's place in the attempt's campaign."""

    sitting: Sitting
    item: Placed | None
    version: Shown | None
    rules: PointsRules | None
    recorded: Recorded | None
    place: Place | None


def _split(row: tuple, *widths: int) -> list[tuple]:
    """A joined row cut into consecutive groups of columns."""
    parts, start = [], 0
    for width in widths:
        parts.append(row[start : start + width])
        start += width
    return parts


def read(cursor: Cursor, user_id: int, attempt_id: int, position: int) -> Read | None:
    """The attempt with the question at a position, locked when the worker's; else None."""
    values = {"attempt_id": attempt_id, "user_id": user_id, "position": position}
    with pipeline(cursor):
        if cursor.dialect.name == "postgresql":  # SQLite writers hold the database lock
            _LOCK.execute(cursor, values)
        row = _READ.first(cursor, values)
    if row is None:
        return None
    sitting, placed, shown, rules, recorded, place = _split(
        row, len(_SITTING), len(_PLACED), len(_SHOWN), len(_RULES), len(_RECORDED), 8
    )
    item = version = None
    if placed[1] is not None:
        item = Placed(position, *placed)
        version = Shown(placed[1], *shown)
    has_rules = rules[0] is not None
    return Read(
        Sitting(*sitting),
        item,
        version,
        PointsRules(*rules) if has_rules else None,
        _recorded(attempt_id, position, recorded),
        Place.of(place) if has_rules and place[0] is not None else None,
    )


def _recorded(attempt_id: int, position: int, found: tuple | None) -> Recorded | None:
    if not found or found[0] is None:
        return None
    return Recorded(found[0], attempt_id, position, *found[1:])


def existing(cursor: Cursor, attempt_id: int, position: int) -> Recorded | None:
    """The answer already recorded at a position, if any."""
    row = _EXISTING.first(cursor, {"attempt_id": attempt_id, "position": position})
    return _recorded(attempt_id, position, row)


def insert(cursor: Cursor, values: dict) -> Callable[[], int | None]:
    """INSERT the answer unless one exists at its position; its id when asked (else None).

    Ask once any pipeline it runs in has been sent.
    """
    first = _INSERT.first_later(cursor, values)
    return lambda: (row := first()) and row[0]


def count(cursor: Cursor, sitting: Sitting, answer: Recorded, now: datetime) -> None:
    """Add a practice answer to its attempt's counts; the last one finishes the attempt."""
    values = {
        "attempt_id": sitting.id,
        "correct": int(answer.is_correct),
        "gained": answer.score,
        "now": now,
    }
    _COUNT.execute(cursor, values)


def _advance_chapter_statement(dialect: str):
    table = ChapterProgress.__table__
    furthest = (
        select(func.max(_ANSWERS.c.question_id))
        .where(_ANSWERS.c.attempt_id == _ATTEMPT_ID)
        .scalar_subquery()
    )
    this_one = bindparam("question_id", type_=_ATTEMPT_ID.type)
    larger = func.greatest if dialect == "postgresql" else func.max  # SQLite's 2-argument max
    statement = insert_of(dialect, table).values(
        **placeholders(table, ["user_id", "trade_id", "chapter"]),
        # This answer counts even where the statement cannot see its row yet (a batch).
        last_question_id=larger(func.coalesce(furthest, this_one), this_one),
        updated_at=bindparam("now", type_=table.c.updated_at.type),
    )
    return statement.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.trade_id, table.c.chapter],
        set_={
            "last_question_id": statement.excluded.last_question_id,
            "updated_at": statement.excluded.updated_at,
        },
    )


_ADVANCE_CHAPTER = Statement(_advance_chapter_statement)


def advance_chapter(cursor: Cursor, sitting: Sitting, question_id: int, now: datetime) -> None:
    """Resume the chapter after the furthest question answered in this attempt.

    The furthest, not the latest: questions answered out of order must not send the next
    round back; a round that went round the chapter again starts from its own first ids.
    Run it after the answer's INSERT.
    """
    values = {
        "attempt_id": sitting.id,
        "user_id": sitting.user_id,
        "trade_id": sitting.trade_id,
        "chapter": sitting.chapter,
        "question_id": question_id,
        "now": now,
    }
    _ADVANCE_CHAPTER.execute(cursor, values)
