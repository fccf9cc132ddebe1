"""Claiming a challenge (揭榜): claims, withdrawal, shortlisting and selecting the winners.

Selections take the challenge's row lock first (on SQLite a writer holds the database's
write lock), so two at once are one after the other: the count of winners read under the lock
can never let a challenge exceed the winners it wants. The last winner wanted closes claiming:
the challenge moves to SELECTED and every other live claim is told it was not selected.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.timeutil import local_day, utcnow
from guild.transactions import begin_writing
from studios.challenge_models import (
    Challenge,
    ChallengeClaim,
    ChallengeState,
    ClaimState,
    Milestone,
)
from studios.models import Decision, MemberRole
from studios.services.access import NotAllowed, NotFound, get_studio, studio_role
from studios.services.challenge_flow import Part, guard
from studios.services.challenges import (
    MAX_TEXT,
    claimant_users,
    get_challenge,
    parts_of,
    poster_users,
)
from studios.services.notifications import notify
from studios.services.periods import time_zone

LIVE = (ClaimState.ACTIVE, ClaimState.SHORTLISTED)
MAX_MILESTONES, MAX_MILESTONE_TITLE = 12, 120

label_actions(
    {
        "challenge.claim": _l("Challenge claimed"),
        "challenge.withdraw": _l("Challenge claim withdrawn"),
        "challenge.shortlist": _l("Challenge claim shortlisted"),
        "challenge.select": _l("Challenge winner selected"),
    }
)


@dataclass(frozen=True)
class Proposal:
    """A studio's proposal: its plan, team and schedule."""

    plan: str
    team: str = ""
    schedule: str = ""


def get_claim(claim_id: int) -> tuple[ChallengeClaim, Challenge]:
    """The claim and its challenge, the challenge's row locked first; NotFound otherwise."""
    found = db.session.get(ChallengeClaim, claim_id) if 0 < claim_id <= MAX_ID else None
    if found is None:
        raise NotFound(_l("There is no such claim."))
    challenge = get_challenge(found.challenge_id, lock=True)
    db.session.refresh(found)
    return found, challenge


def _proposal(proposal: Proposal) -> dict:
    plan = (proposal.plan or "").strip()
    if not plan:
        raise DomainError(_l("Describe how the studio will solve the problem."), "plan")
    values = {"plan": plan, "team": (proposal.team or "").strip()}
    values["schedule"] = (proposal.schedule or "").strip()
    for name, value in values.items():
        if len(value) > MAX_TEXT:
            raise DomainError(_l("At most %(most)d characters.", most=MAX_TEXT), name)
    return values


def _claiming_parts(actor: Actor, challenge: Challenge, studio_id: int) -> set[Part]:
    """A leader's part for a studio claiming: never the poster's own studio."""
    studio = get_studio(studio_id)
    user = actor.user
    if user is None or studio_role(user.id, studio.id) != MemberRole.LEADER:
        return parts_of(user, challenge) - {Part.LEADER}
    if studio.status != Decision.APPROVED or studio.id == challenge.poster_studio_id:
        raise NotAllowed(_l("This studio cannot claim this challenge."))
    return parts_of(user, challenge) | {Part.LEADER}


def claim_challenge(
    actor: Actor, challenge_id: int, studio_id: int, proposal: Proposal, now=None
) -> ChallengeClaim:
    """The studio's leader claims the open challenge with a proposal, before the deadline."""
    begin_writing()
    now = now or utcnow()
    challenge = get_challenge(challenge_id, lock=True)
    parts = _claiming_parts(actor, challenge, studio_id)
    existing = db.session.scalar(
        select(ChallengeClaim).where(
            ChallengeClaim.challenge_id == challenge.id, ChallengeClaim.studio_id == studio_id
        )
    )
    state = existing.state if existing else None
    guard("claim", parts, challenge.state, challenge.deadline, now, claim_state=state)
    values = _proposal(proposal)
    claim = existing or ChallengeClaim(challenge_id=challenge.id, studio_id=studio_id)
    for name, value in values.items():
        setattr(claim, name, value)
    claim.claimed_by_id, claim.claimed_at, claim.state = actor.user.id, now, ClaimState.ACTIVE
    claim.decided_at = None
    db.session.add(claim)
    db.session.flush()
    record(actor, "challenge.claim", claim, None, {"challenge_id": challenge.id} | values)
    notify(poster_users(challenge), "challenge.claimed", challenge, {"studio": claim.studio_id})
    return claim


