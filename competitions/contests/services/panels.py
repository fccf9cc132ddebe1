"""Judges' panels of a contest's aspects, and recusal.

A panel marks its aspect for every entrant, so a judge whose enterprise (as recorded in
ContestStaff.enterprise_id when they were appointed) has a pending or approved entry in the
contest is refused a seat on any panel. Entries may still be made and approved after a judge
is seated (until lots are drawn), so marking checks recusal again for every mark saved: a
judge never marks an entry of their own enterprise, and such a pair is left out of what the
judge is expected to mark. Organisers and the contest's chief judge manage the panels until
marks are locked; a locked criterion's panels are fixed.
"""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from competitions.contests.marking_models import Aspect, Criterion, JudgeScore, PanelJudge
from competitions.contests.models import Contest, ContestStaff, Entry, StaffRole
from competitions.contests.scheme import AspectKind
from competitions.contests.services.contests import (
    ACTIVE,
    get_contest,
    is_organiser,
    require_stage,
)
from competitions.contests.services.staff import STAFF_FIXED, STAFF_STAGES
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.transactions import begin_writing

JUDGING = (StaffRole.JUDGE, StaffRole.CHIEF_JUDGE)
NO_ASPECT = _l("There is no such aspect in this contest.")
ON_PANEL = _l("This judge is already on the panel of this aspect.")

label_actions(
    {
        "contest.panel_assign": _l("Judge put on a panel"),
        "contest.panel_unassign": _l("Judge taken off a panel"),
    }
)


def is_id(value: object) -> bool:
    """Tell whether the value is an id a table may hold (a whole number, not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def is_chief_judge(actor: Actor, contest_id: int) -> bool:
    """Tell whether the actor is the contest's chief judge."""
    if actor.user is None:
        return False
    key = (contest_id, actor.user.id, StaffRole.CHIEF_JUDGE)
    return db.session.get(ContestStaff, key) is not None


def judge_enterprises(contest_id: int, user_id: int) -> set[int] | None:
    """The enterprises recorded for the user as a judge of the contest; None if not a judge."""
    query = db.select(ContestStaff.enterprise_id).where(
        ContestStaff.contest_id == contest_id,
        ContestStaff.user_id == user_id,
        ContestStaff.role.in_(JUDGING),
    )
    rows = list(db.session.scalars(query))
    return None if not rows else {enterprise for enterprise in rows if enterprise is not None}


def is_recused(enterprises: Iterable[int], entry: Entry) -> bool:
    """Tell whether a judge of these enterprises must not mark the entry."""
    return entry.enterprise_id is not None and entry.enterprise_id in set(enterprises)


def get_aspect(contest_id: int, aspect_id: int) -> Aspect:
    """The contest's aspect; DomainError when the contest has no such aspect."""
    aspect = db.session.get(Aspect, aspect_id) if is_id(aspect_id) else None
    if aspect is None or aspect.contest_id != contest_id:
        raise DomainError(NO_ASPECT, "aspect_id")
    return aspect


def on_panel(aspect_id: int, user_id: int) -> bool:
    """Tell whether the user sits on the aspect's panel."""
    return db.session.get(PanelJudge, (aspect_id, user_id)) is not None


def panel_of(aspect_id: int) -> list[int]:
    """The user ids of the aspect's panel, ascending."""
    query = db.select(PanelJudge.user_id).where(PanelJudge.aspect_id == aspect_id)
    return list(db.session.scalars(query.order_by(PanelJudge.user_id)))


def _managed_aspect(actor: Actor, contest_id: int, aspect_id: int) -> tuple[Contest, Aspect]:
    """The contest (locked) and aspect, when the actor may change the aspect's panel now."""
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    if not (is_organiser(actor) or is_chief_judge(actor, contest.id)):
        raise DomainError(_l("Only organisers or the chief judge may change the panels."))
    require_stage(contest, STAFF_STAGES, STAFF_FIXED)
    aspect = get_aspect(contest.id, aspect_id)
    if db.session.get(Criterion, aspect.criterion_id).locked_at is not None:
        message = _l("The panels of a locked criterion cannot change.")
        raise DomainError(message, "aspect_id")
    return contest, aspect


def _check_judge(contest: Contest, user_id: int) -> None:
    """Refuse a user who is not a judge of the contest, or whose enterprise has an entrant."""
    enterprises = judge_enterprises(contest.id, user_id) if is_id(user_id) else None
    if enterprises is None:
        message = _l("Only a judge appointed to this contest can sit on its panels.")
        raise DomainError(message, "user_id")
    if not enterprises:
        return
    query = db.select(Entry.id).where(
        Entry.contest_id == contest.id,
        Entry.status.in_(ACTIVE),
        Entry.enterprise_id.in_(enterprises),
    )
    if db.session.scalar(query.limit(1)) is not None:
        message = _l(
            "This judge's enterprise has an entrant in the contest, and a panel marks every"
            " entrant: choose another judge."
        )
        raise DomainError(message, "user_id")


def assign_judge(actor: Actor, contest_id: int, aspect_id: int, user_id: int) -> PanelJudge:
    """Seat a judge of the contest on an aspect's panel (organisers or the chief judge)."""
    contest, aspect = _managed_aspect(actor, contest_id, aspect_id)
    _check_judge(contest, user_id)
    seat = PanelJudge(aspect_id=aspect.id, user_id=user_id, contest_id=contest.id)
    try:
        with db.session.begin_nested():
            db.session.add(seat)
    except IntegrityError as error:  # the primary key settles a double click or a race
        raise DomainError(ON_PANEL, "user_id") from error
    after = {"aspect_id": aspect.id, "aspect": aspect.code, "user_id": user_id}
    record(actor, "contest.panel_assign", contest, None, after)
    return seat


def unassign_judge(actor: Actor, contest_id: int, aspect_id: int, user_id: int) -> None:
    """Take a judge off an aspect's panel, unless they have marked it or are its last measurer."""
    contest, aspect = _managed_aspect(actor, contest_id, aspect_id)
    seat = db.session.get(PanelJudge, (aspect.id, user_id)) if is_id(user_id) else None
    if seat is None:
        raise DomainError(_l("This judge is not on the panel of this aspect."), "user_id")
    scored = db.select(JudgeScore.id).where(
        JudgeScore.aspect_id == aspect.id, JudgeScore.judge_id == user_id
    )
    if db.session.scalar(scored.limit(1)) is not None:
        message = _l("This judge has marked this aspect already, so they stay on its panel.")
        raise DomainError(message, "user_id")
    if aspect.kind is AspectKind.MEASUREMENT and _panel_size(aspect.id) <= 1:
        message = _l("A measurement aspect needs at least one judge: put another one on first.")
        raise DomainError(message, "user_id")
    db.session.delete(seat)
    db.session.flush()
    before = {"aspect_id": aspect.id, "aspect": aspect.code, "user_id": user_id}
    record(actor, "contest.panel_unassign", contest, before, None)


def _panel_size(aspect_id: int) -> int:
    """How many judges sit on the aspect's panel."""
    query = db.select(func.count()).select_from(PanelJudge)
    return db.session.scalar(query.where(PanelJudge.aspect_id == aspect_id)) or 0
