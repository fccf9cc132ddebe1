"""A contest's staff and judges' panels, on the `contests` blueprint.

Staff: organisers only. Panels: organisers and the contest's chief judge (assign_judge lets
both), so the routes admit the judge role and the view refuses any other judge with 403.
"""

from collections import defaultdict

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from competitions.contests.labels import STAFF_ROLE_LABELS
from competitions.contests.marking_models import Aspect, Criterion, PanelJudge
from competitions.contests.models import Contest, ContestStaff, StaffRole
from competitions.contests.services.panels import (
    JUDGING,
    assign_judge,
    is_chief_judge,
    unassign_judge,
)
from competitions.contests.services.staff import STAFF_STAGES, appoint_staff, dismiss_staff
from competitions.contests.setup_forms import (
    AppointForm,
    PanelSeatForm,
    StaffMemberForm,
)
from competitions.contests.views import (
    ORGANISERS,
    attach_error,
    bp,
    is_organiser_user,
    run_action,
)
from guild.access import roles_required
from guild.accounts.models import Enterprise, User, UserRole
from guild.accounts.roles import Role
from guild.errors import DomainError
from guild.extensions import db
from guild.forms import select_choices
from guild.web import current_actor

MAX_JUDGE_CHOICES = 500
MANAGERS = (*ORGANISERS, Role.JUDGE)  # the chief judge holds the judge role


def _staff_rows(contest_id: int) -> list:
    """The contest's staff with their users and recorded enterprises, by role then name."""
    query = (
        db.select(ContestStaff, User, Enterprise.name)
        .join(User, User.id == ContestStaff.user_id)
        .outerjoin(Enterprise, Enterprise.id == ContestStaff.enterprise_id)
        .where(ContestStaff.contest_id == contest_id)
        .order_by(ContestStaff.role, User.real_name, User.id)
    )
    return db.session.execute(query).all()


def _judge_choices(form: AppointForm) -> None:
    """Active users holding the judge role, as the appointment form's choices."""
    query = (
        db.select(User.id, User.real_name, User.phone)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.JUDGE, User.is_active.is_(True))
        .order_by(User.real_name, User.id)
        .limit(MAX_JUDGE_CHOICES)
    )
    judges = [(uid, f"{name} ({phone[-4:]})") for uid, name, phone in db.session.execute(query)]
    form.user_id.choices = select_choices(judges, _("Choose a judge"))


def _staff_page(contest: Contest, form: AppointForm | None = None, status: int = 200):
    form = form or AppointForm(formdata=None)
    _judge_choices(form)
    page = render_template(
        "competitions/contests/staff.html",
        contest=contest,
        rows=_staff_rows(contest.id),
        form=form,
        role_labels=STAFF_ROLE_LABELS,
        changeable=contest.stage in STAFF_STAGES,
    )
    return page, status


@bp.route("/<int:contest_id>/staff")
@roles_required(*ORGANISERS)
def staff(contest_id: int):
    """The contest's chief judge, judges and encryption officer, with appointing."""
    return _staff_page(db.get_or_404(Contest, contest_id))


def _chosen_user(form: AppointForm) -> int | None:
    """The user named by phone number, else the one chosen; None with an error on the form."""
    phone = (form.phone.data or "").strip()
    if phone:
        user_id = db.session.scalar(db.select(User.id).where(User.phone == phone))
        if user_id is None:
            form.phone.errors = [*form.phone.errors, _("No user has this phone number.")]
        return user_id
    if form.user_id.data is None:
        form.user_id.errors = [*form.user_id.errors, _("Choose a judge or give a phone number.")]
    return form.user_id.data


