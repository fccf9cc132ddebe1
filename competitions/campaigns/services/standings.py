"""Standings and tallies, moved forward in the transaction of each attempt and answer.

Leaderboards and statistics only read what is kept here; `rebuild` recomputes the same
figures from the raw attempts and answers.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, bindparam, case, or_, select, update

from competitions.campaigns.models import (
    WHOLE_CAMPAIGN,
    Campaign,
    CampaignDay,
    Standing,
    StandingCount,
    StandingMinuteCount,
    Tally,
)
from competitions.training.models import Answer, Attempt, Mode
from guild.extensions import db
from guild.fastsql import Cursor, Statement, session_cursor
from guild.upsert import add_to_counters, insert_for

TALLY_KEYS = ["campaign_id", "dimension", "value"]
TALLY_COUNTERS = ["attempts", "participants", "answers", "correct", "points"]
COUNT_KEYS = ["campaign_id", "trade_id", "points"]
MINUTE_KEYS = [*COUNT_KEYS, "minute"]


@dataclass(frozen=True)
class Participant:
    """Who takes part: the worker and where their standing counts them."""

    user_id: int
    city: str
    enterprise_id: int | None


@dataclass(frozen=True)
class PointsRules:
    """A campaign's points rules, as an answer needs them."""

    campaign_id: int
    points_per_correct: int
    daily_points_cap: int
    perfect_day_bonus: int

    @classmethod
    def of(cls, campaign: Campaign) -> "PointsRules":
        """The rules of a loaded campaign."""
        return cls(
            campaign.id,
            campaign.points_per_correct,
            campaign.daily_points_cap,
            campaign.perfect_day_bonus,
        )


@dataclass(frozen=True)
class ScoredAnswer:
    """What a graded answer adds: its score, time, chapter, and whether it counts for points."""

    trade_id: int
    day: date
    score: float
    is_correct: bool
    seconds: int
    chapter: str
    scored: bool  # daily practice earns points; other modes only feed the statistics
    perfect_finish: bool  # it completed a daily practice with every answer right
    answer_id: int = 0  # the recorded Answer, left out when an earlier day's points are summed


def chapter_value(trade_id: int, chapter: str) -> str:
    """The tally value of a chapter of a trade."""
    return f"{trade_id}:{chapter}"[:120]


def _tallies(campaign_id: int, dimensions: dict[str, str], **counters: int) -> list[dict]:
    base = dict.fromkeys(TALLY_COUNTERS, 0)
    return [
        {"campaign_id": campaign_id, "dimension": dimension, "value": value, **base, **counters}
        for dimension, value in dimensions.items()
    ]


def _where(participant: Participant, trade_id: int) -> dict[str, str]:
    dimensions = {"trade": str(trade_id), "city": participant.city}
    if participant.enterprise_id:
        dimensions["enterprise"] = str(participant.enterprise_id)
    return dimensions


def _add_tallies(rows: list[dict]) -> None:
    add_to_counters(Tally.__table__, TALLY_KEYS, rows, TALLY_COUNTERS)


def record_attempt_start(
    campaign: Campaign, participant: Participant, trade_id: int, day: date
) -> None:
    """Count an attempt (人次), and the worker as a participant where they are new."""
    key = {"campaign_id": campaign.id, "user_id": participant.user_id}
    fresh = {"city": participant.city, "enterprise_id": participant.enterprise_id}
    new_boards = set(
        db.session.scalars(
            insert_for(Standing.__table__)
            .values([{**key, **fresh, "trade_id": t} for t in (WHOLE_CAMPAIGN, trade_id)])
            .on_conflict_do_nothing()
            .returning(Standing.trade_id)
        )
    )
    db.session.execute(
        update(Standing)
        .where(
            Standing.campaign_id == campaign.id,
            Standing.user_id == participant.user_id,
            Standing.trade_id.in_((WHOLE_CAMPAIGN, trade_id)),
        )
        .values(attempts=Standing.attempts + 1)
    )
    if new_boards:
        rows = [{"campaign_id": campaign.id, "trade_id": t, "points": 0} for t in new_boards]
        counts = [{**row, "participants": 1} for row in rows]
        add_to_counters(StandingCount.__table__, COUNT_KEYS, counts, ["participants"])
        minutes = [{**row, "minute": 0} for row in counts]
        add_to_counters(StandingMinuteCount.__table__, MINUTE_KEYS, minutes, ["participants"])
    first_today = db.session.scalar(
        insert_for(CampaignDay.__table__)
        .values(campaign_id=campaign.id, user_id=participant.user_id, day=day)
        .on_conflict_do_nothing()
        .returning(CampaignDay.day)
    )
    places = _where(participant, trade_id)
    rows = _tallies(
        campaign.id, {"day": day.isoformat()}, attempts=1, participants=int(bool(first_today))
    )
    rows += _tallies(
        campaign.id,
        {"trade": places.pop("trade")},
        attempts=1,
        participants=int(trade_id in new_boards),
    )
    rows += _tallies(
        campaign.id, places, attempts=1, participants=int(WHOLE_CAMPAIGN in new_boards)
    )
    _add_tallies(rows)


