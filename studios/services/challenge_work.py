"""What the claim, selection, delivery and acceptance pages read: claims with their studios,
milestones, reports, files, verdicts, the published results and publications from a challenge.

Read-only: the changes are in `challenge_claims` and `challenge_delivery`. Who sees what:
the poster and the alliance's admins see every claim; a studio's members see their own
studio's claim; everyone sees the winners, their milestones and the published verdicts.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from guild.accounts.models import Enterprise, User
from guild.extensions import MAX_ID, db
from studios.challenge_models import (
    Acceptance,
    Challenge,
    ChallengeClaim,
    ChallengeFile,
    ChallengeState,
    ClaimState,
    Milestone,
    MilestoneReport,
    MilestoneState,
)
from studios.models import Decision, MemberRole, MemberStatus, Studio, StudioMember
from studios.publication_models import Achievement, Patent
from studios.services.access import NotFound
from studios.services.challenge_access import can_view_claim
from studios.services.challenge_flow import allowed
from studios.services.challenges import get_challenge, parts_of

WON = (ClaimState.SELECTED, ClaimState.DELIVERED, ClaimState.PASSED, ClaimState.FAILED)
LIVE = (ClaimState.ACTIVE, ClaimState.SHORTLISTED)


@dataclass
class ClaimView:
    """A claim as a page shows it: the studio's name, milestones and what the user may do."""

    claim: ChallengeClaim
    studio_name: str
    milestones: list[Milestone] = field(default_factory=list)
    acceptance: Acceptance | None = None
    actions: set[str] = field(default_factory=set)
    can_see: bool = False  # the proposal, the reports and the files


def studio_names(studio_ids) -> dict[int, str]:
    """The names of the studios."""
    ids = set(studio_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Studio.id, Studio.name).where(Studio.id.in_(ids)))
    return {row.id: row.name for row in rows}


def poster_name(challenge: Challenge) -> str:
    """The posting enterprise's or studio's name."""
    if challenge.poster_studio_id is not None:
        return db.session.get(Studio, challenge.poster_studio_id).name
    return db.session.get(Enterprise, challenge.poster_enterprise_id).name


def member_studio_ids(user_id: int | None) -> set[int]:
    """The studios the user is an active member of."""
    if user_id is None:
        return set()
    query = select(StudioMember.studio_id).where(
        StudioMember.user_id == user_id, StudioMember.status == MemberStatus.ACTIVE
    )
    return set(db.session.scalars(query))


def led_studios(user_id: int | None, challenge: Challenge) -> list[Studio]:
    """The approved studios the user leads that may claim the challenge (not the poster)."""
    if user_id is None:
        return []
    query = (
        select(Studio)
        .join(StudioMember, StudioMember.studio_id == Studio.id)
        .where(
            StudioMember.user_id == user_id,
            StudioMember.role == MemberRole.LEADER,
            StudioMember.status == MemberStatus.ACTIVE,
            Studio.status == Decision.APPROVED,
        )
        .order_by(Studio.name)
    )
    return [s for s in db.session.scalars(query) if s.id != challenge.poster_studio_id]


def claims_of(challenge_id: int, studio_ids: set[int] | None = None) -> list[ChallengeClaim]:
    """The claims on the challenge (of these studios, if given), oldest first."""
    query = select(ChallengeClaim).where(ChallengeClaim.challenge_id == challenge_id)
    if studio_ids is not None:
        query = query.where(ChallengeClaim.studio_id.in_(studio_ids))
    return list(db.session.scalars(query.order_by(ChallengeClaim.claimed_at, ChallengeClaim.id)))


def claim_counts(challenge_id: int) -> dict[str, int]:
    """How many claims on the challenge are in each state."""
    query = (
        select(ChallengeClaim.state, func.count(ChallengeClaim.id))
        .where(ChallengeClaim.challenge_id == challenge_id)
        .group_by(ChallengeClaim.state)
    )
    return {str(state): count for state, count in db.session.execute(query)}


