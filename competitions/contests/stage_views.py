"""Entries, theory paper and lot drawing of a contest, on the `contests` blueprint."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func

from competitions.contests.models import Contest, Entry, EntryStatus, Stage
from competitions.contests.scheme_views import download_name, xlsx_file
from competitions.contests.services.draw import draw_lots, verify_draw
from competitions.contests.services.registration import decide, entries_of, roster_xlsx
from competitions.contests.services.theory import (
    BEFORE_THEORY,
    close_theory,
    open_theory,
    set_theory,
)
from competitions.contests.setup_forms import DecisionForm, DrawForm, TheoryForm, to_local, to_utc
from competitions.contests.views import ORGANISERS, attach_error, bp, run_action
from competitions.training.models import ExamBlueprint
from guild.access import roles_required
from guild.accounts.models import Enterprise, User
from guild.errors import DomainError
from guild.extensions import db
from guild.forms import select_choices
from guild.web import current_actor


def _entry_rows(contest: Contest) -> list[dict]:
    """Each entry with its members' names, its enterprise and its group, in entry order."""
    entries = entries_of(contest.id)
    user_ids = {member.user_id for entry in entries for member in entry.members}
    named_users = db.select(User.id, User.real_name).where(User.id.in_(user_ids))
    users = dict(db.session.execute(named_users).all())
    enterprise_ids = {entry.enterprise_id for entry in entries}
    named = db.select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(enterprise_ids))
    enterprises = dict(db.session.execute(named).all())
    groups = {group.id: group.name for group in contest.groups}
    return [
        {
            "entry": entry,
            "members": [users.get(member.user_id, "") for member in entry.members],
            "enterprise": enterprises.get(entry.enterprise_id, ""),
            "group": groups.get(entry.group_id, ""),
        }
        for entry in entries
    ]


def _entries_page(contest: Contest, status: int = 200):
    rows = _entry_rows(contest)
    counts = {
        state: sum(1 for row in rows if row["entry"].status is state) for state in EntryStatus
    }
    page = render_template(
        "competitions/contests/entries.html",
        contest=contest,
        rows=rows,
        counts=counts,
        deciding=contest.stage is Stage.REGISTRATION,
    )
    return page, status


@bp.route("/<int:contest_id>/entries")
@roles_required(*ORGANISERS)
def entries(contest_id: int):
    """The contest's entries, to approve or turn down."""
    return _entries_page(db.get_or_404(Contest, contest_id))


@bp.route("/<int:contest_id>/entries/<int:entry_id>/decide", methods=["POST"])
@roles_required(*ORGANISERS)
def decide_entry(contest_id: int, entry_id: int):
    """Approve an entry, or turn it down with a reason."""
    contest = db.get_or_404(Contest, contest_id)
    entry = db.get_or_404(Entry, entry_id)
    if entry.contest_id != contest.id:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("A note has at most 200 characters."), "danger")
        return _entries_page(contest, 400)
    approve = form.decision.data == "approve"
    done = _("The entry is approved.") if approve else _("The entry is turned down.")
    if not run_action(lambda: decide(current_actor(), entry.id, approve, form.note.data), done):
        return _entries_page(contest, 400)
    return redirect(url_for("contests.entries", contest_id=contest.id, _anchor=f"entry-{entry.id}"))


@bp.route("/<int:contest_id>/roster.xlsx")
@roles_required(*ORGANISERS)
def roster(contest_id: int):
    """Download the roster (花名册) of approved entries."""
    contest = db.get_or_404(Contest, contest_id)
    return xlsx_file(roster_xlsx(contest.id), download_name("花名册", contest))


def _blueprint_choices(form: TheoryForm, contest: Contest) -> None:
    query = db.select(ExamBlueprint.id, ExamBlueprint.name, ExamBlueprint.duration_minutes).where(
        ExamBlueprint.trade_id == contest.trade_id, ExamBlueprint.is_active.is_(True)
    )
    rows = db.session.execute(query.order_by(ExamBlueprint.name, ExamBlueprint.id))
    choices = [
        (bid, _("%(name)s (%(minutes)d min)", name=name, minutes=mins)) for bid, name, mins in rows
    ]
    form.blueprint_id.choices = select_choices(choices, _("Choose an exam blueprint"))


