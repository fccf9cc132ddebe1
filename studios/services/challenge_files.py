"""Files attached to a challenge, a claim or a milestone report (the courseware upload rules).

The type is told by content (studios.services.uploads), the size is capped at
COURSEWARE_MAX_BYTES while copying, files go to storage area "challenges" under random keys
and are offered for download under a safe name. Who may attach: challenge files by the poster
while the challenge can be edited (draft or rejected); claim files by the claiming studio's
leader while the claim is live; report files by the claiming studio's leader while the
milestone is not confirmed. Who may download: challenge files whoever sees the challenge;
claim and report files the poster, the reviewing admins and the claiming studio's members.
"""

from collections.abc import Iterator
from urllib.parse import quote

from flask import Response
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from guild.accounts.models import User
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.storage import storage
from guild.timeutil import utcnow
from studios.challenge_models import (
    Challenge,
    ChallengeClaim,
    ChallengeFile,
    ClaimState,
    Milestone,
    MilestoneReport,
)
from studios.publication_models import CoursewareKind
from studios.services.access import NotAllowed, NotFound
from studios.services.challenge_access import can_view, can_view_claim
from studios.services.challenge_flow import Part, guard
from studios.services.challenges import get_challenge, parts_of
from studios.services.courseware import Upload, store_upload
from studios.services.uploads import (
    MIMETYPES,
    ascii_fallback,
)

AREA = "challenges"
MOST_FILES = 10  # per challenge, claim or report
LIVE_CLAIMS = (ClaimState.ACTIVE, ClaimState.SHORTLISTED)

__all__ = ["Upload", "attach_file", "file_response", "files_of", "readable_file", "remove_file"]

label_actions(
    {
        "challenge.attach": _l("Challenge file attached"),
        "challenge.detach": _l("Challenge file removed"),
    }
)


def _report_claim(report_id: int) -> tuple[MilestoneReport, Milestone, ChallengeClaim]:
    report = db.session.get(MilestoneReport, report_id) if 0 < report_id <= MAX_ID else None
    if report is None:
        raise NotFound(_l("There is no such report."))
    milestone = db.session.get(Milestone, report.milestone_id)
    return report, milestone, db.session.get(ChallengeClaim, milestone.claim_id)


def _claim_of(challenge: Challenge, claim_id: int) -> ChallengeClaim:
    claim = db.session.get(ChallengeClaim, claim_id) if 0 < claim_id <= MAX_ID else None
    if claim is None or claim.challenge_id != challenge.id:
        raise NotFound(_l("There is no such claim."))
    return claim


def _check_right(actor: Actor, challenge: Challenge, claim_id, report_id, now) -> None:
    """Refuse (NotAllowed, NotFound or DomainError) an attachment the actor may not make now."""
    state, deadline = challenge.state, challenge.deadline
    if claim_id is None and report_id is None:
        guard("edit", parts_of(actor.user, challenge), state, deadline, now)
        return
    if report_id is not None:
        _report, milestone, claim = _report_claim(report_id)
        if claim.challenge_id != challenge.id or (claim_id is not None and claim_id != claim.id):
            raise NotFound(_l("There is no such report."))
        parts = parts_of(actor.user, challenge, claim)
        guard("report", parts, state, deadline, now, claim.state, milestone.state)
        return
    claim = _claim_of(challenge, claim_id)
    if Part.CLAIMANT not in parts_of(actor.user, challenge, claim):
        raise NotAllowed(_l("Only the leader of the claiming studio may do this."))
    if claim.state not in LIVE_CLAIMS:
        raise DomainError(_l("Files can only be added to a live claim."), "file")


def _count(challenge_id: int, claim_id, report_id) -> int:
    query = select(func.count(ChallengeFile.id)).where(ChallengeFile.challenge_id == challenge_id)
    query = query.where(
        ChallengeFile.claim_id.is_(None) if claim_id is None else ChallengeFile.claim_id == claim_id
    )
    query = query.where(
        ChallengeFile.report_id.is_(None)
        if report_id is None
        else ChallengeFile.report_id == report_id
    )
    return db.session.scalar(query) or 0