def milestones_of(claim_ids) -> dict[int, list[Milestone]]:
    """Each claim's milestones, in order."""
    found: dict[int, list[Milestone]] = {claim_id: [] for claim_id in claim_ids}
    if not found:
        return found
    query = select(Milestone).where(Milestone.claim_id.in_(found)).order_by(Milestone.position)
    for milestone in db.session.scalars(query):
        found[milestone.claim_id].append(milestone)
    return found


def acceptances_of(claim_ids) -> dict[int, Acceptance]:
    """The verdicts recorded on the claims."""
    ids = set(claim_ids)
    if not ids:
        return {}
    query = select(Acceptance).where(Acceptance.claim_id.in_(ids))
    return {acceptance.claim_id: acceptance for acceptance in db.session.scalars(query)}


def reports_of(milestone_ids) -> dict[int, list[MilestoneReport]]:
    """Each milestone's progress reports, oldest first."""
    found: dict[int, list[MilestoneReport]] = {mid: [] for mid in milestone_ids}
    if not found:
        return found
    query = (
        select(MilestoneReport)
        .where(MilestoneReport.milestone_id.in_(found))
        .order_by(MilestoneReport.reported_at, MilestoneReport.id)
    )
    for report in db.session.scalars(query):
        found[report.milestone_id].append(report)
    return found


def claim_files(claim_id: int) -> list[ChallengeFile]:
    """The files attached to the claim's proposal."""
    query = select(ChallengeFile).where(ChallengeFile.claim_id == claim_id)
    return list(db.session.scalars(query.order_by(ChallengeFile.id)))


def report_files(report_ids) -> dict[int, list[ChallengeFile]]:
    """The files attached to each report."""
    found: dict[int, list[ChallengeFile]] = {rid: [] for rid in report_ids}
    if not found:
        return found
    query = select(ChallengeFile).where(ChallengeFile.report_id.in_(found))
    for item in db.session.scalars(query.order_by(ChallengeFile.id)):
        found[item.report_id].append(item)
    return found


def may_see_claim(user: User | None, challenge: Challenge, claim: ChallengeClaim) -> bool:
    """Whether the user may read the claim's proposal, reports and files."""
    return can_view_claim(user, challenge, claim)


def visible_claim(user: User | None, claim_id: int) -> tuple[ChallengeClaim, Challenge]:
    """The claim and its challenge, if the user may read it; NotFound otherwise (no lock)."""
    claim = db.session.get(ChallengeClaim, claim_id) if 0 < claim_id <= MAX_ID else None
    if claim is None:
        raise NotFound(_l("There is no such claim."))
    challenge = get_challenge(claim.challenge_id)
    if not may_see_claim(user, challenge, claim):
        raise NotFound(_l("There is no such claim."))
    return claim, challenge


def visible_milestone(user: User | None, milestone_id: int):
    """The milestone, its claim and challenge, if the user may read the claim; else NotFound."""
    milestone = db.session.get(Milestone, milestone_id) if 0 < milestone_id <= MAX_ID else None
    if milestone is None:
        raise NotFound(_l("There is no such milestone."))
    claim, challenge = visible_claim(user, milestone.claim_id)
    return milestone, claim, challenge


def claim_actions(user, challenge: Challenge, claim: ChallengeClaim, now: datetime) -> set[str]:
    """The claim's actions the user may take now (the state machine decides)."""
    parts = parts_of(user, challenge, claim)
    states = {"claim_state": claim.state}
    return {
        action
        for action in ("withdraw", "shortlist", "select", "accept")
        if allowed(action, parts, challenge.state, challenge.deadline, now, **states)
    }


