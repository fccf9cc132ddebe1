"""Challenge claims and deliveries per studio, for the activity report and the evaluation.

A claim counts in the period it was made in (withdrawn claims do not count); a delivery counts
in the period its acceptance passed it.
"""

from datetime import date

from sqlalchemy import func, select

from guild.extensions import db
from studios.challenge_models import Acceptance, ChallengeClaim, ClaimState
from studios.services.periods import Period

CHALLENGE_KINDS = ("claims", "delivered")


def challenge_counts(studio_ids: list[int], start: date, end: date) -> dict[int, dict[str, int]]:
    """Claims made and challenges delivered (accepted as passed) by each studio in the days."""
    counts = {studio_id: dict.fromkeys(CHALLENGE_KINDS, 0) for studio_id in studio_ids}
    if not studio_ids:
        return counts
    since, until = Period(start, end).utc_bounds()
    claims = (
        select(ChallengeClaim.studio_id, func.count(ChallengeClaim.id))
        .where(
            ChallengeClaim.studio_id.in_(studio_ids),
            ChallengeClaim.state != ClaimState.WITHDRAWN,
            ChallengeClaim.claimed_at >= since,
            ChallengeClaim.claimed_at < until,
        )
        .group_by(ChallengeClaim.studio_id)
    )
    delivered = (
        select(ChallengeClaim.studio_id, func.count(Acceptance.claim_id))
        .join(Acceptance, Acceptance.claim_id == ChallengeClaim.id)
        .where(
            ChallengeClaim.studio_id.in_(studio_ids),
            Acceptance.passed.is_(True),
            Acceptance.recorded_at >= since,
            Acceptance.recorded_at < until,
        )
        .group_by(ChallengeClaim.studio_id)
    )
    for kind, query in (("claims", claims), ("delivered", delivered)):
        for studio_id, number in db.session.execute(query):
            counts[studio_id][kind] = number
    return counts
