"""Who may see a challenge, a claim's files or a report's files.

Open, selected and finished challenges are public; drafts, submitted, rejected and cancelled
ones only to the poster and the admins of the reviewing alliance (NotFound for anyone else,
so their existence does not leak). A claim's and a milestone report's files are seen by the
poster, the reviewing admins and the members of the claiming studio.
"""

from flask_babel import lazy_gettext as _l

from guild.accounts.models import User
from studios.challenge_models import Challenge, ChallengeClaim, ChallengeState
from studios.services.access import NotFound, is_alliance_admin, studio_role
from studios.services.challenges import get_challenge, is_poster

PUBLIC_STATES = frozenset({ChallengeState.OPEN, ChallengeState.SELECTED, ChallengeState.FINISHED})


def is_insider(user: User | None, challenge: Challenge) -> bool:
    """The poster or an admin of the reviewing alliance."""
    if user is None:
        return False
    return is_poster(user, challenge) or is_alliance_admin(user.id, challenge.alliance_id)


def can_view(user: User | None, challenge: Challenge) -> bool:
    """Whether the user may see the challenge's page."""
    return challenge.state in PUBLIC_STATES or is_insider(user, challenge)


def visible_challenge(user: User | None, challenge_id: int) -> Challenge:
    """The challenge if the user may see it; NotFound otherwise (no leak of hidden ones)."""
    challenge = get_challenge(challenge_id)
    if not can_view(user, challenge):
        raise NotFound(_l("There is no such challenge."))
    return challenge


def can_view_claim(user: User | None, challenge: Challenge, claim: ChallengeClaim) -> bool:
    """Whether the user may see a claim's proposal files and its reports' files."""
    if user is None:
        return False
    if studio_role(user.id, claim.studio_id) is not None:
        return True
    return is_insider(user, challenge)
