"""Posting a challenge (发榜): drafts, submission, the alliance's review, cancellation.

Claims are in `challenge_claims`, delivery and acceptance in `challenge_delivery`; every
transition is checked by `challenge_flow.guard` and leaves an audit row and notifications.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from guild.accounts.models import User, UserRole
from guild.accounts.roles import Role
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.money import yuan_to_fen
from guild.timeutil import naive_utc, utcnow
from guild.trades.models import Trade
from guild.transactions import begin_writing
from studios.challenge_models import Challenge, ChallengeClaim, ChallengeState, ChallengeTrade
from studios.models import Alliance, AllianceAdmin, MemberRole, MemberStatus, StudioMember
from studios.search_models import SearchKind
from studios.services.access import NotAllowed, NotFound, is_alliance_admin, studio_role
from studios.services.challenge_flow import Part, guard
from studios.services.notifications import notify
from studios.services.search import index_item

MAX_TITLE, MAX_TEXT, MAX_FIELD, MAX_REASON = 120, 5000, 40, 500
MOST_REWARD_YUAN = 100_000_000  # 1亿元: anything above is a typing slip, not a reward
MOST_WINNERS = 20

label_actions(
    {
        "challenge.create": _l("Challenge drafted"),
        "challenge.edit": _l("Challenge edited"),
        "challenge.submit": _l("Challenge submitted for review"),
        "challenge.approve": _l("Challenge opened"),
        "challenge.reject": _l("Challenge rejected"),
        "challenge.cancel": _l("Challenge cancelled"),
    }
)


@dataclass(frozen=True)
class ChallengeFields:
    """What a poster writes; the reward in yuan as typed, the deadline naive UTC."""

    title: str
    problem: str
    deadline: datetime
    alliance_id: int
    indicators: str = ""
    requirements: str = ""
    field: str = ""
    reward_yuan: str = "0"
    winners_wanted: int = 1
    trade_ids: tuple[int, ...] = ()
    studio_id: int | None = None  # posted by this studio (its leader), else the enterprise


def get_challenge(challenge_id: int, lock: bool = False) -> Challenge:
    """The challenge, its row locked for this transaction when asked; NotFound otherwise."""
    if not isinstance(challenge_id, int) or not 0 < challenge_id <= MAX_ID:
        raise NotFound(_l("There is no such challenge."))
    query = select(Challenge).where(Challenge.id == challenge_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    challenge = db.session.scalar(query)
    if challenge is None:
        raise NotFound(_l("There is no such challenge."))
    return challenge


def parts_of(user: User | None, challenge: Challenge, claim: ChallengeClaim | None = None):
    """The parts the user plays towards the challenge (and the claim, when given)."""
    parts: set[Part] = set()
    if user is None:
        return {Part.OTHER}
    if is_poster(user, challenge):
        parts.add(Part.POSTER)
    if is_alliance_admin(user.id, challenge.alliance_id):
        parts.add(Part.REVIEWER)
    if claim is not None and studio_role(user.id, claim.studio_id) == MemberRole.LEADER:
        parts.add(Part.CLAIMANT)
    return parts or {Part.OTHER}


def is_poster(user: User, challenge: Challenge) -> bool:
    """Whether the user speaks for the challenge's poster."""
    if challenge.poster_studio_id is not None:
        return studio_role(user.id, challenge.poster_studio_id) == MemberRole.LEADER
    return user.has_role(Role.ENTERPRISE_CONTACT) and user.enterprise_id == (
        challenge.poster_enterprise_id
    )


def _text(value: str | None, most: int, field: str, needed=None) -> str:
    text = (value or "").strip()
    if needed is not None and not text:
        raise DomainError(needed, field)
    if len(text) > most:
        raise DomainError(_l("At most %(most)d characters.", most=most), field)
    return text


