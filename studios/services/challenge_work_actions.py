"""A claim or a milestone report together with its files, in one transaction.

The claim (or report) is made first, then each file is attached to it: a refused file rolls
the whole request back, so a proposal is never stored without the files it was sent with.
"""

from collections.abc import Sequence

from guild.audit.services import Actor
from guild.extensions import db
from guild.storage import storage
from studios.challenge_models import ChallengeClaim, Milestone, MilestoneReport
from studios.services.challenge_claims import Proposal, claim_challenge
from studios.services.challenge_delivery import report_milestone
from studios.services.challenge_files import AREA, Upload, attach_file


def claim_with_files(
    actor: Actor, challenge_id: int, studio_id: int, proposal: Proposal, uploads: Sequence[Upload]
) -> ChallengeClaim:
    """The studio's leader claims the challenge with a proposal and its attachments."""
    claim = claim_challenge(actor, challenge_id, studio_id, proposal)
    _attach_all(actor, challenge_id, uploads, claim_id=claim.id)
    return claim


def report_with_files(
    actor: Actor, milestone_id: int, text: str, uploads: Sequence[Upload]
) -> MilestoneReport:
    """The winner reports progress on a milestone, with its files."""
    report = report_milestone(actor, milestone_id, text)
    milestone = db.session.get(Milestone, report.milestone_id)
    claim = db.session.get(ChallengeClaim, milestone.claim_id)
    _attach_all(actor, claim.challenge_id, uploads, report_id=report.id)
    return report


def _attach_all(actor: Actor, challenge_id: int, uploads: Sequence[Upload], **owner) -> None:
    """Attach every file; on a refusal, the ones already stored are deleted again."""
    stored: list[str] = []
    try:
        for upload in uploads:
            stored.append(attach_file(actor, challenge_id, upload, **owner).storage_key)
    except BaseException:
        for key in stored:
            storage(AREA).delete(key)
        raise
