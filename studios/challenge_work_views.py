"""Claims, selection, milestones, delivery and acceptance of challenges: `challenge_work`.

Here: claiming (with attachments), withdrawing, the poster's selection page, the claim page,
the published results and file downloads; selecting with milestones, milestone reports and
confirmations and the acceptance are in `challenge_delivery_views` on the same blueprint.
The panel on the challenge's page (templates/studios/_challenge_work.html) reads
`challenge_work_panel(challenge)`. Upload routes accept bodies up to FILES_AT_ONCE files of
COURSEWARE_MAX_BYTES plus FORM_ALLOWANCE (set per request before any hook reads the form).
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from guild.access import public, signed_in
from guild.errors import DomainError, error_response
from guild.extensions import MAX_ID
from guild.timeutil import local_day, utcnow
from guild.web import current_account, current_actor, page_number, show_domain_error
from studios.challenge_work_forms import FILES_AT_ONCE, ClaimForm, uploads_of
from studios.services import challenge_work as work
from studios.services.challenge_access import is_insider, visible_challenge
from studios.services.challenge_claims import shortlist_claim, withdraw_claim
from studios.services.challenge_files import file_response, files_of, readable_file
from studios.services.challenge_flow import CLAIM_LABELS, MILESTONE_LABELS, PART_REFUSALS, Part
from studios.services.challenge_panel import build_panel
from studios.services.challenge_work_actions import claim_with_files
from studios.web import accept_uploads, attempt, found

bp = Blueprint("challenge_work", __name__, url_prefix="/challenges")
UPLOAD_ENDPOINTS = frozenset({"challenge_work.claim", "challenge_work.report"})
accept_uploads(bp, UPLOAD_ENDPOINTS, files=FILES_AT_ONCE)
RESULTS_PER_PAGE = 20


@bp.before_request
def _real_ids():
    """An id in the path no table can hold is a page that does not exist (never a 500)."""
    if any(not 0 < value <= MAX_ID for value in (request.view_args or {}).values()):
        abort(404)


@bp.app_template_global()
def challenge_work_panel(challenge):
    """The claims-and-delivery panel of a challenge's page, for the signed-in user."""
    return build_panel(current_account(), challenge, utcnow(), today())


@bp.app_template_global()
def claim_state_label(state) -> str:
    """A claim state's name in the user's language."""
    return str(CLAIM_LABELS.get(state, state))


@bp.app_template_global()
def milestone_state_label(state) -> str:
    """A milestone state's name in the user's language."""
    return str(MILESTONE_LABELS.get(state, state))


