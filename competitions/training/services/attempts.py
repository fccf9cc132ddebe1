"""Starting attempts: practice modes, the daily practice and mock exams."""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from competitions.campaigns.models import Campaign
from competitions.campaigns.services.campaigns import running_campaign
from competitions.campaigns.services.standings import Participant, record_attempt_start
from competitions.questions.types import QuestionType
from competitions.training.models import (
    Attempt,
    AttemptItem,
    ExamBlueprint,
    Mode,
    TrainingTrade,
)
from competitions.training.services import selection
from competitions.training.services.blueprints import is_contest_paper
from guild.accounts.models import User
from guild.errors import DomainError
from guild.extensions import db
from guild.trades.models import Trade
from guild.transactions import begin_writing
from guild.upsert import insert_for

PRACTICE_COUNT = 10  # questions in a random, chapter or review round
DEFAULT_DAILY_COUNT = 10  # daily practice outside any campaign
DAILY_DONE = _l("You have done today's daily practice in this trade. See you tomorrow.")


@dataclass(frozen=True)
class Clock:
    """The moment an action happens, and the local calendar day it falls on."""

    now: datetime
    day: date


def own_attempt(user_id: int, attempt_id: int, for_update: bool = False) -> Attempt:
    """The worker's own attempt (locked for writing when asked); anyone else's is missing.

    A locked read also refreshes an attempt already in the session: the counts written back
    must be the ones in the locked row, not a copy loaded before another request moved them.
    """
    attempt = db.session.get(
        Attempt, attempt_id, with_for_update=for_update or None, populate_existing=for_update
    )
    if attempt is None or attempt.user_id != user_id:
        raise DomainError(_l("That attempt was not found."), "not_found")
    return attempt


def choose_trades(user_id: int, trade_ids: list[int]) -> None:
    """Set the trades a worker trains in."""
    begin_writing()
    existing = set(
        db.session.scalars(select(TrainingTrade.trade_id).where(TrainingTrade.user_id == user_id))
    )
    wanted = set(trade_ids)
    known = set(db.session.scalars(select(Trade.id).where(Trade.id.in_(wanted))))
    if known != wanted:
        raise DomainError(_l("Choose trades from the list."), "trade_ids")
    # Statements, not ORM adds and deletes: two saves at once must not collide on a key.
    db.session.execute(
        delete(TrainingTrade).where(
            TrainingTrade.user_id == user_id, TrainingTrade.trade_id.in_(existing - wanted)
        )
    )
    for trade_id in sorted(wanted - existing):
        _note_trade(user_id, trade_id)


def _note_trade(user_id: int, trade_id: int) -> None:
    db.session.execute(
        insert_for(TrainingTrade.__table__)
        .values(user_id=user_id, trade_id=trade_id)
        .on_conflict_do_nothing()
    )


def todays_daily(user_id: int, trade_id: int, day: date) -> Attempt | None:
    """The worker's daily practice of a trade on a day, if started."""
    return db.session.scalar(
        select(Attempt).where(
            Attempt.user_id == user_id,
            Attempt.trade_id == trade_id,
            Attempt.day == day,
            Attempt.mode == Mode.DAILY,
        )
    )


def todays_dailies(user_id: int, trade_ids: list[int], day: date) -> dict[int, Attempt]:
    """The worker's daily practices of some trades on a day, by trade, in one query."""
    query = select(Attempt).where(
        Attempt.user_id == user_id,
        Attempt.trade_id.in_(trade_ids),
        Attempt.day == day,
        Attempt.mode == Mode.DAILY,
    )
    return {attempt.trade_id: attempt for attempt in db.session.scalars(query)}


def _draw_paper(user_id: int, blueprint: ExamBlueprint) -> list[tuple[selection.Drawn, float]]:
    chosen: list[tuple[selection.Drawn, float]] = []
    for part in blueprint.parts:
        taken = frozenset(drawn.question_id for drawn, _ in chosen)
        count = int(part["count"])
        found = selection.least_seen(
            user_id,
            blueprint.trade_id,
            count,
            kind=QuestionType(part["type"]),
            difficulty=int(part.get("difficulty") or 0),
            exclude=taken,
        )
        if len(found) < count:
            raise DomainError(_l("The bank has too few questions for this exam blueprint."))
        chosen += [(drawn, float(part["points"])) for drawn in found]
    return chosen


def _draw(user: User, trade: Trade, mode: Mode, clock: Clock, chapter: str, count: int):
    if mode is Mode.SEQUENTIAL:
        return selection.in_chapter_order(user.id, trade.id, chapter, count)
    if mode is Mode.REVIEW:
        return selection.due_mistakes(user.id, trade.id, clock.day, count)
    return selection.least_seen(user.id, trade.id, count)