@bp.route("/<int:contest_id>/staff/appoint", methods=["POST"])
@roles_required(*ORGANISERS)
def appoint(contest_id: int):
    """Appoint a chief judge, a judge or the encryption officer."""
    contest = db.get_or_404(Contest, contest_id)
    form = AppointForm()
    _judge_choices(form)
    if not form.validate_on_submit():
        return _staff_page(contest, form, 400)
    user_id = _chosen_user(form)
    if user_id is None:
        return _staff_page(contest, form, 400)
    try:
        appoint_staff(current_actor(), contest.id, user_id, StaffRole(form.role.data))
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _staff_page(contest, form, 400)
    db.session.commit()
    flash(_("Appointed."), "success")
    return redirect(url_for("contests.staff", contest_id=contest.id))


@bp.route("/<int:contest_id>/staff/dismiss", methods=["POST"])
@roles_required(*ORGANISERS)
def dismiss(contest_id: int):
    """Take someone off the contest's staff."""
    contest = db.get_or_404(Contest, contest_id)
    form = StaffMemberForm()
    if not form.validate_on_submit():
        abort(400)
    user_id, role = form.user_id.data, StaffRole(form.role.data)
    if not run_action(
        lambda: dismiss_staff(current_actor(), contest.id, user_id, role), _("Dismissed.")
    ):
        return _staff_page(contest, status=400)
    return redirect(url_for("contests.staff", contest_id=contest.id))


def panel_manager_contest(contest_id: int) -> Contest:
    """The contest, when the user is an organiser or its chief judge; 404 or 403 otherwise."""
    contest = db.get_or_404(Contest, contest_id)
    if not is_organiser_user() and not is_chief_judge(current_actor(), contest.id):
        abort(403)
    return contest


def _panel_data(contest: Contest) -> dict:
    """Aspects by criterion, each panel's judges, and the contest's judges to choose from."""
    criteria = db.session.scalars(
        db.select(Criterion).where(Criterion.contest_id == contest.id).order_by(Criterion.position)
    ).all()
    aspects = defaultdict(list)
    query = db.select(Aspect).where(Aspect.contest_id == contest.id)
    for aspect in db.session.scalars(query.order_by(Aspect.position, Aspect.id)):
        aspects[aspect.criterion_id].append(aspect)
    seats = defaultdict(list)
    query = db.select(PanelJudge.aspect_id, PanelJudge.user_id)
    for aspect_id, user_id in db.session.execute(query.where(PanelJudge.contest_id == contest.id)):
        seats[aspect_id].append(user_id)
    judges = {}
    for staff_row, user, enterprise in _staff_rows(contest.id):
        if staff_row.role in JUDGING:
            judges[user.id] = (user.real_name, enterprise or "")
    return {"criteria": criteria, "aspects": aspects, "seats": seats, "judges": judges}


def _panels_page(contest: Contest, status: int = 200):
    page = render_template(
        "competitions/contests/panels.html",
        contest=contest,
        changeable=contest.stage in STAFF_STAGES,
        **_panel_data(contest),
    )
    return page, status


@bp.route("/<int:contest_id>/panels")
@roles_required(*MANAGERS)
def panels(contest_id: int):
    """Each aspect's panel of judges."""
    return _panels_page(panel_manager_contest(contest_id))


def _seat_action(contest_id: int, service, done: str):
    contest = panel_manager_contest(contest_id)
    form = PanelSeatForm()
    if not form.validate_on_submit():
        abort(400)
    aspect_id, user_id = form.aspect_id.data, form.user_id.data
    if not run_action(lambda: service(current_actor(), contest.id, aspect_id, user_id), done):
        return _panels_page(contest, 400)
    return redirect(
        url_for("contests.panels", contest_id=contest.id, _anchor=f"aspect-{aspect_id}")
    )


@bp.route("/<int:contest_id>/panels/assign", methods=["POST"])
@roles_required(*MANAGERS)
def assign(contest_id: int):
    """Seat a judge of the contest on an aspect's panel."""
    return _seat_action(contest_id, assign_judge, _("The judge is on the panel."))


@bp.route("/<int:contest_id>/panels/unassign", methods=["POST"])
@roles_required(*MANAGERS)
def unassign(contest_id: int):
    """Take a judge off an aspect's panel."""
    return _seat_action(contest_id, unassign_judge, _("The judge is off the panel."))