def milestone_actions(user, challenge, claim, milestone: Milestone, now: datetime) -> set[str]:
    """The milestone's actions the user may take now: report, confirm."""
    parts = parts_of(user, challenge, claim)
    states = {"claim_state": claim.state, "milestone_state": milestone.state}
    return {
        action
        for action in ("report", "confirm")
        if allowed(action, parts, challenge.state, challenge.deadline, now, **states)
    }


def claim_view(user, challenge: Challenge, claim: ChallengeClaim, now: datetime) -> ClaimView:
    """One claim as shown, with its milestones, verdict and the user's actions."""
    view = ClaimView(claim, studio_names([claim.studio_id]).get(claim.studio_id, ""))
    view.milestones = milestones_of([claim.id])[claim.id]
    view.acceptance = acceptances_of([claim.id]).get(claim.id)
    view.actions = claim_actions(user, challenge, claim, now)
    view.can_see = may_see_claim(user, challenge, claim)
    return view


def is_overdue(milestone: Milestone, today: date) -> bool:
    """A milestone past its due date and not yet confirmed."""
    return milestone.state != MilestoneState.CONFIRMED and milestone.due_on < today


def publications_from(challenge_id: int) -> tuple[list, list]:
    """The patents and achievements that name the challenge as their origin, newest first."""
    patents = db.session.execute(
        select(Patent.id, Patent.studio_id, Patent.title, Studio.name)
        .join(Studio, Studio.id == Patent.studio_id)
        .where(Patent.challenge_id == challenge_id, Studio.status == Decision.APPROVED)
        .order_by(Patent.id.desc())
    ).all()
    achievements = db.session.execute(
        select(Achievement.id, Achievement.studio_id, Achievement.title, Studio.name)
        .join(Studio, Studio.id == Achievement.studio_id)
        .where(Achievement.challenge_id == challenge_id, Studio.status == Decision.APPROVED)
        .order_by(Achievement.id.desc())
    ).all()
    return list(patents), list(achievements)


@dataclass
class Result:
    """A published result: a challenge with a passed delivery."""

    challenge: Challenge
    poster: str
    winners: list[str]
    accepted_at: datetime
    rating: int


def published_results(page: int, per_page: int):
    """The challenges with a passed delivery, latest accepted first, paginated."""
    accepted = (
        select(
            ChallengeClaim.challenge_id.label("challenge_id"),
            func.max(Acceptance.recorded_at).label("accepted_at"),
        )
        .join(Acceptance, Acceptance.claim_id == ChallengeClaim.id)
        .where(ChallengeClaim.state == ClaimState.PASSED)
        .group_by(ChallengeClaim.challenge_id)
        .subquery()
    )
    query = (
        select(Challenge, accepted.c.accepted_at)
        .join(accepted, accepted.c.challenge_id == Challenge.id)
        .where(Challenge.state.in_((ChallengeState.SELECTED, ChallengeState.FINISHED)))
        .order_by(accepted.c.accepted_at.desc(), Challenge.id.desc())
    )
    pages = db.paginate(query, page=page, per_page=per_page, error_out=False)
    pages.results = _results(pages.items)
    return pages


def _results(rows) -> list[Result]:
    challenge_ids = [row.id for row in rows]
    passed = db.session.execute(
        select(ChallengeClaim.challenge_id, Studio.name, Acceptance.rating, Acceptance.recorded_at)
        .join(Studio, Studio.id == ChallengeClaim.studio_id)
        .join(Acceptance, Acceptance.claim_id == ChallengeClaim.id)
        .where(
            ChallengeClaim.challenge_id.in_(challenge_ids),
            ChallengeClaim.state == ClaimState.PASSED,
        )
        .order_by(Studio.name)
    ).all()
    results = []
    for challenge in rows:
        mine = [row for row in passed if row.challenge_id == challenge.id]
        best = max((row.rating for row in mine), default=0)
        accepted_at = max((row.recorded_at for row in mine), default=challenge.updated_at)
        results.append(
            Result(challenge, poster_name(challenge), [r.name for r in mine], accepted_at, best)
        )
    return results
