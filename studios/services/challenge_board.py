"""The challenge board: public challenges filtered and searched, a page of them at a time.

Search goes through the studios' search index (studios.services.search: characters and pairs
of characters, then the exact substring), where every challenge is kept with its title,
problem, indicators and field: every term is required, letters in any case (NFKC, lower
case), and both engines give the same results; a term with no letter or digit finds nothing.
The board lists open challenges by default, soonest deadline first; the other public states
(in delivery, finished) are a filter away.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, false, select

from guild.extensions import db
from studios.challenge_models import Challenge, ChallengeState, ChallengeTrade
from studios.search_models import SearchKind
from studios.services.challenge_access import PUBLIC_STATES
from studios.services.search import matching_ids

MAX_TERMS, MAX_QUERY = 5, 100
MOST_REWARD_FEN = 100_000_000 * 100
STATUS_CHOICES = ("open", "selected", "finished", "all")


@dataclass(frozen=True)
class BoardFilter:
    """What a visitor narrows the board to (every value already checked by the view)."""

    status: str = "open"  # one of STATUS_CHOICES
    field: str = ""
    reward_min_fen: int | None = None
    reward_max_fen: int | None = None
    deadline_from: date | None = None  # claims close on or after this day (local)
    deadline_to: date | None = None  # ... and on or before this one
    trade_id: int | None = None
    query: str = ""


def search_terms(query: str) -> list[str]:
    """The query's terms, normalised (NFKC, lower case), at most MAX_TERMS."""
    text = unicodedata.normalize("NFKC", query or "")[:MAX_QUERY].lower()
    return [term for term in text.split() if term][:MAX_TERMS]


def _states(status: str) -> list[ChallengeState]:
    if status == "all":
        return sorted(PUBLIC_STATES)
    return [ChallengeState(status)] if status in STATUS_CHOICES else [ChallengeState.OPEN]


def board_query(board: BoardFilter, day_start=None):
    """The SELECT of the board's challenges, in order (day_start: a local day's UTC start)."""
    states = _states(board.status)
    query = select(Challenge)
    query = query.where(
        Challenge.state == states[0] if len(states) == 1 else Challenge.state.in_(states)
    )
    if board.field:
        query = query.where(Challenge.field == board.field)
    if board.reward_min_fen is not None:
        query = query.where(Challenge.reward_fen >= board.reward_min_fen)
    if board.reward_max_fen is not None:
        query = query.where(Challenge.reward_fen <= board.reward_max_fen)
    start = day_start or _utc_midnight
    if board.deadline_from is not None:
        query = query.where(Challenge.deadline >= start(board.deadline_from))
    if board.deadline_to is not None:
        query = query.where(Challenge.deadline < start(board.deadline_to + timedelta(days=1)))
    if board.trade_id is not None:
        tagged = select(ChallengeTrade.challenge_id).where(
            ChallengeTrade.trade_id == board.trade_id
        )
        query = query.where(Challenge.id.in_(tagged))
    if search_terms(board.query):
        found = matching_ids(SearchKind.CHALLENGE, board.query)
        query = query.where(Challenge.id.in_(found) if found is not None else false())
    order = (Challenge.deadline, Challenge.id)
    if board.status != "open":
        order = (Challenge.deadline.desc(), Challenge.id.desc())
    return query.order_by(*order)


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def board_page(board: BoardFilter, page: int, per_page: int, day_start=None) -> Pagination:
    """One page of the board's challenges with the total count."""
    return db.paginate(board_query(board, day_start), page=page, per_page=per_page, error_out=False)


def field_choices(limit: int = 100) -> list[str]:
    """The fields of public challenges, for the filter (the (field, state) index answers)."""
    query = (
        select(Challenge.field)
        .where(and_(Challenge.field != "", Challenge.state.in_(sorted(PUBLIC_STATES))))
        .group_by(Challenge.field)
        .order_by(Challenge.field)
        .limit(limit)
    )
    return list(db.session.scalars(query))
