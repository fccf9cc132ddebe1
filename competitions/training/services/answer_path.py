"""The statements of a graded practice answer, run on the driver (guild.fastsql).

A practice answer reads everything it needs in one statement that also locks what it
moves: the attempt and the worker's campaign standings (locked), its question as placed
and shown, the campaign's points rules, any answer already recorded. Then it writes only
what it changes; on PostgreSQL the writes go in one round trip (guild.fastsql.pipeline).
Rows come back as plain frozen copies, never loaded into the session.
"""

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import and_, bindparam, case, func, or_, select, update

from competitions.campaigns.models import WHOLE_CAMPAIGN, Campaign, Standing
from competitions.campaigns.services.answer_standings import Place
from competitions.campaigns.services.standings import PointsRules
from competitions.questions.models import QuestionVersion
from competitions.questions.types import QuestionType
from competitions.training.models import Answer, Attempt, AttemptItem, ChapterProgress, Mode
from guild.accounts.models import UserSession
from guild.accounts.session import live_session
from guild.fastsql import Cursor, Statement
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
_PLACE = ["city", "enterprise_id", "last_day", "day_points", "points", "seconds"]
_ATTEMPT_ID = bindparam("attempt_id", type_=_ATTEMPTS.c.id.type)
_USER_ID = bindparam("user_id", type_=_ATTEMPTS.c.user_id.type)
_POSITION = bindparam("position", type_=_ITEMS.c.position.type)
_HERE = and_(_ANSWERS.c.attempt_id == _ATTEMPT_ID, _ANSWERS.c.position == _POSITION)
_MINE = and_(_ATTEMPTS.c.id == _ATTEMPT_ID, _ATTEMPTS.c.user_id == _USER_ID)

# Answers to one attempt are taken one at a time, and a worker's answers in one campaign
# too (they share the daily cap): the read locks the attempt, then the worker's standings,
# as exam submission does. Locked rows come back as they are once the lock is granted;
# the rest of the read may be older (PostgreSQL reads them as of the statement's start),
# which is harmless for the question and rules (they do not change) and caught by the
# unique constraint for an answer recorded meanwhile.
_STANDINGS = Standing.__table__
_TOKEN = bindparam("token", type_=UserSession.token.type)
_NOW = bindparam("now", type_=UserSession.expires_at.type)


def _read_statement(signed_in: bool) -> Statement:
    """The joined locking read; `signed_in` also requires the worker's claimed session to
    be live, or the attempt is not found (the API's sign-in check, see guild.access)."""
    mine = and_(_MINE, live_session(_USER_ID, _TOKEN, _NOW)) if signed_in else _MINE
    locked_attempt = select(*_SITTING).where(mine).with_for_update().cte("locked_attempt")
    sitting_now = locked_attempt.c
    locked_place = (
        select(*[_STANDINGS.c[name] for name in ("trade_id", *_PLACE)])
        .where(
            _STANDINGS.c.campaign_id == select(sitting_now.campaign_id).scalar_subquery(),
            _STANDINGS.c.user_id == _USER_ID,
            or_(
                _STANDINGS.c.trade_id == WHOLE_CAMPAIGN,
                _STANDINGS.c.trade_id == select(sitting_now.trade_id).scalar_subquery(),
            ),
        )
        .order_by(_STANDINGS.c.trade_id)  # the whole-campaign row first, as everywhere
        .with_for_update()
        .cte("locked_place")
    )
    whole, trade = locked_place.alias("whole_place"), locked_place.alias("trade_place")
    return Statement(
        select(
            *[sitting_now[column.name] for column in _SITTING],
            *[_ITEMS.c[name] for name in _PLACED],
            *[_VERSIONS.c[name] for name in _SHOWN],
            *[_CAMPAIGNS.c[name] for name in _RULES],
            *[_ANSWERS.c[name] for name in _RECORDED],
            *[whole.c[name] for name in _PLACE],
            trade.c.points,
            trade.c.seconds,
        ).select_from(
            locked_attempt.outerjoin(
                _ITEMS,
                and_(_ITEMS.c.attempt_id == sitting_now.id, _ITEMS.c.position == _POSITION),
            )
            .outerjoin(_VERSIONS, _VERSIONS.c.id == _ITEMS.c.version_id)
            .outerjoin(_CAMPAIGNS, _CAMPAIGNS.c.id == sitting_now.campaign_id)
            .outerjoin(_ANSWERS, _HERE)
            .outerjoin(whole, whole.c.trade_id == WHOLE_CAMPAIGN)
            .outerjoin(trade, trade.c.trade_id == sitting_now.trade_id)
        )
    )


_READ, _READ_SIGNED_IN = _read_statement(False), _read_statement(True)
_EXISTING = Statement(select(*[_ANSWERS.c[name] for name in _RECORDED]).where(_HERE))
_ANSWER_COLUMNS = [column.name for column in _ANSWERS.c if column.name != "id"]
# The unique constraint decides, not a lookup: a second answer at a position fails, and
# with it (on PostgreSQL) the rest of its pipeline, the COMMIT included.
_INSERT = Statement(
    lambda dialect: (
        insert_of(dialect, _ANSWERS)
        .values(placeholders(_ANSWERS, _ANSWER_COLUMNS))
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


def read_later(
    cursor: Cursor,
    user_id: int,
    attempt_id: int,
    position: int,
    session: tuple[str, datetime] | None = None,
) -> Callable[[], Read | None]:
    """Run the locking read of the worker's attempt with the question at a position; when
    asked (after any pipeline it runs in), what it found, or None when the attempt is not
    theirs. With a `session` (token, now), None too unless that session of theirs is live."""
    values = {"attempt_id": attempt_id, "user_id": user_id, "position": position}
    if session is None:
        first = _READ.first_later(cursor, values)
    else:
        token, now = session
        first = _READ_SIGNED_IN.first_later(cursor, {**values, "token": token, "now": now})
    return lambda: _found(first(), attempt_id, position)


def _found(row: tuple | None, attempt_id: int, position: int) -> Read | None:
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


def insert(cursor: Cursor, values: dict) -> Callable[[], int]:
    """INSERT the answer; its id when asked, once any pipeline it runs in has been sent.

    An answer already recorded at its position raises the driver's integrity error
    (`guild.fastsql.conflict_error`), on PostgreSQL when the pipeline is sent.
    """
    first = _INSERT.first_later(cursor, values)
    return lambda: first()[0]


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
