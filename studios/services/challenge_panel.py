"""The claims-and-delivery panel of a challenge's page, as one user sees it at one moment.

Everyone sees how many studios claimed, the winners with their milestones (overdue ones
flagged) and the verdicts, and the patents and achievements that came from the challenge; a
studio's members see their own claim; the poster and the alliance's admins see every claim.
Which buttons show is decided by the state machine (`challenge_flow.allowed`).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from guild.accounts.models import User
from guild.errors import DomainError
from studios.challenge_models import Challenge, ChallengeState, ClaimState, Milestone
from studios.services.challenge_access import is_insider
from studios.services.challenge_flow import Part, guard
from studios.services.challenge_work import (
    WON,
    ClaimView,
    acceptances_of,
    claim_actions,
    claim_counts,
    claims_of,
    is_overdue,
    led_studios,
    member_studio_ids,
    milestone_actions,
    milestones_of,
    publications_from,
    studio_names,
)
from studios.services.challenges import is_poster


@dataclass
class Panel:
    """What the panel shows and offers."""

    challenge: Challenge
    today: date
    counts: dict[str, int]
    is_poster: bool = False
    is_insider: bool = False
    can_claim: bool = False
    claim_refusal: str = ""  # why a studio leader cannot claim now
    mine: list[ClaimView] = field(default_factory=list)
    winners: list[ClaimView] = field(default_factory=list)
    patents: list = field(default_factory=list)
    achievements: list = field(default_factory=list)
    milestone_actions: dict[int, set[str]] = field(default_factory=dict)
    overdue: set[int] = field(default_factory=set)

    @property
    def mine_ids(self) -> set[int]:
        """The ids of the user's studios' claims."""
        return {view.claim.id for view in self.mine}

    @property
    def claim_total(self) -> int:
        """Every claim made, withdrawn ones aside."""
        return sum(n for state, n in self.counts.items() if state != ClaimState.WITHDRAWN)


def _views(user, challenge: Challenge, claims, now: datetime) -> list[ClaimView]:
    names = studio_names(claim.studio_id for claim in claims)
    milestones = milestones_of([claim.id for claim in claims])
    verdicts = acceptances_of(claim.id for claim in claims)
    return [
        ClaimView(
            claim,
            names.get(claim.studio_id, ""),
            milestones[claim.id],
            verdicts.get(claim.id),
            claim_actions(user, challenge, claim, now),
        )
        for claim in claims
    ]


def _claiming(panel: Panel, user: User | None, now: datetime) -> None:
    """Whether the user may claim now for a studio they lead, or why not."""
    challenge = panel.challenge
    if user is None or challenge.state != ChallengeState.OPEN:
        return
    studios = led_studios(user.id, challenge)
    if not studios:
        return
    claimed = {
        view.claim.studio_id for view in panel.mine if view.claim.state != ClaimState.WITHDRAWN
    }
    if all(studio.id in claimed for studio in studios):
        return
    try:
        guard("claim", {Part.LEADER}, challenge.state, challenge.deadline, now)
    except DomainError as refusal:
        panel.claim_refusal = str(refusal)
        return
    panel.can_claim = True


def build_panel(user: User | None, challenge: Challenge, now: datetime, today: date) -> Panel:
    """The panel of the challenge for the user (None: a visitor)."""
    panel = Panel(challenge, today, claim_counts(challenge.id))
    if user is not None:
        panel.is_poster = is_poster(user, challenge)
        panel.is_insider = is_insider(user, challenge)
        own = claims_of(challenge.id, member_studio_ids(user.id))
        panel.mine = _views(user, challenge, own, now)
    _claiming(panel, user, now)
    won = [c for c in claims_of(challenge.id) if c.state in WON]
    panel.winners = _views(user, challenge, won, now)
    by_claim = {view.claim.id: view.claim for view in panel.winners}
    for view in panel.winners:
        for milestone in view.milestones:
            panel.milestone_actions[milestone.id] = milestone_actions(
                user, challenge, by_claim[milestone.claim_id], milestone, now
            )
            if is_overdue(milestone, today):
                panel.overdue.add(milestone.id)
    panel.patents, panel.achievements = publications_from(challenge.id)
    return panel


def overdue_ids(milestones: list[Milestone], today: date) -> set[int]:
    """The ids of the milestones overdue today."""
    return {m.id for m in milestones if is_overdue(m, today)}