def today():
    """Today in the union's time zone (due dates are calendar days there)."""
    return local_day(utcnow(), current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _show_on_form(form, error: DomainError) -> bool:
    """The error on its field; a file's error on the form's files field."""
    if error.field == "file" and hasattr(form, "files"):
        form.files.errors = [*form.files.errors, str(error)]
        return True
    return show_domain_error(form, error)


def readable_claim(claim_id: int):
    """The claim and its challenge, if the user may read it: 404 for anyone else."""
    return found(lambda: work.visible_claim(current_account(), claim_id))


def challenge_page(challenge_id: int) -> str:
    """The challenge's page, where the panel is."""
    return url_for("challenges.detail", challenge_id=challenge_id) + "#work"


def claim_page(claim_id: int) -> str:
    """A claim's page."""
    return url_for("challenge_work.claim_detail", claim_id=claim_id)


def max_mb() -> int:
    """The size limit of one file, in MB."""
    return max(1, current_app.config["COURSEWARE_MAX_BYTES"] // (1024 * 1024))


def _claim_page(challenge, form: ClaimForm, status: int = 200):
    studios = work.led_studios(current_account().id, challenge)
    form.studio_id.choices = [(studio.id, studio.name) for studio in studios]
    context = {"challenge": challenge, "form": form, "studios": studios, "max_mb": max_mb()}
    return render_template("studios/claim_form.html", **context), status


@bp.route("/<int:challenge_id>/claims/new", methods=["GET", "POST"])
@signed_in
def claim(challenge_id: int):
    """A studio leader claims the challenge with a proposal (the services check every rule)."""
    challenge = found(lambda: visible_challenge(current_account(), challenge_id))
    form = ClaimForm()
    if not form.is_submitted():
        if not work.led_studios(current_account().id, challenge):
            abort(make_response(error_response(403, str(PART_REFUSALS[Part.LEADER]))))
        return _claim_page(challenge, form)
    form.studio_id.choices = [(form.studio_id.data, "")] if form.studio_id.data else []
    if not form.validate():
        return _claim_page(challenge, form, 400)
    done, made = attempt(
        lambda: claim_with_files(
            current_actor(), challenge.id, form.studio_id.data, form.proposal(),
            uploads_of(form.files),
        ),
        form,
    )  # fmt: skip
    if not done:
        return _claim_page(
            found(lambda: visible_challenge(current_account(), challenge_id)), form, 400
        )
    flash(_("The challenge has been claimed. The poster has been told."), "success")
    return redirect(claim_page(made.id))


@bp.route("/claims/<int:claim_id>")
@signed_in
def claim_detail(claim_id: int):
    """A claim: the proposal, its files, the milestones with reports, and the verdict."""
    user = current_account()
    claim_row, challenge = found(lambda: work.visible_claim(user, claim_id))
    view = work.claim_view(user, challenge, claim_row, utcnow())
    reports = work.reports_of(m.id for m in view.milestones)
    report_ids = [report.id for listed in reports.values() for report in listed]
    context = {
        "challenge": challenge,
        "view": view,
        "files": files_of(challenge.id, claim_id=claim_row.id),
        "reports": reports,
        "report_files": work.report_files(report_ids),
        "actions": {
            m.id: work.milestone_actions(user, challenge, claim_row, m, utcnow())
            for m in view.milestones
        },
        "overdue": {m.id for m in view.milestones if work.is_overdue(m, today())},
    }
    return render_template("studios/claim_detail.html", **context)


@bp.route("/<int:challenge_id>/claims")
@signed_in
def claims(challenge_id: int):
    """The poster's (and the reviewing admins') selection page: every claim and proposal."""
    user = current_account()
    challenge = found(lambda: visible_challenge(user, challenge_id))
    if not is_insider(user, challenge):
        abort(make_response(error_response(403, str(PART_REFUSALS[Part.POSTER]))))
    now = utcnow()
    views = [work.claim_view(user, challenge, c, now) for c in work.claims_of(challenge.id)]
    files = {view.claim.id: files_of(challenge.id, claim_id=view.claim.id) for view in views}
    return render_template("studios/claim_list.html", challenge=challenge, views=views,
                           files=files)  # fmt: skip


@bp.route("/claims/<int:claim_id>/withdraw", methods=["POST"])
@signed_in
def withdraw(claim_id: int):
    """The claimant withdraws the claim before the selection."""
    readable_claim(claim_id)
    done, _made = attempt(lambda: withdraw_claim(current_actor(), claim_id))
    if done:
        flash(_("The claim has been withdrawn."), "success")
    return back_to_claim(claim_id, done)


@bp.route("/claims/<int:claim_id>/shortlist", methods=["POST"])
@signed_in
def shortlist(claim_id: int):
    """The poster shortlists a claim."""
    readable_claim(claim_id)
    done, _made = attempt(lambda: shortlist_claim(current_actor(), claim_id))
    if done:
        flash(_("The claim has been shortlisted; the studio has been told."), "success")
    return back_to_claim(claim_id, done)


def back_to_claim(claim_id: int, done: bool):
    """After a POST: back to the claim's page (303), or the refusal with status 400."""
    claim_row, _challenge = found(lambda: work.visible_claim(current_account(), claim_id))
    if done:
        return redirect(claim_page(claim_row.id), 303)
    return claim_detail(claim_id), 400


@bp.route("/results")
@public
def results():
    """The published results: challenges with a passed delivery and their benefit."""
    pages = work.published_results(page_number(), RESULTS_PER_PAGE)
    return render_template("studios/acceptance_results.html", pages=pages)


@bp.route("/files/<int:file_id>")
@public
def download(file_id: int):
    """A challenge's, a claim's or a report's file, for those who may see it."""
    item = found(lambda: readable_file(current_account(), file_id))
    return found(lambda: file_response(item))


from studios import challenge_delivery_views  # noqa: E402,F401  (its routes join bp)