@bp.route("/<int:contest_id>/theory", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def theory(contest_id: int):
    """Set the theory paper's blueprint and window; open and close the theory stage."""
    contest = db.get_or_404(Contest, contest_id)
    form = TheoryForm()
    _blueprint_choices(form, contest)
    if request.method == "GET":
        form.blueprint_id.data = contest.theory_blueprint_id
        form.opens_at.data = to_local(contest.theory_opens_at)
        form.closes_at.data = to_local(contest.theory_closes_at)
    if form.validate_on_submit():
        try:
            set_theory(
                current_actor(),
                contest.id,
                form.blueprint_id.data,
                to_utc(form.opens_at.data),
                to_utc(form.closes_at.data),
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, _theory_field(error))
        else:
            db.session.commit()
            flash(_("The theory paper is set."), "success")
            return redirect(url_for("contests.theory", contest_id=contest.id))
    return _theory_page(contest, form, 400 if request.method == "POST" else 200)


def _theory_field(error: DomainError) -> DomainError:
    """The refusal named after the form's fields rather than the contest's columns."""
    names = {
        "theory_blueprint_id": "blueprint_id",
        "theory_opens_at": "opens_at",
        "theory_closes_at": "closes_at",
    }
    return DomainError(error.message, names.get(error.field or "", error.field))


def _theory_page(contest: Contest, form: TheoryForm, status: int = 200):
    blueprint = None
    if contest.theory_blueprint_id is not None:
        blueprint = db.session.get(ExamBlueprint, contest.theory_blueprint_id)
    page = render_template(
        "competitions/contests/theory.html",
        contest=contest,
        form=form,
        blueprint=blueprint,
        settable=contest.stage in BEFORE_THEORY,
    )
    return page, status


def _theory_move(contest_id: int, service, done: str):
    contest = db.get_or_404(Contest, contest_id)
    if not run_action(lambda: service(current_actor(), contest.id), done):
        form = TheoryForm(formdata=None)
        _blueprint_choices(form, contest)
        form.blueprint_id.data = contest.theory_blueprint_id
        form.opens_at.data = to_local(contest.theory_opens_at)
        form.closes_at.data = to_local(contest.theory_closes_at)
        return _theory_page(contest, form, 400)
    return redirect(url_for("contests.theory", contest_id=contest.id))


@bp.route("/<int:contest_id>/theory/open", methods=["POST"])
@roles_required(*ORGANISERS)
def start_theory_stage(contest_id: int):
    """Move a drawn contest to its theory stage."""
    return _theory_move(contest_id, open_theory, _("The theory stage has begun."))


@bp.route("/<int:contest_id>/theory/close", methods=["POST"])
@roles_required(*ORGANISERS)
def close_theory_stage(contest_id: int):
    """Close the theory stage, grading open papers, and move to the practical."""
    return _theory_move(contest_id, close_theory, _("The theory papers are closed."))


def _draw_page(contest: Contest, form: DrawForm, status: int = 200):
    approved = (
        db.select(func.count())
        .select_from(Entry)
        .where(Entry.contest_id == contest.id, Entry.status == EntryStatus.APPROVED)
    )
    drawn = contest.lot_fingerprint is not None
    page = render_template(
        "competitions/contests/draw.html",
        contest=contest,
        form=form,
        approved=db.session.scalar(approved) or 0,
        drawn=drawn,
        verified=verify_draw(contest.id) if drawn else None,
    )
    return page, status


@bp.route("/<int:contest_id>/draw", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def draw(contest_id: int):
    """Draw lots once registration has closed; the record and its check afterwards."""
    contest = db.get_or_404(Contest, contest_id)
    form = DrawForm()
    if not form.validate_on_submit():
        return _draw_page(contest, form, 400 if request.method == "POST" else 200)
    stations = form.stations()
    if stations is None:
        form.count.errors = [*form.count.errors, _("Give the number of stations or their labels.")]
        return _draw_page(contest, form, 400)
    try:
        draw_lots(current_actor(), contest.id, stations)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, _draw_field(form, error))
        return _draw_page(contest, form, 400)
    db.session.commit()
    flash(_("Lots are drawn."), "success")
    return redirect(url_for("contests.draw", contest_id=contest.id))


def _draw_field(form: DrawForm, error: DomainError) -> DomainError:
    """A refusal about the stations shown on the field that gave them."""
    if error.field != "stations":
        return error
    return DomainError(error.message, "labels" if (form.labels.data or "").strip() else "count")
