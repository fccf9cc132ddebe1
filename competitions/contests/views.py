"""Contest pages for organisers: setup, staff, scheme, panels, entries, theory, draw: `contests`.

This module holds the list, the hub and the rules' form; staff_views (staff, scheme, panels)
and stage_views (entries, theory, draw) add their routes to the same blueprint.
"""

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func

from competitions.contests.labels import TIE_BREAK_LABELS
from competitions.contests.marking_models import Aspect
from competitions.contests.models import Contest, ContestStaff, Entry, Stage
from competitions.contests.services.contests import (
    STAGE_LABELS,
    create_contest,
    open_registration,
    update_contest,
)
from competitions.contests.services.panels import is_id
from competitions.contests.setup_forms import FIELD_ALIASES, ContestForm
from competitions.training.models import ExamBlueprint
from guild.access import roles_required, signed_in
from guild.accounts.roles import Role
from guild.errors import DomainError
from guild.extensions import db
from guild.trades.levels import SkillLevel
from guild.trades.models import Trade
from guild.web import current_actor, page_number, page_size, show_domain_error

bp = Blueprint("contests", __name__, url_prefix="/skills/contests")
ORGANISERS = (Role.ORGANISER, Role.ADMIN)
FORM = "competitions/contests/form.html"


def is_organiser_user() -> bool:
    """Tell whether the signed-in user runs contests."""
    return bool(current_user.role_set & set(ORGANISERS))


def contest_or_404(contest_id: int) -> Contest:
    """The contest; 404 when there is none, or when it is a draft and the user no organiser."""
    contest = db.get_or_404(Contest, contest_id)
    if contest.stage is Stage.DRAFT and not is_organiser_user():
        abort(404)
    return contest


def attach_error(form, error: DomainError) -> None:
    """Show a domain error on its field of the form, else as a message."""
    field = FIELD_ALIASES.get(error.field or "", error.field)
    if not show_domain_error(form, DomainError(error.message, field)):
        flash(str(error), "danger")


def run_action(call: Callable[[], object], done: str) -> bool:
    """Call one service and commit, flashing done; on a refusal roll back and flash why."""
    try:
        call()
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return False
    db.session.commit()
    flash(done, "success")
    return True


@bp.before_request
def _real_ids():
    """An id in the path no table can hold is a page that does not exist (never a 500)."""
    if any(not is_id(value) for value in (request.view_args or {}).values()):
        abort(404)


@bp.app_template_global()
def contest_stage_label(stage: Stage) -> str:
    """A contest stage's name in the user's language."""
    return str(STAGE_LABELS[stage])


@bp.route("/")
@signed_in
def index():
    """The contests: organisers see drafts too and may start a new one."""
    organiser = is_organiser_user()
    query = db.select(Contest)
    if not organiser:
        query = query.where(Contest.stage != Stage.DRAFT)
    query = query.order_by(Contest.created_at.desc(), Contest.id.desc())
    pages = db.paginate(query, page=page_number(), per_page=page_size(), error_out=False)
    trade_ids = {contest.trade_id for contest in pages.items}
    named = db.select(Trade.id, Trade.name).where(Trade.id.in_(trade_ids))
    return render_template(
        "competitions/contests/index.html",
        pages=pages,
        trades=dict(db.session.execute(named).all()),
        organiser=organiser,
    )


def _choices(form: ContestForm) -> None:
    trades = db.session.execute(db.select(Trade.id, Trade.name).order_by(Trade.name)).all()
    levels = [(level.value, level.label) for level in SkillLevel]
    form.set_choices([(trade_id, name) for trade_id, name in trades], levels)


def _save(contest: Contest | None):
    form = ContestForm()
    _choices(form)
    if request.method == "GET" and contest is not None:
        form.fill(contest)
    if form.validate_on_submit():
        actor = current_actor()
        try:
            if contest is None:
                saved = create_contest(actor, form.to_fields())
            else:
                saved = update_contest(actor, contest.id, form.to_fields())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The contest is saved."), "success")
            return redirect(url_for("contests.detail", contest_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template(FORM, form=form, contest=contest), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def create():
    """Set up a new contest in draft with its rules."""
    return _save(None)


@bp.route("/<int:contest_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def edit(contest_id: int):
    """Change a contest's rules; those that decide results stay fixed once lots are drawn."""
    return _save(db.get_or_404(Contest, contest_id))


def _counts(contest: Contest) -> dict:
    """What an organiser checks on the hub: entries by status, staff, aspects."""
    rows = db.session.execute(
        db.select(Entry.status, func.count())
        .where(Entry.contest_id == contest.id)
        .group_by(Entry.status)
    )
    staff = db.select(func.count()).where(ContestStaff.contest_id == contest.id)
    aspects = db.select(func.count()).where(Aspect.contest_id == contest.id)
    return {
        "entries": {str(status): count for status, count in rows},
        "staff": db.session.scalar(staff.select_from(ContestStaff)) or 0,
        "aspects": db.session.scalar(aspects.select_from(Aspect)) or 0,
    }


@bp.route("/<int:contest_id>")
@signed_in
def detail(contest_id: int):
    """The contest hub: its rules and stage, the organiser's controls, and each role's panel."""
    contest = contest_or_404(contest_id)
    organiser = is_organiser_user()
    blueprint = None
    if contest.theory_blueprint_id is not None:
        blueprint = db.session.get(ExamBlueprint, contest.theory_blueprint_id)
    return render_template(
        "competitions/contests/detail.html",
        contest=contest,
        trade=db.session.get(Trade, contest.trade_id),
        level=SkillLevel(contest.level).label if contest.level else None,
        tie_breaks=[TIE_BREAK_LABELS.get(name, name) for name in contest.tie_break],
        blueprint=blueprint,
        organiser=organiser,
        counts=_counts(contest) if organiser else None,
    )


@bp.route("/<int:contest_id>/open-registration", methods=["POST"])
@roles_required(*ORGANISERS)
def open_entries(contest_id: int):
    """Open a draft contest for entries."""
    contest = db.get_or_404(Contest, contest_id)
    done = _("Registration is open.")
    run_action(lambda: open_registration(current_actor(), contest.id), done)
    return redirect(url_for("contests.detail", contest_id=contest.id))


from competitions.contests import scheme_views, staff_views, stage_views  # noqa: E402,F401
