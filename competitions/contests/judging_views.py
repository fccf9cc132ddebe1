"""Contest pages for judges, the chief judge and the encryption officer: `judging`.

A judge marks aspect by aspect, one row per entry code (never a name or a station); each save
names the version the judge saw, so a mark changed meanwhile is shown again, never overwritten.
Forms post and redirect back to the row; the page's script posts the same form for JSON.
Rights are the services': someone with no part in a contest gets 404.
"""

from decimal import Decimal

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from competitions.contests.judging_forms import ConfirmForm, MarkForm
from competitions.contests.judging_pages import (
    AspectPage,
    aspect_page,
    first_unfinished,
    my_contests,
    panel_items,
    staff_roles,
)
from competitions.contests.marking_models import Aspect
from competitions.contests.models import Contest, Entry, StaffRole, Stage
from competitions.contests.scheme import AspectKind, format_mark
from competitions.contests.services.contests import STAGE_LABELS
from competitions.contests.services.draw import lot_mapping, reveal, verify_draw
from competitions.contests.services.locking import criterion_progress, lock_criterion
from competitions.contests.services.marking import (
    StaleMark,
    save_agreed_mark,
    save_judge_score,
)
from competitions.contests.services.panels import is_chief_judge, is_id
from competitions.contests.services.sheet import MarkingSheet, marking_sheet
from competitions.contests.services.spreads import flagged_spreads
from guild.access import roles_required, signed_in
from guild.accounts.roles import Role
from guild.errors import DomainError, error_response
from guild.extensions import db
from guild.web import current_actor, int_arg

bp = Blueprint("judging", __name__, url_prefix="/skills/judging")
TEMPLATES = "competitions/contests/"


@bp.before_request
def ids_in_range():
    """An id in the path no table can hold is a page that does not exist (never a 500)."""
    if any(not is_id(value) for value in (request.view_args or {}).values()):
        abort(404)


@bp.app_template_global()
def contest_staff_roles(contest: Contest) -> set[str]:
    """The signed-in user's parts in the contest's staff, as role values (one query)."""
    if not current_user.is_authenticated:
        return set()
    return {str(role) for role in staff_roles(contest.id, current_user.id)}


@bp.route("/")
@signed_in
def index():
    """The contests the user judges, chief-judges or keeps the codes of, with their parts."""
    return render_template(
        TEMPLATES + "judging_index.html",
        contests=my_contests(current_user.id),
        stage_labels=STAGE_LABELS,
        Staff=StaffRole,
    )


def _sheet(contest_id: int) -> tuple[Contest, MarkingSheet]:
    """The contest and the judge's sheet; 404 for a contest the user does not judge."""
    contest = db.get_or_404(Contest, contest_id)
    try:
        return contest, marking_sheet(current_actor(), contest.id)
    except DomainError:
        abort(404)


@bp.route("/<int:contest_id>/")
@roles_required(Role.JUDGE)
def sheet(contest_id: int):
    """The aspects of the judge's panels with how many codes each has marked; ?aspect= opens one."""
    contest, marks = _sheet(contest_id)
    items = panel_items(contest.id, current_user.id, marks.marks)
    chosen = int_arg("aspect")
    if chosen in {item.aspect.id for item in items}:
        return redirect(url_for("judging.aspect", contest_id=contest.id, aspect_id=chosen))
    return render_template(
        TEMPLATES + "judging_sheet.html",
        contest=contest,
        items=items,
        next_item=first_unfinished(items),
        stage_labels=STAGE_LABELS,
    )


def _page(
    contest_id: int, aspect_id: int, message: str | None = None
) -> tuple[Contest, AspectPage]:
    """One aspect of the judge's sheet; 403 for another panel's aspect, 404 for none."""
    contest, marks = _sheet(contest_id)
    items = panel_items(contest.id, current_user.id, marks.marks)
    if aspect_id not in {item.aspect.id for item in items}:
        aspect = db.session.get(Aspect, aspect_id)
        if aspect is None or aspect.contest_id != contest.id:
            abort(404)
        refusal = message or _("You are not on the panel of this aspect.")
        abort(make_response(error_response(403, refusal)))
    return contest, aspect_page(items, marks.marks, aspect_id)


