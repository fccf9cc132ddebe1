"""Leaderboards read from the standings: top N, and the viewer's own rank.

Ranking rule: more points first; equal points, less time taken first; equal on both, the
same (shared) rank, the next rank skipping as many places as shared it ("1, 2, 2, 4").
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from competitions.campaigns.models import (
    WHOLE_CAMPAIGN,
    Standing,
    StandingCount,
    StandingMinuteCount,
    Tally,
)
from guild.accounts.models import Enterprise, User
from guild.accounts.names import mask_name
from guild.extensions import db

TOP_N = 50


@dataclass(frozen=True)
class Place:
    """A row of a worker leaderboard; names are masked, phone numbers never leave."""

    rank: int
    user_id: int
    name: str
    city: str
    points: int
    seconds: int
    answers: int
    correct: int

    @property
    def accuracy(self) -> float:
        """Share of answers right."""
        return self.correct / self.answers if self.answers else 0.0


def top_places(campaign_id: int, trade_id: int = WHOLE_CAMPAIGN, limit: int = TOP_N) -> list[Place]:
    """The best `limit` standings of a board, ranked."""
    query = (
        select(
            Standing.user_id,
            User.real_name,
            Standing.city,
            Standing.points,
            Standing.seconds,
            Standing.answers,
            Standing.correct,
        )
        .join(User, User.id == Standing.user_id)
        .where(Standing.campaign_id == campaign_id, Standing.trade_id == trade_id)
        .order_by(Standing.points.desc(), Standing.seconds, Standing.user_id)
        .limit(limit)
    )
    places: list[Place] = []
    for position, row in enumerate(db.session.execute(query), start=1):
        user_id, name, city, points, seconds, answers, correct = row
        shared = places and (places[-1].points, places[-1].seconds) == (points, seconds)
        rank = places[-1].rank if shared else position
        places.append(
            Place(rank, user_id, mask_name(name), city, points, seconds, answers, correct)
        )
    return places


def my_place(campaign_id: int, trade_id: int, user_id: int) -> Place | None:
    """The viewer's own place on a board, None before they take part.

    The rank is one more than the standings ahead: those with more points (summed from the
    per-points counts, a few hundred rows however many take part), those with the same
    points in an earlier minute of time taken (summed from the per-minute counts), and
    those in the same minute with fewer seconds (an index range of one minute's ties).
    """
    mine = db.session.execute(
        select(Standing, User.real_name)
        .join(User, User.id == Standing.user_id)
        .where(
            Standing.campaign_id == campaign_id,
            Standing.trade_id == trade_id,
            Standing.user_id == user_id,
        )
    ).first()
    if mine is None:
        return None
    standing, name = mine
    board = (StandingCount.campaign_id == campaign_id, StandingCount.trade_id == trade_id)
    ahead_on_points = db.session.scalar(
        select(func.coalesce(func.sum(StandingCount.participants), 0)).where(
            *board, StandingCount.points > standing.points
        )
    )
    minute = standing.seconds // 60
    ahead_by_minutes = db.session.scalar(
        select(func.coalesce(func.sum(StandingMinuteCount.participants), 0)).where(
            StandingMinuteCount.campaign_id == campaign_id,
            StandingMinuteCount.trade_id == trade_id,
            StandingMinuteCount.points == standing.points,
            StandingMinuteCount.minute < minute,
        )
    )
    ahead_in_minute = db.session.scalar(
        select(func.count()).where(
            Standing.campaign_id == campaign_id,
            Standing.trade_id == trade_id,
            Standing.points == standing.points,
            Standing.seconds >= minute * 60,
            Standing.seconds < standing.seconds,
        )
    )
    ahead_on_time = int(ahead_by_minutes) + int(ahead_in_minute)
    return Place(
        int(ahead_on_points) + int(ahead_on_time) + 1,
        user_id,
        mask_name(name),
        standing.city,
        standing.points,
        standing.seconds,
        standing.answers,
        standing.correct,
    )


@dataclass(frozen=True)
class GroupPlace:
    """A row of the enterprise or city board: average points and participation."""

    rank: int
    key: str
    name: str
    participants: int
    average: float
    headcount: int | None  # workers registered there (enterprises), for the rate

    @property
    def participation_rate(self) -> float | None:
        """Participants as a share of the enterprise's registered workers."""
        return self.participants / self.headcount if self.headcount else None


def _groups(campaign_id: int, dimension: str):
    return select(Tally.value, Tally.participants, Tally.points).where(
        Tally.campaign_id == campaign_id,
        Tally.dimension == dimension,
        Tally.participants > 0,
    )


def group_board(
    campaign_id: int, dimension: str, mine: str | None = None, limit: int = TOP_N
) -> tuple[list[GroupPlace], GroupPlace | None]:
    """The best enterprises (or cities) of a campaign by average points per participant,
    ties to more participants, and the viewer's own group's place.

    Ranked in the database: a campaign has thousands of enterprise tallies, and sorting them
    in Python on every view costs more than the page's budget.
    """
    average = Tally.points * 1.0 / Tally.participants
    top = db.session.execute(
        _groups(campaign_id, dimension)
        .order_by(average.desc(), Tally.participants.desc(), Tally.value)
        .limit(limit)
    ).all()
    ranked: list[tuple[int, str, int, float]] = []
    for position, (value, participants, points) in enumerate(top, start=1):
        entry = (participants, points / participants)
        shared = ranked and ranked[-1][2:] == entry
        ranked.append((ranked[-1][0] if shared else position, value, *entry))
    own = next((entry for entry in ranked if entry[1] == mine), None)
    if mine and own is None:
        own = _own_group(campaign_id, dimension, mine)
    names, heads = _group_names(dimension, [e[1] for e in [*ranked, *([own] if own else [])]])

    def place(entry: tuple[int, str, int, float]) -> GroupPlace:
        rank, value, participants, average_points = entry
        name = names.get(value, value)
        return GroupPlace(rank, value, name, participants, average_points, heads.get(value))

    return [place(entry) for entry in ranked], place(own) if own else None


def _own_group(campaign_id: int, dimension: str, value: str) -> tuple | None:
    """A group's rank: one more than the groups ahead (compared exactly, in integers)."""
    row = db.session.execute(_groups(campaign_id, dimension).where(Tally.value == value)).first()
    if row is None:
        return None
    _value, participants, points = row
    better = Tally.points * participants > points * Tally.participants
    same_more = (Tally.points * participants == points * Tally.participants) & (
        Tally.participants > participants
    )
    ahead = db.session.scalar(
        select(func.count()).select_from(
            _groups(campaign_id, dimension).where(better | same_more).subquery()
        )
    )
    return (ahead + 1, value, participants, points / participants)


def _group_names(dimension: str, values: list[str]) -> tuple[dict[str, str], dict[str, int]]:
    """Enterprise names and registered headcounts by tally value (cities name themselves)."""
    if dimension != "enterprise" or not values:
        return {}, {}
    ids = [int(value) for value in values]
    names = db.session.execute(
        select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))
    ).all()
    heads = db.session.execute(
        select(User.enterprise_id, func.count())
        .where(User.enterprise_id.in_(ids), User.is_active.is_(True))
        .group_by(User.enterprise_id)
    ).all()
    return {str(k): v for k, v in names}, {str(k): v for k, v in heads}