def start_attempt(
    user: User,
    trade: Trade,
    mode: Mode,
    clock: Clock,
    chapter: str = "",
    blueprint: ExamBlueprint | None = None,
    campaign_free: bool = False,
    deadline_cap: datetime | None = None,
) -> Attempt:
    """Compose a new attempt; a daily practice already started that day is returned instead.

    campaign_free keeps the attempt out of the trade's running campaign (a contest's theory
    paper); deadline_cap ends an exam no later than that moment (the paper's window closing).
    On SQLite the caller should begin the transaction as a writer before loading `user` and
    `trade` (a POST request does); begin_writing() here covers callers that did not read yet.
    """
    begin_writing()
    if mode is not Mode.EXAM:
        blueprint = None  # only an exam has a paper and a deadline
    campaign = None if campaign_free else running_campaign(trade.id, clock.day)
    if mode is Mode.DAILY:
        existing = todays_daily(user.id, trade.id, clock.day)
        if existing is not None:
            return _resume_daily(existing)
    if mode is Mode.EXAM:
        if blueprint is None or blueprint.trade_id != trade.id or not blueprint.is_active:
            raise DomainError(_l("Choose an exam blueprint of this trade."), "blueprint_id")
        if not campaign_free and is_contest_paper(blueprint.id):  # practice must not sit it
            message = _l("This paper belongs to a skills contest: sit it from the contest's page.")
            raise DomainError(message, "blueprint_id")
        drawn = _draw_paper(user.id, blueprint)
    else:
        count = _round_size(mode, campaign)
        drawn = [(item, 1.0) for item in _draw(user, trade, mode, clock, chapter, count)]
    if not drawn:
        raise DomainError(_nothing_to_draw(mode))
    attempt = Attempt(
        user_id=user.id,
        trade_id=trade.id,
        campaign_id=campaign.id if campaign else None,
        blueprint_id=blueprint.id if blueprint else None,
        mode=mode,
        chapter=chapter if mode is Mode.SEQUENTIAL else "",
        partial_credit=bool(campaign and campaign.partial_credit),
        day=clock.day,
        started_at=clock.now,
        last_activity_at=clock.now,
        deadline_at=_deadline(clock.now, blueprint, deadline_cap),
        item_count=len(drawn),
        max_score=sum(points for _, points in drawn),
    )
    if not _insert(attempt):  # another request made today's daily practice first: resume it
        return _resume_daily(todays_daily(user.id, trade.id, clock.day))
    _add_items(attempt, drawn)
    _note_trade(user.id, trade.id)
    if campaign is not None:
        participant = Participant(user.id, user.city, user.enterprise_id)
        record_attempt_start(campaign, participant, trade.id, clock.day)
    return attempt


def _deadline(
    now: datetime, blueprint: ExamBlueprint | None, cap: datetime | None
) -> datetime | None:
    """An exam's deadline: its time limit from now, but never past the cap when one is set."""
    if blueprint is None:
        return None
    deadline = now + timedelta(minutes=blueprint.duration_minutes)
    return deadline if cap is None else min(deadline, cap)


def _round_size(mode: Mode, campaign: Campaign | None) -> int:
    if mode is Mode.DAILY:
        return campaign.daily_count if campaign else DEFAULT_DAILY_COUNT
    return PRACTICE_COUNT


def _nothing_to_draw(mode: Mode) -> str:
    if mode is Mode.REVIEW:
        return _l("No mistakes are due for review in this trade today.")
    return _l("This trade's bank has no questions to practise yet.")


def _resume_daily(attempt: Attempt | None) -> Attempt:
    if attempt is None or attempt.is_finished:
        raise DomainError(DAILY_DONE)
    return attempt


def _insert(attempt: Attempt) -> bool:
    """Add the attempt; False when the unique index finds that day's daily practice made.

    Two requests starting the daily practice at once both find none and both insert; the
    index lets one through, and the other resumes the one made (PostgreSQL shows it to the
    next statement once the first transaction commits).
    """
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        if attempt.mode is not Mode.DAILY:
            raise
        return False
    return True


def _add_items(attempt: Attempt, drawn: list[tuple[selection.Drawn, float]]) -> None:
    rng = random.SystemRandom()
    rows = [
        {
            "attempt_id": attempt.id,
            "position": position,
            "question_id": item.question_id,
            "version_id": item.version_id,
            "option_order": selection.shuffled_order(item.option_count, rng),
            "points": points,
            "flagged": False,
        }
        for position, (item, points) in enumerate(drawn, start=1)
    ]
    if attempt.mode is not Mode.SEQUENTIAL:  # chapters are read in order; the rest shuffled
        rng.shuffle(rows)
    for position, row in enumerate(rows, start=1):
        row["position"] = position
    db.session.execute(AttemptItem.__table__.insert(), rows)
    selection.note_seen(attempt.user_id, [row["question_id"] for row in rows], attempt.started_at)
