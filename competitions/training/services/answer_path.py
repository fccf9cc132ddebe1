"""The statements of a graded answer, run on the driver (guild.fastsql).

A practice answer reads everything it needs in one joined read (the attempt locked, its
question as placed and shown, the campaign's points rules, any answer already recorded),
then writes only what it changes. Rows come back as unsaved copies (`Answer`,
`AttemptItem`, `QuestionVersion`) or plain values, never loaded into the session.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import and_, bindparam, case, select, update

from competitions.campaigns.models import Campaign
from competitions.campaigns.services.standings import PointsRules
from competitions.questions.models import QuestionVersion
from competitions.training.models import Answer, Attempt, AttemptItem, Mode
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


_ATTEMPTS, _ITEMS = Attempt.__table__, AttemptItem.__table__
_VERSIONS, _ANSWERS, _CAMPAIGNS = QuestionVersion.__table__, Answer.__table__, Campaign.__table__
_SITTING = [_ATTEMPTS.c[field.name] for field in fields(Sitting)]
_PLACED = ["question_id", "version_id", "option_order"]
_SHOWN = ["type", "answer", "options", "chapter", "explanation"]
_RULES = ["id", "points_per_correct", "daily_points_cap", "perfect_day_bonus"]
_RECORDED = ["id", "question_id", "version_id", "response", "score", "is_correct", "seconds"]
_POSITION = bindparam("position", type_=_ITEMS.c.position.type)
_HERE = and_(_ANSWERS.c.attempt_id == bindparam("attempt_id"), _ANSWERS.c.position == _POSITION)

_READ = Statement(
    select(
        *_SITTING,
        *[_ITEMS.c[name] for name in _PLACED],
        *[_VERSIONS.c[name] for name in _SHOWN],
        *[_CAMPAIGNS.c[name] for name in _RULES],
        *[_ANSWERS.c[name] for name in _RECORDED],
    )
    .select_from(
        _ATTEMPTS.outerjoin(
            _ITEMS, and_(_ITEMS.c.attempt_id == _ATTEMPTS.c.id, _ITEMS.c.position == _POSITION)
        )
        .outerjoin(_VERSIONS, _VERSIONS.c.id == _ITEMS.c.version_id)
        .outerjoin(_CAMPAIGNS, _CAMPAIGNS.c.id == _ATTEMPTS.c.campaign_id)
        .outerjoin(_ANSWERS, _HERE)
    )
    .where(_ATTEMPTS.c.id == bindparam("attempt_id"))
    .with_for_update(of=_ATTEMPTS)  # answers to one attempt are counted one at a time
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
    .where(_ATTEMPTS.c.id == bindparam("attempt_id"))
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
    """What the joined read found: the attempt, its question, the rules, an earlier answer."""

    sitting: Sitting
    item: AttemptItem | None
    version: QuestionVersion | None
    rules: PointsRules | None
    recorded: Answer | None


def _split(row: tuple, *groups: list) -> list[dict]:
    """A joined row cut into one dict per group of column names."""
    parts, start = [], 0
    for names in groups:
        parts.append(dict(zip(names, row[start : start + len(names)], strict=True)))
        start += len(names)
    return parts


def read(cursor: Cursor, attempt_id: int, position: int) -> Read | None:
    """The attempt (locked) with the question at a position; None when there is no attempt."""
    row = _READ.first(cursor, {"attempt_id": attempt_id, "position": position})
    if row is None:
        return None
    sitting, placed, shown, rules, recorded = _split(
        row, [column.name for column in _SITTING], _PLACED, _SHOWN, _RULES, _RECORDED
    )
    item = version = None
    if placed["version_id"] is not None:
        item = AttemptItem(attempt_id=attempt_id, position=position, **placed)
        version = QuestionVersion(id=placed["version_id"], **shown)
    return Read(
        Sitting(**sitting),
        item,
        version,
        PointsRules(*rules.values()) if rules["id"] is not None else None,
        _recorded(attempt_id, position, recorded),
    )


def _recorded(attempt_id: int, position: int, found: dict | None) -> Answer | None:
    if found is None or found["id"] is None:
        return None
    return Answer(attempt_id=attempt_id, position=position, **found)


def existing(cursor: Cursor, attempt_id: int, position: int) -> Answer | None:
    """The answer already recorded at a position, if any."""
    row = _EXISTING.first(cursor, {"attempt_id": attempt_id, "position": position})
    return _recorded(attempt_id, position, row and _split(row, _RECORDED)[0])


def insert(cursor: Cursor, values: dict) -> Answer | None:
    """INSERT the answer unless one exists at its position; the new answer, or None."""
    row = _INSERT.first(cursor, values)
    return Answer(id=row[0], **values) if row else None


def count(cursor: Cursor, sitting: Sitting, answer: Answer, now: datetime) -> None:
    """Add a practice answer to its attempt's counts; the last one finishes the attempt."""
    values = {
        "attempt_id": sitting.id,
        "correct": int(answer.is_correct),
        "gained": answer.score,
        "now": now,
    }
    _COUNT.execute(cursor, values)
