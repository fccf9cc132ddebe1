"""The challenge's review by its alliance, and the poster's attachments: routes on `challenges`."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from guild.access import signed_in
from guild.web import current_actor
from studios.challenge_forms import AttachForm, ReviewForm
from studios.challenge_views import (
    _act_on,
    _insider_challenge,
    _may,
    _poster_name,
    _user,
    bp,
)
from studios.services import challenge_files, challenges
from studios.services.challenge_flow import Part
from studios.services.courseware import Upload
from studios.web import attempt, found


def _review_page(challenge, form, status: int = 200):
    context = {"challenge": challenge, "form": form, "poster_name": _poster_name(challenge)}
    return render_template("studios/challenge_review.html", **context), status


@bp.route("/<int:challenge_id>/review", methods=["GET", "POST"])
@signed_in
def review(challenge_id: int):
    """An admin of the reviewing alliance opens the challenge or rejects it with a reason."""
    challenge = _insider_challenge(challenge_id)
    if Part.REVIEWER not in challenges.parts_of(_user(), challenge):
        abort(403)
    if not _may("approve", challenge) and not _may("reject", challenge):
        flash(_("This challenge is not waiting for review."), "warning")
        return redirect(url_for("challenges.detail", challenge_id=challenge_id))
    form = ReviewForm()
    if not form.is_submitted():
        return _review_page(challenge, form)
    if not form.validate():
        return _review_page(challenge, form, 400)
    approve = form.decision.data == "approve"
    done, _result = attempt(
        lambda: challenges.review_challenge(
            current_actor(), challenge_id, approve, form.reason.data or ""
        ),
        form,
    )
    if not done:
        return _review_page(_insider_challenge(challenge_id), form, 400)
    flash(_("The challenge is open.") if approve else _("The challenge was rejected."), "success")
    return redirect(url_for("challenges.detail", challenge_id=challenge_id))


@bp.route("/<int:challenge_id>/attachments", methods=["POST"])
@signed_in
def attach(challenge_id: int):
    """The poster attaches a file to a draft or a rejected challenge."""
    _insider_challenge(challenge_id)
    form = AttachForm()
    data = form.file.data if form.validate_on_submit() else None
    upload = Upload(getattr(data, "stream", None), getattr(data, "filename", "") or "")
    return _act_on(
        challenge_id,
        lambda: challenge_files.attach_file(current_actor(), challenge_id, upload),
        _("The file has been attached."),
    )


@bp.route("/<int:challenge_id>/attachments/<int:file_id>/remove", methods=["POST"])
@signed_in
def remove_attachment(challenge_id: int, file_id: int):
    """The poster removes a file from a draft or a rejected challenge."""
    _insider_challenge(challenge_id)
    item = found(lambda: challenge_files.readable_file(_user(), file_id))
    if item.challenge_id != challenge_id:
        abort(404)
    return _act_on(
        challenge_id,
        lambda: challenge_files.remove_file(current_actor(), file_id),
        _("The file has been removed."),
    )
