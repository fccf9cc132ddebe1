"""Publishing results, appeals (申诉) in the publicity window, rulings, and finalising.

Results are published once the encryption officer has revealed the codes. Publication opens
the publicity window of the contest's appeal days: entrants file appeals until it closes,
one open appeal per entry at a time. The organiser rules on each; an upheld appeal may reopen
an aspect, which unlocks its criterion for re-marking (every change then needs a reason) until
the chief judge locks it again. The contest is final once the window has closed, no appeal is
open and every criterion is locked.
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from competitions.contests.marking_models import Appeal, AppealStatus, Criterion
from competitions.contests.models import Contest, Entry, EntryMember, EntryStatus, Stage
from competitions.contests.services.contests import (
    advance,
    get_contest,
    require_organiser,
    require_stage,
)
from competitions.contests.services.locking import reopen_aspect
from competitions.contests.services.marking import MAX_REASON
from competitions.contests.services.panels import is_id
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import naive_utc, utcnow
from guild.transactions import begin_writing

PUBLISH, APPEAL, RULING, FINALISE = (
    "contest.publish",
    "contest.appeal",
    "contest.ruling",
    "contest.finalise",
)
MAX_APPEAL, MAX_RULING = 2000, 2000

label_actions(
    {
        PUBLISH: _l("Contest results published"),
        APPEAL: _l("Contest appeal filed"),
        RULING: _l("Contest appeal ruled"),
        FINALISE: _l("Contest results finalised"),
    }
)


def _now(now: datetime | None) -> datetime:
    return naive_utc(now) if now is not None else utcnow()


def publish_results(actor: Actor, contest_id: int, now: datetime | None = None) -> Contest:
    """Publish revealed results and open the publicity window for appeals."""
    require_organiser(actor)
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    require_stage(contest, Stage.REVEALED, _l("Results are published once the codes are revealed."))
    contest.published_at = _now(now)
    contest.appeals_close_at = contest.published_at + timedelta(days=contest.appeal_days)
    advance(contest, Stage.REVEALED, Stage.PUBLICITY, actor)
    after = {
        "published_at": contest.published_at.isoformat(sep=" "),
        "appeals_close_at": contest.appeals_close_at.isoformat(sep=" "),
    }
    record(actor, PUBLISH, contest, None, after)
    return contest


def appeals_open(contest: Contest, now: datetime | None = None) -> bool:
    """Tell whether entrants may file appeals now."""
    closes = contest.appeals_close_at
    return contest.stage is Stage.PUBLICITY and closes is not None and _now(now) < closes


def _own_entry(contest_id: int, user_id: int) -> Entry:
    """The user's approved entry in the contest; refused for anyone else."""
    query = (
        db.select(Entry)
        .join(EntryMember, EntryMember.entry_id == Entry.id)
        .where(EntryMember.contest_id == contest_id, EntryMember.user_id == user_id)
    )
    entry = db.session.scalar(query)
    if entry is None or entry.status is not EntryStatus.APPROVED:
        raise DomainError(_l("Only an entrant of this contest may appeal its results."))
    return entry


