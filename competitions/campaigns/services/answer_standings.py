"""What a graded answer moves: the worker's standings, the points counts and the tallies.

An answer's points depend on what the worker already earned that day (the daily cap), so
the worker's whole-campaign standing is locked before it is read: a practice answer reads
it in its own joined read (training's answer_path), other paths with `read_place`. What
follows is planned in Python first (`earn`, which may read), then written by statements
that need no reply (`write_answer`), so a practice answer can send them in one pipeline.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, and_, bindparam, case, or_, select, update

from competitions.campaigns.models import (
    WHOLE_CAMPAIGN,
    Standing,
    StandingCount,
    StandingMinuteCount,
)
from competitions.campaigns.services.standings import (
    COUNT_KEYS,
    MINUTE_KEYS,
    Participant,
    PointsRules,
    ScoredAnswer,
    add_tallies,
    chapter_value,
    tally_rows,
    where_counted,
)
from competitions.training.models import Answer, Attempt, Mode
from guild.extensions import db
from guild.fastsql import Cursor, Statement, session_cursor
from guild.upsert import add_to_counters

_STANDINGS = Standing.__table__
_WHOLE = _STANDINGS.alias("whole_standing")
_TRADE = _STANDINGS.alias("trade_standing")


@dataclass(frozen=True)
class Place:
    """The worker's standings in a campaign as an answer finds them (read under the lock)."""

    city: str
    enterprise_id: int | None
    last_day: date | None
    day_points: int
    whole: tuple[int, int]  # points and seconds of the whole-campaign standing
    trade: tuple[int, int]  # and of the standing in the answer's trade

    @classmethod
    def of(cls, row) -> "Place":
        """The place of a row: city, enterprise, last day, day points, then the points and
        seconds of the whole-campaign standing and of the trade's."""
        return cls(row[0], row[1], row[2], row[3], (row[4], row[5]), (row[6], row[7]))


_READ_PLACE = Statement(
    select(
        *[_WHOLE.c[name] for name in ("city", "enterprise_id", "last_day", "day_points")],
        *[table.c[name] for table in (_WHOLE, _TRADE) for name in ("points", "seconds")],
    )
    .select_from(
        _WHOLE.join(
            _TRADE,
            and_(
                _TRADE.c.campaign_id == _WHOLE.c.campaign_id,
                _TRADE.c.user_id == _WHOLE.c.user_id,
                _TRADE.c.trade_id == bindparam("trade_id"),
            ),
        )
    )
    .where(
        _WHOLE.c.campaign_id == bindparam("campaign_id"),
        _WHOLE.c.user_id == bindparam("user_id"),
        _WHOLE.c.trade_id == WHOLE_CAMPAIGN,
    )
    .with_for_update(of=_WHOLE)  # one writer at a time reads and moves the daily cap
)
_MINE = (_STANDINGS.c.campaign_id == bindparam("campaign_id")) & (
    _STANDINGS.c.user_id == bindparam("user_id")
)
_WHOLE_ROW = _STANDINGS.c.trade_id == WHOLE_CAMPAIGN
_MOVE = Statement(
    update(_STANDINGS)
    .where(_MINE, or_(_WHOLE_ROW, _STANDINGS.c.trade_id == bindparam("trade_id")))
    .values(
        points=_STANDINGS.c.points + bindparam("points"),
        seconds=_STANDINGS.c.seconds + bindparam("seconds"),
        answers=_STANDINGS.c.answers + 1,
        correct=_STANDINGS.c.correct + bindparam("correct"),
        # The daily cap is kept on the whole-campaign row only.
        last_day=case(
            (_WHOLE_ROW, bindparam("kept_day", type_=Date())), else_=_STANDINGS.c.last_day
        ),
        day_points=case(
            (_WHOLE_ROW, bindparam("kept_points", type_=_STANDINGS.c.day_points.type)),
            else_=_STANDINGS.c.day_points,
        ),
    )
)


@dataclass(frozen=True)
class Earned:
    """The points an answer earned, and the daily cap's figures it leaves behind."""

    points: int
    kept_day: date | None
    kept_points: int


def read_place(rules: PointsRules, user_id: int, trade_id: int) -> Place:
    """The worker's place in the campaign, locked until the transaction ends."""
    values = {"campaign_id": rules.campaign_id, "user_id": user_id, "trade_id": trade_id}
    return Place.of(_READ_PLACE.first(session_cursor(), values))


