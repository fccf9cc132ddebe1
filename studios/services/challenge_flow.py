"""The challenge board's one state machine: every transition, who may make it, and when.

A transition names the challenge states it starts from (and the claim or milestone states,
for actions on those), the state it leads to, the parts allowed to make it and whether it
must come before the claiming deadline. `guard` is the only check the services run before a
transition; `TRANSITIONS` is the whole rule book, and tests/test_challenge_flow.py walks every
(state, action, part) of it.

Parts: the poster (the enterprise contact of the posting enterprise, or the leader of the
posting studio), the reviewer (an admin of the challenge's alliance), the claimant (the
leader of the claiming studio) and a leader (of an approved studio, not the poster's, with no
live claim yet); anyone else is `other`.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from guild.audit.labels import label_values
from guild.errors import DomainError
from studios.challenge_models import ChallengeState, ClaimState, MilestoneState
from studios.services.access import NotAllowed

C, K, M = ChallengeState, ClaimState, MilestoneState


class Part(StrEnum):
    """The part an actor plays towards one challenge (or claim)."""

    POSTER = "poster"
    REVIEWER = "reviewer"
    CLAIMANT = "claimant"
    LEADER = "leader"
    OTHER = "other"


@dataclass(frozen=True)
class Transition:
    """One action: from which states, to which, by whom, and whether before the deadline."""

    parts: frozenset[Part]
    challenge_from: frozenset[ChallengeState]
    challenge_to: ChallengeState | None = None  # None: the challenge's state stays
    claim_from: frozenset[ClaimState | None] | None = None  # None: not an action on a claim
    claim_to: ClaimState | None = None
    milestone_from: frozenset[MilestoneState] | None = None
    milestone_to: MilestoneState | None = None
    before_deadline: bool = False


def _t(parts, challenge_from, **rest) -> Transition:
    return Transition(frozenset(parts), frozenset(challenge_from), **rest)


NO_CLAIM = None  # a studio that has never claimed (a withdrawn claim may claim again)
TRANSITIONS: dict[str, Transition] = {
    "edit": _t({Part.POSTER}, {C.DRAFT, C.REJECTED}),
    "submit": _t({Part.POSTER}, {C.DRAFT, C.REJECTED}, challenge_to=C.SUBMITTED,
                 before_deadline=True),
    "approve": _t({Part.REVIEWER}, {C.SUBMITTED}, challenge_to=C.OPEN, before_deadline=True),
    "reject": _t({Part.REVIEWER}, {C.SUBMITTED}, challenge_to=C.REJECTED),
    "cancel": _t({Part.POSTER}, {C.DRAFT, C.SUBMITTED, C.REJECTED, C.OPEN},
                 challenge_to=C.CANCELLED),
    "claim": _t({Part.LEADER}, {C.OPEN}, claim_from=frozenset({NO_CLAIM, K.WITHDRAWN}),
                claim_to=K.ACTIVE, before_deadline=True),
    "withdraw": _t({Part.CLAIMANT}, {C.OPEN}, claim_from=frozenset({K.ACTIVE, K.SHORTLISTED}),
                   claim_to=K.WITHDRAWN),
    "shortlist": _t({Part.POSTER}, {C.OPEN}, claim_from=frozenset({K.ACTIVE}),
                    claim_to=K.SHORTLISTED),
    # The last winner wanted moves the challenge to SELECTED (the services decide which).
    "select": _t({Part.POSTER}, {C.OPEN}, claim_from=frozenset({K.ACTIVE, K.SHORTLISTED}),
                 claim_to=K.SELECTED),
    "report": _t({Part.CLAIMANT}, {C.SELECTED}, claim_from=frozenset({K.SELECTED}),
                 milestone_from=frozenset({M.PENDING, M.REPORTED}),
                 milestone_to=M.REPORTED),
    # Confirming the last milestone makes the claim DELIVERED (the services do).
    "confirm": _t({Part.POSTER}, {C.SELECTED}, claim_from=frozenset({K.SELECTED}),
                  milestone_from=frozenset({M.REPORTED}), milestone_to=M.CONFIRMED),
    # PASSED or FAILED by the verdict; the last verdict finishes the challenge.
    "accept": _t({Part.POSTER}, {C.SELECTED}, claim_from=frozenset({K.DELIVERED})),
}  # fmt: skip

PART_REFUSALS = {
    Part.POSTER: _l("Only the challenge's poster may do this."),
    Part.REVIEWER: _l("Only an admin of the challenge's alliance may review it."),
    Part.CLAIMANT: _l("Only the leader of the claiming studio may do this."),
    Part.LEADER: _l("Only the leader of an approved studio may claim a challenge."),
}
NOT_NOW = _l("This cannot be done while the challenge is %(state)s.")
CLAIM_NOT_NOW = _l("This cannot be done to a claim that is %(state)s.")
MILESTONE_NOT_NOW = _l("This cannot be done to a milestone that is %(state)s.")
PAST_DEADLINE = _l("The challenge's deadline has passed.")

STATE_LABELS = {
    C.DRAFT: _l("a draft"),
    C.SUBMITTED: _l("waiting for review"),
    C.REJECTED: _l("rejected"),
    C.OPEN: _l("open"),
    C.CANCELLED: _l("cancelled"),
    C.SELECTED: _l("in delivery"),
    C.FINISHED: _l("finished"),
}
CLAIM_LABELS = {
    None: _l("not made"),
    K.ACTIVE: _l("active"),
    K.WITHDRAWN: _l("withdrawn"),
    K.SHORTLISTED: _l("shortlisted"),
    K.SELECTED: _l("selected"),
    K.NOT_SELECTED: _l("not selected"),
    K.DELIVERED: _l("delivered"),
    K.PASSED: _l("passed"),
    K.FAILED: _l("failed"),
}
MILESTONE_LABELS = {
    M.PENDING: _l("pending"),
    M.REPORTED: _l("reported"),
    M.CONFIRMED: _l("confirmed"),
}

# The audit log names the states a challenge, a claim and a milestone (its claim) record.
label_values("Challenge", {"state": STATE_LABELS})
label_values("ChallengeClaim", {"state": CLAIM_LABELS})
label_values("Milestone", {"claim": CLAIM_LABELS})


def guard(
    action: str,
    parts: set[Part],
    challenge_state: ChallengeState,
    deadline: datetime,
    now: datetime,
    claim_state: ClaimState | None = None,
    milestone_state: MilestoneState | None = None,
) -> Transition:
    """The transition, if these parts may make it now; else the reason, as a DomainError.

    The part is checked first (NotAllowed: views answer 403), then the states, then time.
    """
    rule = TRANSITIONS[action]
    if not parts & rule.parts:
        raise NotAllowed(PART_REFUSALS[min(rule.parts)])
    if challenge_state not in rule.challenge_from:
        raise DomainError(NOT_NOW % {"state": STATE_LABELS[challenge_state]}, "state")
    if rule.claim_from is not None and claim_state not in rule.claim_from:
        raise DomainError(CLAIM_NOT_NOW % {"state": CLAIM_LABELS[claim_state]}, "state")
    if rule.milestone_from is not None and milestone_state not in rule.milestone_from:
        label = MILESTONE_LABELS.get(milestone_state, "")
        raise DomainError(MILESTONE_NOT_NOW % {"state": label}, "state")
    if rule.before_deadline and now >= deadline:
        raise DomainError(PAST_DEADLINE, "deadline")
    return rule


def allowed(action: str, parts: set[Part], challenge_state, deadline, now, **states) -> bool:
    """Tell whether guard() lets the action through (for showing buttons)."""
    try:
        guard(action, parts, challenge_state, deadline, now, **states)
    except DomainError:
        return False
    return True