def _render(contest: Contest, page: AspectPage, error: str | None = None, status: int = 200):
    return render_template(
        TEMPLATES + "judging_aspect.html",
        contest=contest,
        page=page,
        error=error,
        format_mark=format_mark,
        Kind=AspectKind,
        marking=contest.stage in (Stage.PRACTICAL, Stage.PUBLICITY),
    ), status


def _save(contest_id: int, aspect_id: int, form: MarkForm):
    """Save the form's mark with the service fitting the aspect's kind."""
    aspect = db.session.get(Aspect, aspect_id)
    measured = aspect is not None and aspect.kind is AspectKind.MEASUREMENT
    save = save_agreed_mark if measured else save_judge_score
    value = (form.value.data or "").strip()
    reason = form.reason.data or ""
    args = (current_actor(), contest_id, form.entry_id.data, aspect_id, value, form.version.data)
    return save(*args, reason=reason)


def _refused(contest_id: int, aspect_id: int, form: MarkForm, message: str, status: int):
    """The aspect page again with the refusal on its row (and on top); nothing was saved."""
    contest, page = _page(contest_id, aspect_id, message)
    entry_id = form.entry_id.data
    page.errors[entry_id] = message
    if status != 409:  # a stale mark shows what is saved now; anything else what was sent
        page.typed[entry_id] = (form.value.data or "").strip()
    return _render(contest, page, message, status)


@bp.route("/<int:contest_id>/aspects/<int:aspect_id>", methods=["GET", "POST"])
@roles_required(Role.JUDGE)
def aspect(contest_id: int, aspect_id: int):
    """One aspect of the judge's panels, a row per entry code; POST saves one row's mark."""
    if request.method == "GET":
        return _render(*_page(contest_id, aspect_id))
    form = MarkForm()
    if not form.validate_on_submit():
        return _refused(contest_id, aspect_id, form, form.first_error(), 400)
    try:
        row = _save(contest_id, aspect_id, form)
    except DomainError as error:
        db.session.rollback()
        status = 409 if isinstance(error, StaleMark) else 400
        return _refused(contest_id, aspect_id, form, str(error), status)
    db.session.commit()
    code = db.session.get(Entry, row.entry_id).code
    flash(_("Mark %(mark)s saved for %(code)s.", mark=_value(row), code=code), "success")
    anchor = f"entry-{row.entry_id}"
    return redirect(
        url_for("judging.aspect", contest_id=contest_id, aspect_id=aspect_id, _anchor=anchor)
    )


def _value(row) -> str:
    """The saved mark of a judge's score or agreed mark row, as people write it."""
    return format_mark(row.mark if hasattr(row, "mark") else row.score)


@bp.route("/<int:contest_id>/aspects/<int:aspect_id>/mark.json", methods=["POST"])
@roles_required(Role.JUDGE)
def mark_json(contest_id: int, aspect_id: int):
    """Save one row's mark for the page's script: JSON, 400 or 409 with a message."""
    form = MarkForm()
    if not form.validate_on_submit():
        return jsonify(ok=False, message=form.first_error(), field="form"), 400
    try:
        row = _save(contest_id, aspect_id, form)
    except StaleMark as error:
        db.session.rollback()
        current = None if error.current is None else format_mark(error.current)
        reply = {"message": str(error), "field": "version", "current": current}
        return jsonify(ok=False, version=error.version, **reply), 409
    except DomainError as error:
        db.session.rollback()
        return jsonify(ok=False, message=str(error), field=error.field), 400
    db.session.commit()
    value = _value(row)
    message = _("Saved: %(mark)s.", mark=value)
    return jsonify(
        ok=True, entry_id=row.entry_id, value=value, version=row.version, message=message
    )