def record_answer(rules: PointsRules, user_id: int, answer: ScoredAnswer) -> int:
    """Lock the worker's place, then add a graded answer to it; the points it earned."""
    place = read_place(rules, user_id, answer.trade_id)
    earned = earn(rules, user_id, answer, place)
    write_answer(session_cursor(), rules, user_id, answer, place, earned)
    return earned.points


def earned_points(rules: PointsRules, answer: ScoredAnswer, used_today: int) -> tuple[int, int]:
    """Points an answer earns (capped part, bonus) given the points already earned that day."""
    base = round(answer.score * rules.points_per_correct)
    capped = max(0, min(base, rules.daily_points_cap - used_today))
    bonus = rules.perfect_day_bonus if answer.perfect_finish else 0
    return capped, bonus


def earn(rules: PointsRules, user_id: int, answer: ScoredAnswer, place: Place) -> Earned:
    """The points a scored answer earns: score × points per correct answer, within what the
    daily cap leaves of the day, plus the perfect-day bonus (outside the cap) when it
    completed a daily practice with every answer right. Unscored answers earn nothing."""
    if not answer.scored:
        return Earned(0, place.last_day, place.day_points)
    if place.last_day is not None and answer.day < place.last_day:
        # A late answer to an earlier day's practice (started before midnight, answered
        # after another trade's practice of the new day began): that day's points are
        # summed from its answers, and the latest day's running figures stay as they are.
        capped, bonus = earned_points(rules, answer, _earned_before(rules, user_id, answer))
        return Earned(capped + bonus, place.last_day, place.day_points)
    used_today = place.day_points if place.last_day == answer.day else 0
    capped, bonus = earned_points(rules, answer, used_today)
    return Earned(capped + bonus, answer.day, used_today + capped)


def _earned_before(rules: PointsRules, user_id: int, answer: ScoredAnswer) -> int:
    """Capped points the worker's other daily answers of the answer's day earned.

    Each answer earns what the cap leaves, so together they earned min(cap, Σ base).
    """
    scores = db.session.scalars(
        select(Answer.score)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(
            Attempt.campaign_id == rules.campaign_id,
            Attempt.user_id == user_id,
            Attempt.mode == Mode.DAILY,
            Attempt.day == answer.day,
            Answer.id != answer.answer_id,
        )
    )
    total = sum(round(score * rules.points_per_correct) for score in scores)
    return min(total, rules.daily_points_cap)


def write_answer(
    cursor: Cursor,
    rules: PointsRules,
    user_id: int,
    answer: ScoredAnswer,
    place: Place,
    earned: Earned,
) -> None:
    """Move the standings (when scored), their counts and the tallies by a planned answer."""
    if answer.scored:
        values = {
            "campaign_id": rules.campaign_id,
            "user_id": user_id,
            "trade_id": answer.trade_id,
            "points": earned.points,
            "seconds": answer.seconds,
            "correct": int(answer.is_correct),
            "kept_day": earned.kept_day,
            "kept_points": earned.kept_points,
        }
        _MOVE.execute(cursor, values)
        _move_counts(rules.campaign_id, answer.trade_id, place, earned.points, answer.seconds)
    dimensions = {
        "day": answer.day.isoformat(),
        **where_counted(Participant(user_id, place.city, place.enterprise_id), answer.trade_id),
        "chapter": chapter_value(answer.trade_id, answer.chapter),
    }
    correct = int(answer.is_correct)
    add_tallies(
        tally_rows(rules.campaign_id, dimensions, answers=1, correct=correct, points=earned.points)
    )


def _move_counts(campaign_id: int, trade_id: int, place: Place, points: int, seconds: int) -> None:
    """Each moved standing leaves its old points value's and minute's counts for the new ones."""
    by_points, by_minute = [], []
    for board, (old_points, old_seconds) in (
        (WHOLE_CAMPAIGN, place.whole),
        (trade_id, place.trade),
    ):
        old = {"campaign_id": campaign_id, "trade_id": board, "points": old_points}
        new = {**old, "points": old_points + points}
        if points:
            by_points += [{**old, "participants": -1}, {**new, "participants": 1}]
        old_minute, new_minute = old_seconds // 60, (old_seconds + seconds) // 60
        if points or old_minute != new_minute:
            by_minute.append({**old, "minute": old_minute, "participants": -1})
            by_minute.append({**new, "minute": new_minute, "participants": 1})
    add_to_counters(StandingCount.__table__, COUNT_KEYS, by_points, ["participants"])
    add_to_counters(StandingMinuteCount.__table__, MINUTE_KEYS, by_minute, ["participants"])
