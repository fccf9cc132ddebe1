"""What a person's challenge dashboard shows, and a challenge's timeline.

The dashboard: the challenges the person posts (for their enterprise as its contact, or for a
studio they lead), the claims of the studios they belong to, the challenges waiting for their
review as an alliance admin, and the unconfirmed milestones past due among all of those.
The timeline: the challenge's own columns and audit rows, its claims, milestones and verdicts,
in time order; the public sees the public steps only.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select

from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.extensions import db
from studios.challenge_models import (
    Acceptance,
    Challenge,
    ChallengeClaim,
    ChallengeState,
    ClaimState,
    Milestone,
    MilestoneState,
)
from studios.models import AllianceAdmin, Decision, MemberRole, MemberStatus, Studio, StudioMember

SHOWN = 50  # rows per dashboard section
INSIDER_ACTIONS = ("challenge.create", "challenge.submit", "challenge.reject", "challenge.cancel")
PUBLIC_ACTIONS = ("challenge.approve",)
DECIDED = {
    ClaimState.WITHDRAWN: "claim_withdrawn",
    ClaimState.SHORTLISTED: "claim_shortlisted",
    ClaimState.NOT_SELECTED: "claim_not_selected",
}  # the other decided states were selected first


def led_studio_ids(user_id: int) -> list[int]:
    """The approved studios the person leads."""
    query = (
        select(StudioMember.studio_id)
        .join(Studio, Studio.id == StudioMember.studio_id)
        .where(
            StudioMember.user_id == user_id,
            StudioMember.role == MemberRole.LEADER,
            StudioMember.status == MemberStatus.ACTIVE,
            Studio.status == Decision.APPROVED,
        )
    )
    return list(db.session.scalars(query))


def member_studio_ids(user_id: int) -> list[int]:
    """The studios the person is an active member of (any role)."""
    query = select(StudioMember.studio_id).where(
        StudioMember.user_id == user_id, StudioMember.status == MemberStatus.ACTIVE
    )
    return list(db.session.scalars(query))


def admin_alliance_ids(user_id: int) -> list[int]:
    """The alliances the person administers."""
    query = select(AllianceAdmin.alliance_id).where(AllianceAdmin.user_id == user_id)
    return list(db.session.scalars(query))


def _posted_clause(user: User):
    clauses = []
    if user.has_role(Role.ENTERPRISE_CONTACT) and user.enterprise_id:
        clauses.append(Challenge.poster_enterprise_id == user.enterprise_id)
    studios = led_studio_ids(user.id)
    if studios:
        clauses.append(Challenge.poster_studio_id.in_(studios))
    return or_(*clauses) if clauses else None


def posted_by(user: User, limit: int = SHOWN) -> list[Challenge]:
    """The challenges the person speaks for as poster, newest first."""
    clause = _posted_clause(user)
    if clause is None:
        return []
    query = select(Challenge).where(clause).order_by(Challenge.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def claims_of(user: User, limit: int = SHOWN) -> list[tuple[ChallengeClaim, Challenge, str]]:
    """The claims of the person's studios, with their challenges and studio names."""
    studios = member_studio_ids(user.id)
    if not studios:
        return []
    query = (
        select(ChallengeClaim, Challenge, Studio.name)
        .join(Challenge, Challenge.id == ChallengeClaim.challenge_id)
        .join(Studio, Studio.id == ChallengeClaim.studio_id)
        .where(ChallengeClaim.studio_id.in_(studios))
        .order_by(ChallengeClaim.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(query)]


def review_queue(user: User, limit: int = SHOWN) -> list[Challenge]:
    """The submitted challenges waiting for the person's review, oldest submission first."""
    alliances = admin_alliance_ids(user.id)
    if not alliances:
        return []
    query = (
        select(Challenge)
        .where(Challenge.state == ChallengeState.SUBMITTED, Challenge.alliance_id.in_(alliances))
        .order_by(Challenge.submitted_at, Challenge.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def overdue_for(user: User, today: date, limit: int = SHOWN) -> list[tuple[Milestone, Challenge]]:
    """Unconfirmed milestones past due on challenges the person posts or their studios claim."""
    concerns = []
    posted = _posted_clause(user)
    if posted is not None:
        concerns.append(posted)
    studios = member_studio_ids(user.id)
    if studios:
        concerns.append(ChallengeClaim.studio_id.in_(studios))
    if not concerns:
        return []
    query = (
        select(Milestone, Challenge)
        .join(ChallengeClaim, ChallengeClaim.id == Milestone.claim_id)
        .join(Challenge, Challenge.id == ChallengeClaim.challenge_id)
        .where(
            Milestone.state != MilestoneState.CONFIRMED,
            Milestone.due_on < today,
            Challenge.state == ChallengeState.SELECTED,
            or_(*concerns),
        )
        .order_by(Milestone.due_on, Milestone.id)
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(query)]


@dataclass(frozen=True)
class Step:
    """One line of a timeline: when, what (a key the page words), and details."""

    at: datetime
    what: str
    detail: str = ""


def _audit_steps(challenge: Challenge, insider: bool) -> list[Step]:
    actions = PUBLIC_ACTIONS + (INSIDER_ACTIONS if insider else ())
    query = (
        select(AuditEntry.created_at, AuditEntry.action, AuditEntry.after)
        .where(
            AuditEntry.action.in_(actions),
            AuditEntry.object_type == "Challenge",
            AuditEntry.object_id == str(challenge.id),
        )
        .order_by(AuditEntry.id)
    )
    steps = []
    for at, action, after in db.session.execute(query):
        reason = (after or {}).get("reason", "") if action == "challenge.reject" else ""
        steps.append(Step(at, action.removeprefix("challenge."), reason))
    return steps


def _claim_steps(challenge: Challenge) -> list[Step]:
    query = (
        select(ChallengeClaim, Studio.name)
        .join(Studio, Studio.id == ChallengeClaim.studio_id)
        .where(ChallengeClaim.challenge_id == challenge.id)
        .order_by(ChallengeClaim.id)
    )
    steps, claims = [], []
    for claim, name in db.session.execute(query):
        claims.append(claim.id)
        steps.append(Step(claim.claimed_at, "claimed", name))
        if claim.decided_at is not None:
            steps.append(Step(claim.decided_at, DECIDED.get(claim.state, "claim_selected"), name))
        if claim.delivered_at is not None:
            steps.append(Step(claim.delivered_at, "delivered", name))
    if not claims:
        return steps
    milestones = select(Milestone).where(Milestone.claim_id.in_(claims)).order_by(Milestone.id)
    for milestone in db.session.scalars(milestones):
        if milestone.reported_at is not None:
            steps.append(Step(milestone.reported_at, "milestone_reported", milestone.title))
        if milestone.confirmed_at is not None:
            steps.append(Step(milestone.confirmed_at, "milestone_confirmed", milestone.title))
    verdicts = select(Acceptance).where(Acceptance.claim_id.in_(claims))
    for verdict in db.session.scalars(verdicts):
        what = "accepted_passed" if verdict.passed else "accepted_failed"
        steps.append(Step(verdict.recorded_at, what, str(verdict.rating)))
    return steps


def timeline(challenge: Challenge, insider: bool) -> list[Step]:
    """The challenge's steps in time order (insiders also see drafting, review and refusal)."""
    steps = _audit_steps(challenge, insider)
    if challenge.state != ChallengeState.DRAFT or insider:
        steps += _claim_steps(challenge)
    for at, what in ((challenge.selected_at, "selected"), (challenge.finished_at, "finished")):
        if at is not None:
            steps.append(Step(at, what))
    return sorted(steps, key=lambda step: step.at)