def _checked(fields: ChallengeFields) -> dict:
    """The fields as stored, every one checked (DomainError naming the field)."""
    values = {
        "title": _text(fields.title, MAX_TITLE, "title", _l("Give the challenge a title.")),
        "problem": _text(fields.problem, MAX_TEXT, "problem", _l("Describe the problem.")),
        "indicators": _text(fields.indicators, MAX_TEXT, "indicators"),
        "requirements": _text(fields.requirements, MAX_TEXT, "requirements"),
        "field": _text(fields.field, MAX_FIELD, "field"),
        "reward_fen": yuan_to_fen(fields.reward_yuan, "reward_yuan", MOST_REWARD_YUAN),
        "deadline": naive_utc(fields.deadline),
    }
    if values["deadline"] is None:
        raise DomainError(_l("Set the deadline for claims."), "deadline")
    winners = fields.winners_wanted
    if (
        not isinstance(winners, int)
        or isinstance(winners, bool)
        or not 1 <= winners <= MOST_WINNERS
    ):
        raise DomainError(_l("A challenge has 1 to 20 winners."), "winners_wanted")
    values["winners_wanted"] = winners
    if db.session.get(Alliance, fields.alliance_id) is None:
        raise DomainError(_l("Choose the alliance that reviews the challenge."), "alliance_id")
    values["alliance_id"] = fields.alliance_id
    trades = set(fields.trade_ids)
    known = db.session.scalars(select(Trade.id).where(Trade.id.in_(trades))).all()
    if len(known) != len(trades):
        raise DomainError(_l("Choose trades from the list."), "trade_ids")
    return values


def _poster(actor: Actor, studio_id: int | None) -> dict:
    """Who posts: the actor's studio (as its leader) or the actor's enterprise (as contact)."""
    user = actor.user
    if studio_id is not None:
        if user is None or studio_role(user.id, studio_id) != MemberRole.LEADER:
            raise NotAllowed(_l("Only the studio's leader may post its challenges."))
        return {"poster_studio_id": studio_id, "poster_enterprise_id": None}
    if user is None or not user.has_role(Role.ENTERPRISE_CONTACT) or not user.enterprise_id:
        raise NotAllowed(_l("Only an enterprise contact or a studio leader may post challenges."))
    return {"poster_enterprise_id": user.enterprise_id, "poster_studio_id": None}


def search_text(title: str, problem: str, indicators: str, field: str) -> tuple[str, str]:
    """What the board's search finds a challenge by: its title, and the body to look in."""
    return title, "\n".join((problem, indicators, field))


def _apply(challenge: Challenge, values: dict, trade_ids: tuple[int, ...]) -> None:
    for name, value in values.items():
        setattr(challenge, name, value)
    db.session.flush()
    title, body = search_text(
        challenge.title, challenge.problem, challenge.indicators, challenge.field
    )
    day = (challenge.created_at or utcnow()).date()
    index_item(SearchKind.CHALLENGE, challenge.id, challenge.poster_studio_id, title, body, day)
    db.session.execute(
        ChallengeTrade.__table__.delete().where(ChallengeTrade.challenge_id == challenge.id)
    )
    db.session.add_all(
        ChallengeTrade(challenge_id=challenge.id, trade_id=t) for t in set(trade_ids)
    )
    db.session.flush()


def snapshot(challenge: Challenge) -> dict:
    """What the audit keeps of a challenge."""
    return {
        "state": str(challenge.state),
        "title": challenge.title,
        "reward_fen": challenge.reward_fen,
        "deadline": challenge.deadline.isoformat(sep=" ") if challenge.deadline else None,
        "winners_wanted": challenge.winners_wanted,
    }


def create_challenge(actor: Actor, fields: ChallengeFields) -> Challenge:
    """A draft challenge, posted by the actor's enterprise or studio."""
    begin_writing()
    poster = _poster(actor, fields.studio_id)
    values = _checked(fields)
    challenge = Challenge(posted_by_id=actor.user.id, state=ChallengeState.DRAFT, **poster)
    db.session.add(challenge)
    _apply(challenge, values, fields.trade_ids)
    record(actor, "challenge.create", challenge, None, snapshot(challenge))
    return challenge


def edit_challenge(actor: Actor, challenge_id: int, fields: ChallengeFields) -> Challenge:
    """Change a draft or a rejected challenge (the poster)."""
    begin_writing()
    challenge = get_challenge(challenge_id, lock=True)
    _guarded("edit", actor, challenge, utcnow())
    values = _checked(fields)
    before = snapshot(challenge)
    _apply(challenge, values, fields.trade_ids)
    record(actor, "challenge.edit", challenge, before, snapshot(challenge))
    return challenge