def _claim_move(actor: Actor, action: str, claim_id: int, to: ClaimState, now=None):
    """Guard and make a move of one claim; returns it and its challenge."""
    begin_writing()
    now = now or utcnow()
    claim, challenge = get_claim(claim_id)
    parts = parts_of(actor.user, challenge, claim)
    guard(action, parts, challenge.state, challenge.deadline, now, claim_state=claim.state)
    before = {"state": str(claim.state)}
    claim.state, claim.decided_at = to, now
    db.session.flush()
    record(actor, f"challenge.{action}", claim, before, {"state": str(to)})
    return claim, challenge


def withdraw_claim(actor: Actor, claim_id: int, now: datetime | None = None) -> ChallengeClaim:
    """The claimant withdraws before the winners are selected."""
    claim, challenge = _claim_move(actor, "withdraw", claim_id, ClaimState.WITHDRAWN, now)
    notify(poster_users(challenge), "challenge.withdrawn", challenge, {"studio": claim.studio_id})
    return claim


def shortlist_claim(actor: Actor, claim_id: int, now: datetime | None = None) -> ChallengeClaim:
    """The poster shortlists a claim."""
    claim, challenge = _claim_move(actor, "shortlist", claim_id, ClaimState.SHORTLISTED, now)
    notify(claimant_users(challenge.id, [ClaimState.SHORTLISTED]), "challenge.shortlisted",
           challenge)  # fmt: skip
    return claim


def _milestones(plan: list[tuple[str, date]], today: date) -> list[tuple[str, date]]:
    """The milestones as set at selection: 1 to 12, titled, due from today on, in order."""
    if not plan or len(plan) > MAX_MILESTONES:
        raise DomainError(_l("Set 1 to 12 milestones for the winner."), "milestones")
    checked = []
    for title, due_on in plan:
        title = (title or "").strip()
        if not title or len(title) > MAX_MILESTONE_TITLE:
            raise DomainError(_l("Each milestone needs a title of at most 120 characters."),
                              "milestones")  # fmt: skip
        if not isinstance(due_on, date) or due_on < today:
            raise DomainError(_l("Each milestone is due today or later."), "milestones")
        checked.append((title, due_on))
    if [due for _title, due in checked] != sorted(due for _title, due in checked):
        raise DomainError(_l("List the milestones in the order they are due."), "milestones")
    return checked


def winners_of(challenge_id: int) -> int:
    """How many claims on the challenge are winners (selected, delivered or accepted)."""
    won = (ClaimState.SELECTED, ClaimState.DELIVERED, ClaimState.PASSED, ClaimState.FAILED)
    query = select(func.count(ChallengeClaim.id)).where(
        ChallengeClaim.challenge_id == challenge_id, ChallengeClaim.state.in_(won)
    )
    return db.session.scalar(query)


def select_winner(
    actor: Actor, claim_id: int, milestones: list[tuple[str, date]], now=None
) -> ChallengeClaim:
    """The poster selects a winner with its milestones; the last one wanted closes claiming."""
    now = now or utcnow()
    plan = _milestones(milestones, local_day(now, time_zone()))  # the union's day, not UTC's
    claim, challenge = _claim_move(actor, "select", claim_id, ClaimState.SELECTED, now)
    db.session.add_all(
        Milestone(claim_id=claim.id, position=n, title=title, due_on=due_on)
        for n, (title, due_on) in enumerate(plan, start=1)
    )
    db.session.flush()
    notify(claimant_users(challenge.id, [ClaimState.SELECTED]), "challenge.selected", challenge)
    if winners_of(challenge.id) >= challenge.winners_wanted:
        _close_claiming(actor, challenge, now)
    return claim


def _close_claiming(actor: Actor, challenge: Challenge, now: datetime) -> None:
    """Winners all chosen: the rest are not selected, and the challenge is in delivery."""
    others = list(
        db.session.scalars(
            select(ChallengeClaim).where(
                ChallengeClaim.challenge_id == challenge.id, ChallengeClaim.state.in_(LIVE)
            )
        )
    )
    for other in others:
        other.state, other.decided_at = ClaimState.NOT_SELECTED, now
    before = {"state": str(challenge.state)}
    challenge.state, challenge.selected_at = ChallengeState.SELECTED, now
    db.session.flush()
    record(actor, "challenge.select", challenge, before, {"state": str(challenge.state)})
    users = claimant_users(challenge.id, [ClaimState.NOT_SELECTED])
    notify(users, "challenge.not_selected", challenge)