def attach_file(
    actor: Actor,
    challenge_id: int,
    upload: Upload,
    claim_id: int | None = None,
    report_id: int | None = None,
) -> ChallengeFile:
    """Attach a checked file to the challenge, one of its claims or one of its reports."""
    challenge = get_challenge(challenge_id)
    _check_right(actor, challenge, claim_id, report_id, utcnow())
    if report_id is not None:
        claim_id = None  # a report's file names the report only (one thing per file)
    if _count(challenge.id, claim_id, report_id) >= MOST_FILES:
        raise DomainError(_l("At most %(n)d files may be attached.", n=MOST_FILES), "file")
    kind, saved, filename = store_upload(upload, AREA)
    item = ChallengeFile(
        challenge_id=challenge.id,
        claim_id=claim_id,
        report_id=report_id,
        storage_key=saved.key,
        filename=filename,
        kind=kind.value,
        size=saved.size,
        uploaded_by_id=actor.user.id,
    )
    try:
        db.session.add(item)
        db.session.flush()
    except BaseException:
        storage(AREA).delete(saved.key)
        raise
    after = {"filename": filename, "kind": kind.value, "size": saved.size, "sha256": saved.sha256}
    record(actor, "challenge.attach", challenge, None, after | _owner(claim_id, report_id))
    return item


def _owner(claim_id, report_id) -> dict:
    return {"claim_id": claim_id, "report_id": report_id}


def files_of(
    challenge_id: int, claim_id: int | None = None, report_id: int | None = None
) -> list[ChallengeFile]:
    """The files of the challenge itself (or of one claim, or one report), oldest first."""
    query = select(ChallengeFile).where(ChallengeFile.challenge_id == challenge_id)
    if report_id is not None:
        query = query.where(ChallengeFile.report_id == report_id)
    elif claim_id is not None:
        query = query.where(ChallengeFile.claim_id == claim_id, ChallengeFile.report_id.is_(None))
    else:
        query = query.where(ChallengeFile.claim_id.is_(None), ChallengeFile.report_id.is_(None))
    return list(db.session.scalars(query.order_by(ChallengeFile.id)))


def readable_file(user: User | None, file_id: int) -> ChallengeFile:
    """The file if the user may download it; NotFound otherwise (hidden ones do not leak)."""
    item = db.session.get(ChallengeFile, file_id) if 0 < file_id <= MAX_ID else None
    if item is None:
        raise NotFound(_l("There is no such file."))
    challenge = get_challenge(item.challenge_id)
    claim = None
    if item.report_id is not None:
        claim = _report_claim(item.report_id)[2]
    elif item.claim_id is not None:
        claim = db.session.get(ChallengeClaim, item.claim_id)
    visible = can_view(user, challenge)
    if claim is not None:
        visible = visible and can_view_claim(user, challenge, claim)
    if not visible:
        raise NotFound(_l("There is no such file."))
    return item


def remove_file(actor: Actor, file_id: int) -> None:
    """The poster removes a challenge's own file while the challenge can be edited."""
    item = db.session.get(ChallengeFile, file_id) if 0 < file_id <= MAX_ID else None
    if item is None or item.claim_id is not None or item.report_id is not None:
        raise NotFound(_l("There is no such file."))
    challenge = get_challenge(item.challenge_id)
    guard("edit", parts_of(actor.user, challenge), challenge.state, challenge.deadline, utcnow())
    key, before = item.storage_key, {"filename": item.filename, "size": item.size}
    db.session.delete(item)
    db.session.flush()
    record(actor, "challenge.detach", challenge, before, None)
    storage(AREA).delete(key)  # after the row: a failed flush keeps the file


def _chunks(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    try:
        yield first
        yield from rest
    finally:
        rest.close()


def file_response(item: ChallengeFile) -> Response:
    """The file streamed as an attachment under its safe name; NotFound if storage lost it."""
    try:
        rest = storage(AREA).stream(item.storage_key)
        first = next(rest, b"")
    except (KeyError, FileNotFoundError):
        raise NotFound(_l("There is no such file.")) from None
    kind = CoursewareKind(item.kind)
    response = Response(_chunks(first, rest), mimetype=MIMETYPES[kind], direct_passthrough=True)
    response.content_length = item.size
    plain = ascii_fallback(item.filename, f"challenge-file-{item.id}")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(item.filename, safe='')}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
