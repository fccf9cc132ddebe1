"""An entrant's own result and appeals; the organiser's publication, rulings and finalising.

Routes on the `contest_entries` blueprint (registered by importing this from entry_views).
A worker only ever sees their own marks, and only once results are published.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from competitions.contests import entry_pages as pages
from competitions.contests.entry_forms import AppealForm, RulingForm
from competitions.contests.entry_views import bp
from competitions.contests.marking_models import Appeal, AppealStatus
from competitions.contests.models import Contest
from competitions.contests.services import appeals as appeal_service
from competitions.contests.services.results import entrant_result
from guild.access import roles_required, signed_in
from guild.errors import DomainError
from guild.extensions import db
from guild.forms import select_choices
from guild.web import current_actor, show_domain_error

ORGANISERS = pages.ORGANISERS


def _refused(error: DomainError, form=None) -> None:
    """Undo the request's writes and show the refusal on the form's field or as a flash."""
    db.session.rollback()
    if form is None or not show_domain_error(form, error):
        flash(str(error), "danger")


def _result_page(contest: Contest, form: AppealForm, status: int = 200):
    """My result (once published), my appeals and their rulings, and the appeal form."""
    try:
        result, refusal = entrant_result(contest.id, current_user.id), None
    except DomainError as error:
        result, refusal = None, str(error)
    aspects = {row[0]: row for row in pages.aspect_rows(contest.id)} if result else {}
    appeals = appeal_service.own_appeals(contest.id, current_user.id)
    context = {
        "contest": contest,
        "result": result,
        "refusal": refusal,
        "aspects": aspects,
        "groups": {group.id: group.name for group in contest.groups},
        "appeals": appeals,
        "appeals_open": appeal_service.appeals_open(contest),
        "appeal_waiting": appeal_service.waiting_for_ruling(appeals),
        "form": form,
    }
    return render_template("competitions/contests/entry_result.html", **context), status


@bp.route("/<int:contest_id>/entry/result")
@signed_in
def result(contest_id: int):
    """My own marks and result once published, with my appeals."""
    return _result_page(pages.visible_contest(contest_id), AppealForm())


@bp.route("/<int:contest_id>/appeals/new", methods=["POST"])
@signed_in
def appeal(contest_id: int):
    """File an appeal against my published result inside the publicity window."""
    contest = pages.visible_contest(contest_id)
    form = AppealForm()
    if not form.validate_on_submit():
        return _result_page(contest, form, 400)
    try:
        appeal_service.file_appeal(current_actor(), contest.id, form.reason.data)
    except DomainError as error:
        _refused(error, form)
        return _result_page(pages.visible_contest(contest_id), form, 400)
    db.session.commit()
    flash(_("Your appeal has been filed. The organisers will rule on it."), "success")
    return redirect(url_for("contest_entries.result", contest_id=contest.id))


def _aspect_choices(contest: Contest) -> list[SelectChoice]:
    pairs = (
        (aspect_id, f"{code} {text[:40]} · {criterion}")
        for aspect_id, code, text, criterion, _locked in pages.aspect_rows(contest.id)
    )
    return select_choices(pairs, _("Reopen no aspect"))


def _ruling_form(appeal: Appeal, choices, formdata=None) -> RulingForm:
    """The ruling form of one appeal, its fields prefixed by the appeal's id."""
    form = RulingForm(prefix=f"appeal-{appeal.id}", formdata=formdata)
    form.reopen_aspect_id.choices = choices
    return form


def _appeals_page(contest: Contest, posted: tuple[int, RulingForm] | None = None, status=200):
    """The contest's appeals with a ruling form for each open one; publish and finalise."""
    found = appeal_service.appeals_of(contest.id)
    choices = _aspect_choices(contest)
    forms = {
        item.id: _ruling_form(item, choices) for item in found if item.status is AppealStatus.OPEN
    }
    if posted is not None:  # the form sent, with its errors, in place of a blank one
        forms[posted[0]] = posted[1]
    aspects = {aspect_id: code for aspect_id, code, *_rest in pages.aspect_rows(contest.id)}
    context = {
        "contest": contest,
        "appeals": found,
        "forms": forms,
        "names": pages.entry_names(item.entry_id for item in found),
        "filers": pages.names_of(item.filed_by_id for item in found),
        "aspects": aspects,
        "appeals_open": appeal_service.appeals_open(contest),
    }
    return render_template("competitions/contests/entry_appeals.html", **context), status


@bp.route("/<int:contest_id>/appeals")
@roles_required(*ORGANISERS)
def appeals(contest_id: int):
    """The organiser's page of a contest's publication, appeals and rulings."""
    return _appeals_page(pages.visible_contest(contest_id))


@bp.route("/<int:contest_id>/appeals/<int:appeal_id>/ruling", methods=["POST"])
@roles_required(*ORGANISERS)
def rule(contest_id: int, appeal_id: int):
    """Record the ruling on an appeal; an upheld one may reopen an aspect for re-marking."""
    contest = pages.visible_contest(contest_id)
    found = db.session.get(Appeal, appeal_id)
    if found is None or found.contest_id != contest.id:
        abort(404)
    form = RulingForm(prefix=f"appeal-{found.id}")
    form.reopen_aspect_id.choices = _aspect_choices(contest)
    if not form.validate_on_submit():
        return _appeals_page(contest, (found.id, form), 400)
    try:
        appeal_service.rule_appeal(
            current_actor(),
            found.id,
            form.decision.data == "upheld",
            form.ruling.data,
            form.reopen_aspect_id.data,
        )
    except DomainError as error:
        _refused(error, form)
        return _appeals_page(pages.visible_contest(contest_id), (appeal_id, form), 400)
    db.session.commit()
    flash(_("The ruling has been recorded."), "success")
    return redirect(url_for("contest_entries.appeals", contest_id=contest.id))


def _stage_action(contest_id: int, action, done: str):
    """Run a publish or finalise service for the contest; refusals re-show the page."""
    contest = pages.visible_contest(contest_id)
    try:
        action(current_actor(), contest.id)
    except DomainError as error:
        _refused(error)
        return _appeals_page(pages.visible_contest(contest_id), status=400)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("contest_entries.appeals", contest_id=contest.id))


@bp.route("/<int:contest_id>/publish", methods=["POST"])
@roles_required(*ORGANISERS)
def publish(contest_id: int):
    """Publish the revealed results and open the publicity window for appeals."""
    message = _("Results are published. Entrants may appeal until the window closes.")
    return _stage_action(contest_id, appeal_service.publish_results, message)


@bp.route("/<int:contest_id>/finalise", methods=["POST"])
@roles_required(*ORGANISERS)
def finalise(contest_id: int):
    """Make the results final once the window has closed and every appeal is ruled."""
    return _stage_action(contest_id, appeal_service.finalise, _("The results are final."))
