"""Delivering a challenge: milestone reports, the poster's confirmations, and acceptance (验收).

A winner reports progress on each milestone; the poster confirms it; once every milestone is
confirmed the claim is delivered, and the poster records the verdict, a rating of 1 to 5 and
comments, optionally with an expert panel. A passed claim publishes the challenge's result
with its benefit; the last verdict finishes the challenge.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.money import yuan_to_fen
from guild.timeutil import utcnow
from guild.transactions import begin_writing
from studios.challenge_models import (
    Acceptance,
    Challenge,
    ChallengeClaim,
    ChallengeState,
    ClaimState,
    Milestone,
    MilestoneReport,
    MilestoneState,
)
from studios.services.access import NotFound
from studios.services.challenge_claims import get_claim
from studios.services.challenge_flow import guard
from studios.services.challenges import (
    MAX_TEXT,
    MOST_REWARD_YUAN,
    claimant_users,
    parts_of,
    poster_users,
)
from studios.services.notifications import notify

MAX_EXPERTS, MAX_NAME = 10, 30

label_actions(
    {
        "challenge.report": _l("Challenge milestone reported"),
        "challenge.confirm": _l("Challenge milestone confirmed"),
        "challenge.accept": _l("Challenge delivery accepted or failed"),
    }
)


@dataclass(frozen=True)
class Verdict:
    """The acceptance of a delivery: passed or not, a rating 1–5, comments and experts."""

    passed: bool
    rating: int
    comments: str = ""
    experts: tuple[str, ...] = ()
    benefit_yuan: str = "0"  # the economic benefit published with a passed result


def _milestone(milestone_id: int) -> tuple[Milestone, ChallengeClaim, Challenge]:
    found = db.session.get(Milestone, milestone_id) if 0 < milestone_id <= MAX_ID else None
    if found is None:
        raise NotFound(_l("There is no such milestone."))
    claim, challenge = get_claim(found.claim_id)
    db.session.refresh(found)
    return found, claim, challenge


def _guard(action: str, actor: Actor, milestone, claim, challenge, now: datetime) -> None:
    guard(
        action,
        parts_of(actor.user, challenge, claim),
        challenge.state,
        challenge.deadline,
        now,
        claim_state=claim.state,
        milestone_state=milestone.state,
    )


def report_milestone(actor: Actor, milestone_id: int, text: str, now=None) -> MilestoneReport:
    """The winner reports progress on a milestone (again, if need be, until confirmed)."""
    begin_writing()
    now = now or utcnow()
    milestone, claim, challenge = _milestone(milestone_id)
    _guard("report", actor, milestone, claim, challenge, now)
    body = (text or "").strip()
    if not body or len(body) > MAX_TEXT:
        raise DomainError(_l("Report the progress in 1 to 5000 characters."), "text")
    report = MilestoneReport(milestone_id=milestone.id, text=body, reported_by_id=actor.user.id)
    milestone.state, milestone.reported_at = MilestoneState.REPORTED, now
    db.session.add(report)
    db.session.flush()
    record(actor, "challenge.report", milestone, None, {"claim_id": claim.id, "text": body})
    notify(poster_users(challenge), "challenge.reported", challenge, {"milestone": milestone.title})
    return report


def confirm_milestone(actor: Actor, milestone_id: int, now=None) -> Milestone:
    """The poster confirms a reported milestone; the last one makes the claim delivered."""
    begin_writing()
    now = now or utcnow()
    milestone, claim, challenge = _milestone(milestone_id)
    _guard("confirm", actor, milestone, claim, challenge, now)
    milestone.state, milestone.confirmed_at = MilestoneState.CONFIRMED, now
    milestone.confirmed_by_id = actor.user.id
    db.session.flush()
    open_ones = select(Milestone.id).where(
        Milestone.claim_id == claim.id, Milestone.state != MilestoneState.CONFIRMED
    )
    if db.session.scalar(open_ones.limit(1)) is None:
        claim.state, claim.delivered_at = ClaimState.DELIVERED, now
        db.session.flush()
    record(actor, "challenge.confirm", milestone, None, {"claim": str(claim.state)})
    notify(claimant_users(challenge.id, [claim.state]), "challenge.confirmed", challenge,
           {"milestone": milestone.title})  # fmt: skip
    return milestone


def _verdict(verdict: Verdict) -> dict:
    if not isinstance(verdict.passed, bool):
        raise DomainError(_l("Choose whether the delivery passed."), "passed")
    rating = verdict.rating
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise DomainError(_l("Rate the delivery from 1 to 5."), "rating")
    comments = (verdict.comments or "").strip()
    if len(comments) > MAX_TEXT:
        raise DomainError(_l("At most %(most)d characters.", most=MAX_TEXT), "comments")
    experts = [name.strip() for name in verdict.experts if name and name.strip()]
    if len(experts) > MAX_EXPERTS or any(len(name) > MAX_NAME for name in experts):
        raise DomainError(_l("Name at most 10 experts, 30 characters each."), "experts")
    benefit = yuan_to_fen(verdict.benefit_yuan, "benefit_yuan", MOST_REWARD_YUAN)
    return {"passed": verdict.passed, "rating": rating, "comments": comments,
            "experts": experts, "benefit_fen": benefit}  # fmt: skip


def accept_delivery(actor: Actor, claim_id: int, verdict: Verdict, now=None) -> Acceptance:
    """The poster's verdict on a delivered claim; a pass publishes the result."""
    begin_writing()
    now = now or utcnow()
    claim, challenge = get_claim(claim_id)
    parts = parts_of(actor.user, challenge, claim)
    guard("accept", parts, challenge.state, challenge.deadline, now, claim_state=claim.state)
    values = _verdict(verdict)
    acceptance = Acceptance(claim_id=claim.id, recorded_by_id=actor.user.id, **values)
    db.session.add(acceptance)
    claim.state = ClaimState.PASSED if verdict.passed else ClaimState.FAILED
    if verdict.passed:
        challenge.benefit_fen = (challenge.benefit_fen or 0) + values["benefit_fen"]
        challenge.result_summary = challenge.result_summary or values["comments"]
    db.session.flush()
    record(actor, "challenge.accept", claim, None, values | {"state": str(claim.state)})
    notify(claimant_users(challenge.id, [claim.state]), f"challenge.{claim.state}", challenge)
    _finish_if_decided(challenge, now)
    return acceptance


def _finish_if_decided(challenge: Challenge, now: datetime) -> None:
    """Every winner's delivery decided: the challenge is finished."""
    waiting = select(ChallengeClaim.id).where(
        ChallengeClaim.challenge_id == challenge.id,
        ChallengeClaim.state.in_((ClaimState.SELECTED, ClaimState.DELIVERED)),
    )
    if db.session.scalar(waiting.limit(1)) is None:
        challenge.state, challenge.finished_at = ChallengeState.FINISHED, now
        db.session.flush()


def overdue_milestones(challenge_id: int, today: date) -> list[Milestone]:
    """The challenge's milestones past their due date and not yet confirmed."""
    query = (
        select(Milestone)
        .join(ChallengeClaim, ChallengeClaim.id == Milestone.claim_id)
        .where(
            ChallengeClaim.challenge_id == challenge_id,
            Milestone.state != MilestoneState.CONFIRMED,
            Milestone.due_on < today,
        )
        .order_by(Milestone.due_on, Milestone.id)
    )
    return list(db.session.scalars(query))
