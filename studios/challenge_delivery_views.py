"""Selecting winners with their milestones, milestone reports and confirmations, and the
acceptance: routes of the `challenge_work` blueprint (imported by challenge_work_views)."""

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _

from guild.access import signed_in
from guild.timeutil import utcnow
from guild.web import current_account, current_actor
from studios.challenge_work_forms import MILESTONE_ROWS, AcceptanceForm, ReportForm, SelectForm
from studios.challenge_work_views import (
    attempt,
    back_to_claim,
    bp,
    challenge_page,
    claim_page,
    found,
    max_mb,
    readable_claim,
    today,
    uploads_of,
)
from studios.services import challenge_work as work
from studios.services.challenge_claims import MAX_MILESTONES, select_winner
from studios.services.challenge_delivery import accept_delivery, confirm_milestone
from studios.services.challenge_work_actions import report_with_files


def _claim_for_poster(claim_id: int, action: str):
    """The claim, its challenge and its view, if the user may take the action on it now."""
    user = current_account()
    claim_row, challenge = found(lambda: work.visible_claim(user, claim_id))
    view = work.claim_view(user, challenge, claim_row, utcnow())
    return claim_row, challenge, view, action in view.actions


def _select_page(claim_id: int, form: SelectForm, status: int = 200):
    _claim_row, challenge, view, may = _claim_for_poster(claim_id, "select")
    context = {"challenge": challenge, "view": view, "form": form, "may": may}
    context["more_rows"] = len(form.milestones) < MAX_MILESTONES
    return render_template("studios/claim_select.html", **context), status


@bp.route("/claims/<int:claim_id>/select", methods=["GET", "POST"])
@signed_in
def select(claim_id: int):
    """The poster selects the claim as a winner and sets its milestones with due dates."""
    readable_claim(claim_id)
    rows = MAX_MILESTONES if request.args.get("rows") == "all" else MILESTONE_ROWS
    form = SelectForm(milestones=[{}] * rows) if request.method == "GET" else SelectForm()
    if not form.is_submitted():
        return _select_page(claim_id, form)
    if not form.validate():
        return _select_page(claim_id, form, 400)
    done, _made = attempt(lambda: select_winner(current_actor(), claim_id, form.plan()), form)
    if not done:
        return _select_page(claim_id, form, 400)
    flash(_("The winner has been selected; every studio that claimed has been told."), "success")
    return redirect(claim_page(claim_id))


def _report_page(milestone_id: int, form: ReportForm, status: int = 200):
    user = current_account()
    milestone, claim_row, challenge = found(lambda: work.visible_milestone(user, milestone_id))
    actions = work.milestone_actions(user, challenge, claim_row, milestone, utcnow())
    context = {
        "challenge": challenge,
        "claim": claim_row,
        "milestone": milestone,
        "form": form,
        "may": "report" in actions,
        "overdue": work.is_overdue(milestone, today()),
        "max_mb": max_mb(),
    }
    return render_template("studios/milestone_report.html", **context), status


@bp.route("/milestones/<int:milestone_id>/report", methods=["GET", "POST"])
@signed_in
def report(milestone_id: int):
    """The winner reports progress on a milestone, with files."""
    found(lambda: work.visible_milestone(current_account(), milestone_id))
    form = ReportForm()
    if not form.is_submitted():
        return _report_page(milestone_id, form)
    if not form.validate():
        return _report_page(milestone_id, form, 400)
    done, _made = attempt(
        lambda: report_with_files(
            current_actor(), milestone_id, form.text.data, uploads_of(form.files)
        ),
        form,
    )
    if not done:
        return _report_page(milestone_id, form, 400)
    flash(_("The progress has been reported; the poster has been told."), "success")
    _milestone, claim_row, _challenge = work.visible_milestone(current_account(), milestone_id)
    return redirect(claim_page(claim_row.id))


@bp.route("/milestones/<int:milestone_id>/confirm", methods=["POST"])
@signed_in
def confirm(milestone_id: int):
    """The poster confirms a reported milestone."""
    found(lambda: work.visible_milestone(current_account(), milestone_id))
    done, _made = attempt(lambda: confirm_milestone(current_actor(), milestone_id))
    _milestone, claim_row, _challenge = found(
        lambda: work.visible_milestone(current_account(), milestone_id)
    )
    if done:
        flash(_("The milestone has been confirmed; the studio has been told."), "success")
    return back_to_claim(claim_row.id, done)


def _acceptance_page(claim_id: int, form: AcceptanceForm, status: int = 200):
    _claim_row, challenge, view, may = _claim_for_poster(claim_id, "accept")
    context = {"challenge": challenge, "view": view, "form": form, "may": may}
    return render_template("studios/acceptance_form.html", **context), status


@bp.route("/claims/<int:claim_id>/accept", methods=["GET", "POST"])
@signed_in
def accept(claim_id: int):
    """The poster records the verdict on a delivered claim; a pass publishes the result."""
    readable_claim(claim_id)
    form = AcceptanceForm()
    if not form.is_submitted():
        return _acceptance_page(claim_id, form)
    if not form.validate():
        return _acceptance_page(claim_id, form, 400)
    done, _made = attempt(lambda: accept_delivery(current_actor(), claim_id, form.verdict()), form)
    if not done:
        return _acceptance_page(claim_id, form, 400)
    flash(_("The verdict has been recorded; the studio has been told."), "success")
    claim_row, _challenge = work.visible_claim(current_account(), claim_id)
    return redirect(challenge_page(claim_row.challenge_id))