def _text(value: object, limit: int, missing, too_long, field: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise DomainError(missing, field)
    if len(text) > limit:
        raise DomainError(too_long, field)
    return text


def file_appeal(actor: Actor, contest_id: int, reason: str, now: datetime | None = None) -> Appeal:
    """File an entrant's appeal inside the publicity window; one open appeal per entry."""
    begin_writing()
    if actor.user is None:
        raise DomainError(_l("Only an entrant of this contest may appeal its results."))
    contest = get_contest(contest_id, lock=True)  # serialises one entry's appeals
    if not appeals_open(contest, now):
        raise DomainError(_l("Appeals can only be filed while the results are in publicity."))
    entry = _own_entry(contest.id, actor.user.id)
    text = _text(
        reason,
        MAX_APPEAL,
        _l("Say what the appeal is about."),
        _l("An appeal has at most 2000 characters."),
        "reason",
    )
    pending = db.select(Appeal.id).where(
        Appeal.entry_id == entry.id, Appeal.status == AppealStatus.OPEN
    )
    if db.session.scalar(pending.limit(1)) is not None:
        raise DomainError(_l("Your entry already has an appeal waiting for its ruling."), "reason")
    appeal = Appeal(
        contest_id=contest.id, entry_id=entry.id, filed_by_id=actor.user.id, reason=text
    )
    appeal.filed_at = _now(now)
    db.session.add(appeal)
    db.session.flush()
    record(actor, APPEAL, appeal, None, {"contest_id": contest.id, "entry_id": entry.id})
    return appeal


def _open_appeal(appeal_id: int) -> tuple[Appeal, Contest]:
    """The open appeal and its contest, the contest locked first as every contest writer does."""
    appeal = db.session.get(Appeal, appeal_id) if is_id(appeal_id) else None
    if appeal is None:
        raise DomainError(_l("There is no such appeal."), "appeal_id")
    contest = get_contest(appeal.contest_id, lock=True)
    db.session.refresh(appeal)  # as it stands now that its contest's writers wait for us
    if appeal.status is not AppealStatus.OPEN:
        raise DomainError(_l("This appeal has already been ruled on."), "appeal_id")
    return appeal, contest


def _reopen_reason(appeal: Appeal, ruling: str) -> str:
    """The reopening's reason: the ruling, shortened to a reason's length if need be."""
    reason = f"#{appeal.id}: {ruling}"
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def rule_appeal(
    actor: Actor,
    appeal_id: int,
    upheld: bool,
    ruling: str,
    reopen_aspect_id: int | None = None,
) -> Appeal:
    """Record the organiser's ruling; an upheld appeal may reopen an aspect for re-marking."""
    require_organiser(actor)
    begin_writing()
    appeal, contest = _open_appeal(appeal_id)
    require_stage(
        contest, Stage.PUBLICITY, _l("Appeals are ruled on while results are in publicity.")
    )
    text = _text(
        ruling,
        MAX_RULING,
        _l("Write the ruling."),
        _l("A ruling has at most 2000 characters."),
        "ruling",
    )
    if not isinstance(upheld, bool):
        raise DomainError(_l("Choose whether the appeal is upheld or dismissed."), "upheld")
    if reopen_aspect_id is not None and not upheld:
        raise DomainError(_l("Only an upheld appeal reopens an aspect."), "reopen_aspect_id")
    before = {"status": str(appeal.status)}
    if reopen_aspect_id is not None:
        reopen_aspect(actor, contest.id, reopen_aspect_id, _reopen_reason(appeal, text))
        appeal.reopened_aspect_id = reopen_aspect_id
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
    appeal.ruling, appeal.ruled_at = text, utcnow()
    appeal.ruled_by_id = actor.user.id if actor.user else None
    db.session.flush()
    after = {"status": str(appeal.status), "ruling": text, "reopened_aspect_id": reopen_aspect_id}
    record(actor, RULING, appeal, before, after)
    return appeal


def finalise(actor: Actor, contest_id: int, now: datetime | None = None) -> Contest:
    """Make the results final: the window closed, every appeal ruled, every criterion locked."""
    require_organiser(actor)
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    require_stage(contest, Stage.PUBLICITY, _l("Only published results can be made final."))
    if appeals_open(contest, now):
        raise DomainError(_l("Results are made final once the appeal window has closed."))
    waiting = db.select(Appeal.id).where(
        Appeal.contest_id == contest.id, Appeal.status == AppealStatus.OPEN
    )
    if db.session.scalar(waiting.limit(1)) is not None:
        raise DomainError(_l("Rule on every appeal before making the results final."))
    unlocked = db.select(Criterion.id).where(
        Criterion.contest_id == contest.id, Criterion.locked_at.is_(None)
    )
    if db.session.scalar(unlocked.limit(1)) is not None:
        raise DomainError(_l("A reopened criterion must be locked again before results are final."))
    contest.finalised_at = _now(now)
    advance(contest, Stage.PUBLICITY, Stage.FINAL, actor)
    record(
        actor, FINALISE, contest, None, {"finalised_at": contest.finalised_at.isoformat(sep=" ")}
    )
    return contest


def appeals_of(contest_id: int) -> list[Appeal]:
    """The contest's appeals, open ones first, then by filing time."""
    query = db.select(Appeal).where(Appeal.contest_id == contest_id)
    is_open = Appeal.status == AppealStatus.OPEN
    return list(db.session.scalars(query.order_by(is_open.desc(), Appeal.filed_at, Appeal.id)))


def waiting_for_ruling(appeals: list[Appeal]) -> bool:
    """True when one of an entry's appeals is still open: no other may be filed meanwhile."""
    return any(appeal.status is AppealStatus.OPEN for appeal in appeals)


def own_appeals(contest_id: int, user_id: int) -> list[Appeal]:
    """The appeals of the user's entry in the contest, newest first."""
    entry_ids = db.select(EntryMember.entry_id).where(
        EntryMember.contest_id == contest_id, EntryMember.user_id == user_id
    )
    query = db.select(Appeal).where(Appeal.contest_id == contest_id, Appeal.entry_id.in_(entry_ids))
    return list(db.session.scalars(query.order_by(Appeal.filed_at.desc(), Appeal.id.desc())))