def _guarded(action: str, actor: Actor, challenge: Challenge, now: datetime):
    """The transition of a challenge-wide action, if the actor may make it now."""
    return guard(action, parts_of(actor.user, challenge), challenge.state, challenge.deadline, now)


def _move(actor: Actor, challenge: Challenge, action: str, to: ChallengeState, **after):
    before = snapshot(challenge)
    challenge.state = to
    db.session.flush()
    record(actor, f"challenge.{action}", challenge, before, snapshot(challenge) | after)


def submit_challenge(actor: Actor, challenge_id: int, now: datetime | None = None) -> Challenge:
    """Send a draft (or a rejected challenge, edited) to its alliance's review."""
    begin_writing()
    now = now or utcnow()
    challenge = get_challenge(challenge_id, lock=True)
    rule = guard(
        "submit", parts_of(actor.user, challenge), challenge.state, challenge.deadline, now
    )
    challenge.submitted_at, challenge.rejection_reason = now, ""
    _move(actor, challenge, "submit", rule.challenge_to)
    notify(reviewers(challenge), "challenge.submitted", challenge)
    return challenge


def review_challenge(
    actor: Actor, challenge_id: int, approve: bool, reason: str = "", now=None
) -> Challenge:
    """The alliance admin opens the challenge on the board, or rejects it with a reason."""
    begin_writing()
    now = now or utcnow()
    challenge = get_challenge(challenge_id, lock=True)
    action = "approve" if approve else "reject"
    rule = _guarded(action, actor, challenge, now)
    if not approve:
        needed = _l("Say why the challenge is rejected.")
        challenge.rejection_reason = _text(reason, MAX_REASON, "reason", needed)
    challenge.reviewed_by_id, challenge.reviewed_at = actor.user.id, now
    if approve:
        challenge.opened_at = now
    _move(actor, challenge, action, rule.challenge_to, reason=challenge.rejection_reason)
    kind = "challenge.opened" if approve else "challenge.rejected"
    notify(poster_users(challenge), kind, challenge, {"reason": challenge.rejection_reason})
    return challenge


def cancel_challenge(actor: Actor, challenge_id: int, now: datetime | None = None) -> Challenge:
    """The poster withdraws the challenge before any winner is selected."""
    begin_writing()
    now = now or utcnow()
    challenge = get_challenge(challenge_id, lock=True)
    rule = guard(
        "cancel", parts_of(actor.user, challenge), challenge.state, challenge.deadline, now
    )
    challenge.cancelled_at = now
    _move(actor, challenge, "cancel", rule.challenge_to)
    notify(claimant_users(challenge.id), "challenge.cancelled", challenge)
    return challenge


def reviewers(challenge: Challenge) -> list[int]:
    """The admins of the challenge's alliance."""
    query = select(AllianceAdmin.user_id).where(AllianceAdmin.alliance_id == challenge.alliance_id)
    return list(db.session.scalars(query))


def poster_users(challenge: Challenge) -> list[int]:
    """Who speaks for the poster: the studio's leader, or the enterprise's contacts."""
    if challenge.poster_studio_id is not None:
        query = select(StudioMember.user_id).where(
            StudioMember.studio_id == challenge.poster_studio_id,
            StudioMember.role == MemberRole.LEADER,
            StudioMember.status == MemberStatus.ACTIVE,
        )
        return list(db.session.scalars(query))
    query = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            User.enterprise_id == challenge.poster_enterprise_id,
            UserRole.role == Role.ENTERPRISE_CONTACT,
            User.is_active.is_(True),
        )
    )
    return list(db.session.scalars(query))


def claimant_users(challenge_id: int, states=None) -> list[int]:
    """The leaders of the studios with a claim on the challenge (in the states, if given)."""
    query = (
        select(StudioMember.user_id)
        .join(ChallengeClaim, ChallengeClaim.studio_id == StudioMember.studio_id)
        .where(
            ChallengeClaim.challenge_id == challenge_id,
            StudioMember.role == MemberRole.LEADER,
            StudioMember.status == MemberStatus.ACTIVE,
        )
    )
    if states is not None:
        query = query.where(ChallengeClaim.state.in_(states))
    return list(db.session.scalars(query))
