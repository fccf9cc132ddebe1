"""Standings and tallies, moved forward in the transaction of each attempt and answer.

Leaderboards and statistics only read what is kept here; `rebuild` recomputes the same
figures from the raw attempts and answers.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, select, update

from competitions.campaigns.models import (
    WHOLE_CAMPAIGN,
    Campaign,
    CampaignDay,
    Standing,
    StandingCount,
    Tally,
)
from competitions.training.models import Answer, Attempt, Mode
from guild.extensions import db
from guild.upsert import add_to_counters, insert_for

TALLY_KEYS = ["campaign_id", "dimension", "value"]
TALLY_COUNTERS = ["attempts", "participants", "answers", "correct", "points"]
COUNT_KEYS = ["campaign_id", "trade_id", "points"]


@dataclass(frozen=True)
class Participant:
    """Who takes part: the worker and where their standing counts them."""

    user_id: int
    city: str
    enterprise_id: int | None


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


def _where(campaign: Campaign, participant: Participant, trade_id: int) -> dict[str, str]:
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
    first_today = db.session.scalar(
        insert_for(CampaignDay.__table__)
        .values(campaign_id=campaign.id, user_id=participant.user_id, day=day)
        .on_conflict_do_nothing()
        .returning(CampaignDay.day)
    )
    places = _where(campaign, participant, trade_id)
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


def record_answer(campaign: Campaign, user_id: int, answer: ScoredAnswer) -> int:
    """Add a graded answer to the campaign's tallies and, when scored, the standings.

    Returns the points it earned: score × points per correct answer, within what the daily
    cap leaves of the day, plus the perfect-day bonus (outside the cap) when it completed a
    daily practice with every answer right.
    """
    whole = (
        select(Standing.city, Standing.enterprise_id, Standing.last_day, Standing.day_points)
        .where(
            Standing.campaign_id == campaign.id,
            Standing.trade_id == WHOLE_CAMPAIGN,
            Standing.user_id == user_id,
        )
        .with_for_update()  # the daily cap is read and moved by one writer at a time
    )
    city, enterprise_id, last_day, day_points = db.session.execute(whole).one()
    participant = Participant(user_id, city, enterprise_id)
    points = 0
    if answer.scored:
        points = _move_standings(campaign, user_id, answer, last_day, day_points)
    dimensions = {"day": answer.day.isoformat(), **_where(campaign, participant, answer.trade_id)}
    dimensions["chapter"] = chapter_value(answer.trade_id, answer.chapter)
    _add_tallies(
        _tallies(campaign.id, dimensions, answers=1, correct=int(answer.is_correct), points=points)
    )
    return points


def earned_points(campaign: Campaign, answer: ScoredAnswer, used_today: int) -> tuple[int, int]:
    """Points an answer earns (capped part, bonus) given the points already earned that day."""
    base = round(answer.score * campaign.points_per_correct)
    capped = max(0, min(base, campaign.daily_points_cap - used_today))
    bonus = campaign.perfect_day_bonus if answer.perfect_finish else 0
    return capped, bonus


def _earned_before(campaign: Campaign, user_id: int, answer: ScoredAnswer) -> int:
    """Capped points the worker's other daily answers of the answer's day earned.

    Each answer earns what the cap leaves, so together they earned min(cap, Σ base).
    """
    scores = db.session.scalars(
        select(Answer.score)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(
            Attempt.campaign_id == campaign.id,
            Attempt.user_id == user_id,
            Attempt.mode == Mode.DAILY,
            Attempt.day == answer.day,
            Answer.id != answer.answer_id,
        )
    )
    total = sum(round(score * campaign.points_per_correct) for score in scores)
    return min(total, campaign.daily_points_cap)


def _move_standings(
    campaign: Campaign,
    user_id: int,
    answer: ScoredAnswer,
    last_day: date | None,
    day_points: int,
) -> int:
    if last_day is not None and answer.day < last_day:
        # A late answer to an earlier day's practice (started before midnight, answered
        # after another trade's practice of the new day began): that day's points are
        # summed from its answers, and the latest day's running figures stay as they are.
        used_today = _earned_before(campaign, user_id, answer)
        capped, bonus = earned_points(campaign, answer, used_today)
        kept_day, kept_points = last_day, day_points
    else:
        used_today = day_points if last_day == answer.day else 0
        capped, bonus = earned_points(campaign, answer, used_today)
        kept_day, kept_points = answer.day, used_today + capped
    points = capped + bonus
    whole_row = Standing.trade_id == WHOLE_CAMPAIGN
    moved = db.session.execute(
        update(Standing)
        .where(
            Standing.campaign_id == campaign.id,
            Standing.user_id == user_id,
            Standing.trade_id.in_((WHOLE_CAMPAIGN, answer.trade_id)),
        )
        .values(
            points=Standing.points + points,
            seconds=Standing.seconds + answer.seconds,
            answers=Standing.answers + 1,
            correct=Standing.correct + int(answer.is_correct),
            # The daily cap is kept on the whole-campaign row only.
            last_day=case((whole_row, kept_day), else_=Standing.last_day),
            day_points=case((whole_row, kept_points), else_=Standing.day_points),
        )
        .returning(Standing.trade_id, Standing.points)
    ).all()
    if points:
        rows = []
        for trade_id, new_points in moved:
            base = {"campaign_id": campaign.id, "trade_id": trade_id}
            rows.append({**base, "points": new_points - points, "participants": -1})
            rows.append({**base, "points": new_points, "participants": 1})
        add_to_counters(StandingCount.__table__, COUNT_KEYS, rows, ["participants"])
    return points