_STANDINGS = Standing.__table__
_MINE = (_STANDINGS.c.campaign_id == bindparam("campaign_id")) & (
    _STANDINGS.c.user_id == bindparam("user_id")
)
_WHOLE_ROW = _STANDINGS.c.trade_id == WHOLE_CAMPAIGN
# The daily cap is read and moved by one writer at a time: the whole-campaign row is locked.
_LOCK_WHOLE = Statement(
    select(
        _STANDINGS.c.city,
        _STANDINGS.c.enterprise_id,
        _STANDINGS.c.last_day,
        _STANDINGS.c.day_points,
    )
    .where(_MINE, _WHOLE_ROW)
    .with_for_update()
)
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
    .returning(_STANDINGS.c.trade_id, _STANDINGS.c.points, _STANDINGS.c.seconds)
)


def record_answer(rules: PointsRules, user_id: int, answer: ScoredAnswer) -> int:
    """Add a graded answer to the campaign's tallies and, when scored, the standings.

    Returns the points it earned: score × points per correct answer, within what the daily
    cap leaves of the day, plus the perfect-day bonus (outside the cap) when it completed a
    daily practice with every answer right.
    """
    cursor = session_cursor()
    mine = {"campaign_id": rules.campaign_id, "user_id": user_id}
    city, enterprise_id, last_day, day_points = _LOCK_WHOLE.first(cursor, mine)
    points = 0
    if answer.scored:
        points = _move_standings(cursor, rules, user_id, answer, (last_day, day_points))
    participant = Participant(user_id, city, enterprise_id)
    dimensions = {"day": answer.day.isoformat(), **_where(participant, answer.trade_id)}
    dimensions["chapter"] = chapter_value(answer.trade_id, answer.chapter)
    _add_tallies(
        _tallies(
            rules.campaign_id, dimensions, answers=1, correct=int(answer.is_correct), points=points
        )
    )
    return points


def earned_points(rules: PointsRules, answer: ScoredAnswer, used_today: int) -> tuple[int, int]:
    """Points an answer earns (capped part, bonus) given the points already earned that day."""
    base = round(answer.score * rules.points_per_correct)
    capped = max(0, min(base, rules.daily_points_cap - used_today))
    bonus = rules.perfect_day_bonus if answer.perfect_finish else 0
    return capped, bonus


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


def _move_standings(
    cursor: Cursor,
    rules: PointsRules,
    user_id: int,
    answer: ScoredAnswer,
    cap: tuple[date | None, int],
) -> int:
    """Move both standings (trade and whole campaign) by the answer; the points it earned."""
    last_day, day_points = cap
    if last_day is not None and answer.day < last_day:
        # A late answer to an earlier day's practice (started before midnight, answered
        # after another trade's practice of the new day began): that day's points are
        # summed from its answers, and the latest day's running figures stay as they are.
        used_today = _earned_before(rules, user_id, answer)
        capped, bonus = earned_points(rules, answer, used_today)
        kept_day, kept_points = last_day, day_points
    else:
        used_today = day_points if last_day == answer.day else 0
        capped, bonus = earned_points(rules, answer, used_today)
        kept_day, kept_points = answer.day, used_today + capped
    points = capped + bonus
    moved = _MOVE.all(
        cursor,
        {
            "campaign_id": rules.campaign_id,
            "user_id": user_id,
            "trade_id": answer.trade_id,
            "points": points,
            "seconds": answer.seconds,
            "correct": int(answer.is_correct),
            "kept_day": kept_day,
            "kept_points": kept_points,
        },
    )
    _move_counts(rules.campaign_id, moved, points, answer.seconds)
    return points


def _move_counts(campaign_id: int, moved: list[tuple], points: int, seconds: int) -> None:
    """Each moved standing leaves its old points value's and minute's counts for the new ones."""
    by_points, by_minute = [], []
    for trade_id, new_points, new_seconds in moved:
        old = {"campaign_id": campaign_id, "trade_id": trade_id, "points": new_points - points}
        new = {**old, "points": new_points}
        if points:
            by_points += [{**old, "participants": -1}, {**new, "participants": 1}]
        old_minute, new_minute = (new_seconds - seconds) // 60, new_seconds // 60
        if points or old_minute != new_minute:
            by_minute.append({**old, "minute": old_minute, "participants": -1})
            by_minute.append({**new, "minute": new_minute, "participants": 1})
    add_to_counters(StandingCount.__table__, COUNT_KEYS, by_points, ["participants"])
    add_to_counters(StandingMinuteCount.__table__, MINUTE_KEYS, by_minute, ["participants"])
