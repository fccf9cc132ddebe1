"""Standings and tallies, moved forward in the transaction of each attempt and answer.

Leaderboards and statistics only read what is kept here; `rebuild` recomputes the same
figures from the raw attempts and answers.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import update

from competitions.campaigns.models import (
    WHOLE_CAMPAIGN,
    Campaign,
    CampaignDay,
    Standing,
    StandingCount,
    StandingMinuteCount,
    Tally,
)
from guild.extensions import db
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


def tally_rows(campaign_id: int, dimensions: dict[str, str], **counters: int) -> list[dict]:
    """One tally row per dimension and value, with the given counters (the rest zero)."""
    base = dict.fromkeys(TALLY_COUNTERS, 0)
    return [
        {"campaign_id": campaign_id, "dimension": dimension, "value": value, **base, **counters}
        for dimension, value in dimensions.items()
    ]


def where_counted(participant: Participant, trade_id: int) -> dict[str, str]:
    """The trade, city and (when there is one) enterprise a participant is counted under."""
    dimensions = {"trade": str(trade_id), "city": participant.city}
    if participant.enterprise_id:
        dimensions["enterprise"] = str(participant.enterprise_id)
    return dimensions


def add_tallies(rows: list[dict]) -> None:
    """Add the rows' counters to the campaign's tallies."""
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
    places = where_counted(participant, trade_id)
    rows = tally_rows(
        campaign.id, {"day": day.isoformat()}, attempts=1, participants=int(bool(first_today))
    )
    rows += tally_rows(
        campaign.id,
        {"trade": places.pop("trade")},
        attempts=1,
        participants=int(trade_id in new_boards),
    )
    rows += tally_rows(
        campaign.id, places, attempts=1, participants=int(WHOLE_CAMPAIGN in new_boards)
    )
    add_tallies(rows)
