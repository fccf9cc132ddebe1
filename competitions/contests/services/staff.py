"""The staff who run a contest: one chief judge, judges, one encryption officer."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from competitions.contests.marking_models import PanelJudge
from competitions.contests.models import Contest, ContestStaff, StaffRole, Stage
from competitions.contests.services.contests import (
    active_entrants,
    get_contest,
    require_organiser,
    require_stage,
)
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.transactions import begin_writing

ALREADY_STAFF = _l("This user already has this role.")
STAFF_FIXED = _l("Staff cannot change once marks are locked.")
STAFF_STAGES = (Stage.DRAFT, Stage.REGISTRATION, Stage.DRAWN, Stage.THEORY, Stage.PRACTICAL)

label_actions(
    {
        "contest.staff_appoint": _l("Contest staff appointed"),
        "contest.staff_dismiss": _l("Contest staff dismissed"),
    }
)


def _staff_user(contest: Contest, user_id: int, role: StaffRole) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        raise DomainError(_l("Choose an active user."), "user_id")
    if role is not StaffRole.ENCRYPTION_OFFICER and not user.has_role(Role.JUDGE):
        raise DomainError(_l("Only a user with the judge role can judge a contest."), "user_id")
    if active_entrants(contest.id, [user_id]):
        raise DomainError(_l("An entrant of the contest cannot be on its staff."), "user_id")
    return user


def _check_staff_roles(contest: Contest, user_id: int, role: StaffRole) -> None:
    """One encryption officer and one chief judge; the officer never judges the contest."""
    rows = db.session.scalars(db.select(ContestStaff).where(ContestStaff.contest_id == contest.id))
    for staff in rows:
        if staff.role is role and role is not StaffRole.JUDGE and staff.user_id != user_id:
            raise DomainError(_l("The contest already has someone in this role."), "role")
        officer = StaffRole.ENCRYPTION_OFFICER
        if staff.user_id == user_id and officer in (staff.role, role) and staff.role is not role:
            raise DomainError(_l("The encryption officer cannot also judge the contest."), "role")


def appoint_staff(actor: Actor, contest_id: int, user_id: int, role: StaffRole) -> ContestStaff:
    """Appoint a chief judge, judge or encryption officer, noting their enterprise for recusal."""
    require_organiser(actor)
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    require_stage(contest, STAFF_STAGES, STAFF_FIXED)
    role = StaffRole(role)
    user = _staff_user(contest, user_id, role)
    _check_staff_roles(contest, user_id, role)
    if db.session.get(ContestStaff, (contest.id, user.id, role)) is not None:
        raise DomainError(ALREADY_STAFF, "user_id")
    staff = ContestStaff(
        contest_id=contest.id, user_id=user.id, role=role, enterprise_id=user.enterprise_id
    )
    try:
        with db.session.begin_nested():
            db.session.add(staff)
    except IntegrityError as error:
        raise DomainError(ALREADY_STAFF, "user_id") from error  # appointed a moment ago
    after = {"user_id": user.id, "role": str(role), "enterprise_id": user.enterprise_id}
    record(actor, "contest.staff_appoint", contest, None, after)
    return staff


def dismiss_staff(actor: Actor, contest_id: int, user_id: int, role: StaffRole) -> None:
    """Remove a member of staff; a judge must first leave the panels they sit on."""
    require_organiser(actor)
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    require_stage(contest, STAFF_STAGES, STAFF_FIXED)
    staff = db.session.get(ContestStaff, (contest.id, user_id, StaffRole(role)))
    if staff is None:
        raise DomainError(_l("This user does not have this role in the contest."), "user_id")
    if staff.role is not StaffRole.ENCRYPTION_OFFICER:
        panel = db.select(PanelJudge.aspect_id).where(
            PanelJudge.contest_id == contest.id, PanelJudge.user_id == user_id
        )
        if db.session.scalar(panel.limit(1)) is not None:
            raise DomainError(_l("Take the judge off their panels first."), "user_id")
    before = {"user_id": user_id, "role": str(staff.role), "enterprise_id": staff.enterprise_id}
    db.session.delete(staff)
    db.session.flush()
    record(actor, "contest.staff_dismiss", contest, before, None)