def _chief_contest(contest_id: int) -> Contest:
    """The contest, when the user is its chief judge; 404 otherwise."""
    contest = db.get_or_404(Contest, contest_id)
    if not is_chief_judge(current_actor(), contest.id):
        abort(404)
    return contest


def _progress_page(contest: Contest, error: str | None = None, status: int = 200):
    spreads: dict[int, list] = {}
    for spread in flagged_spreads(current_actor(), contest.id):
        spreads.setdefault(spread.criterion_id, []).append(spread)
    return render_template(
        TEMPLATES + "judging_progress.html",
        contest=contest,
        rows=criterion_progress(contest.id),
        spreads=spreads,
        limit=format_mark(Decimal(str(contest.spread_limit))),
        form=ConfirmForm(),
        error=error,
        format_mark=format_mark,
        stage_labels=STAGE_LABELS,
        locking=contest.stage in (Stage.PRACTICAL, Stage.PUBLICITY),
    ), status


@bp.route("/<int:contest_id>/progress")
@roles_required(Role.JUDGE)
def progress(contest_id: int):
    """The chief judge's view: each criterion's marks in, flagged spreads, and locking."""
    return _progress_page(_chief_contest(contest_id))


@bp.route("/<int:contest_id>/criteria/<int:criterion_id>/lock", methods=["POST"])
@roles_required(Role.JUDGE)
def lock(contest_id: int, criterion_id: int):
    """Lock a criterion whose marks are all in and agree (the chief judge)."""
    contest = _chief_contest(contest_id)
    if not ConfirmForm().validate_on_submit():
        return _progress_page(contest, _("The form had expired. Try again."), 400)
    try:
        criterion = lock_criterion(current_actor(), contest.id, criterion_id)
    except DomainError as error:
        db.session.rollback()
        return _progress_page(_chief_contest(contest_id), str(error), 400)
    db.session.commit()
    flash(_("Criterion %(code)s is locked.", code=criterion.code), "success")
    if contest.stage is Stage.LOCKED:
        flash(_("Every criterion is locked: the encryption officer may now reveal the codes."))
    return redirect(url_for("judging.progress", contest_id=contest.id))


def _mapping_page(contest_id: int, error: str | None = None, status: int = 200):
    """The code-to-entrant mapping, for whoever the draw service shows it to; 404 otherwise."""
    try:
        lots = lot_mapping(current_actor(), contest_id)
    except DomainError:
        abort(404)
    contest = db.session.get(Contest, contest_id)
    roles = staff_roles(contest.id, current_user.id)
    return render_template(
        TEMPLATES + "judging_mapping.html",
        contest=contest,
        lots=lots,
        officer=StaffRole.ENCRYPTION_OFFICER in roles,
        verified=verify_draw(contest.id),
        form=ConfirmForm(),
        error=error,
        stage_labels=STAGE_LABELS,
        Stage=Stage,
    ), status


@bp.route("/<int:contest_id>/mapping")
@signed_in
def mapping(contest_id: int):
    """Which entrant stands behind each entry code: the encryption officer's page."""
    return _mapping_page(contest_id)


@bp.route("/<int:contest_id>/reveal", methods=["POST"])
@signed_in
def reveal_codes(contest_id: int):
    """Reveal the codes to names once every criterion is locked (the encryption officer)."""
    actor = current_actor()
    try:
        lot_mapping(actor, contest_id)  # nobody who may not see the mapping gets further
    except DomainError:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        return _mapping_page(contest_id, _("The form had expired. Try again."), 400)
    try:
        reveal(actor, contest_id)
    except DomainError as error:
        db.session.rollback()
        return _mapping_page(contest_id, str(error), 400)
    db.session.commit()
    flash(_("The entry codes are revealed: results can now show names."), "success")
    return redirect(url_for("judging.mapping", contest_id=contest_id))
