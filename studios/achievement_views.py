"""Achievement and photo pages of blueprint `publications` (registered by publication_views).

Photos are served with the image type their bytes showed on upload, never as HTML, with
`X-Content-Type-Options: nosniff`.
"""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from guild.access import public, signed_in
from guild.errors import DomainError
from guild.money import fen_to_yuan
from guild.storage import storage
from guild.web import current_actor
from studios.publication_forms import AchievementForm, EmptyForm, PhotoForm
from studios.publication_views import (
    attempt,
    bp,
    member_studio,
    public_studio,
    user_id,
)
from studios.services import achievement_photos as photo_service
from studios.services import achievements as service
from studios.services.access import studio_role


@bp.app_template_global()
def achievement_category_label(value) -> str:
    """An achievement category's name in the user's language."""
    return str(service.CATEGORIES.get(value, value or "—"))


def achievement_or_404(studio_id: int, achievement_id: int):
    """The studio's achievement, or 404."""
    try:
        return service.get_achievement(achievement_id, studio_id)
    except DomainError:
        abort(404)


def fields_of(form: AchievementForm) -> service.AchievementFields:
    """The service's fields from a validated form."""
    return service.AchievementFields(
        title=form.title.data or "",
        achieved_on=form.achieved_on.data,
        summary_markdown=form.summary_markdown.data or "",
        category=form.category.data or "",
        benefit_yuan=form.benefit_yuan.data or "",
        awards=form.awards.data or "",
        challenge_id=form.challenge_id.data,
    )


@bp.route("/<int:studio_id>/achievements")
@public
def achievements(studio_id: int):
    """A studio's achievements."""
    studio = public_studio(studio_id)
    return render_template(
        "studios/achievement_list.html",
        studio=studio,
        items=service.studio_achievements(studio.id),
        role=studio_role(user_id(), studio.id),
    )


@bp.route("/<int:studio_id>/achievements/<int:achievement_id>")
@public
def achievement(studio_id: int, achievement_id: int, photo_form: PhotoForm | None = None):
    """An achievement with its summary and photos."""
    studio = public_studio(studio_id)
    item = achievement_or_404(studio.id, achievement_id)
    return render_template(
        "studios/achievement_detail.html",
        studio=studio,
        item=item,
        photos=photo_service.photos_of(item.id),
        role=studio_role(user_id(), studio.id),
        may_delete=service.may_delete(user_id(), item),
        photo_form=photo_form or PhotoForm(formdata=None),
        delete_form=EmptyForm(),
        max_mb=round(photo_service.max_bytes() / 1048576, 1),
    ), (400 if photo_form is not None else 200)


def _form_page(studio, achievement_id: int | None, form: AchievementForm):
    if request.method == "POST" and form.validate_on_submit():
        fields, actor = fields_of(form), current_actor()
        if achievement_id is None:
            done, saved = attempt(lambda: service.add_achievement(actor, studio.id, fields), form)
        else:
            done, saved = attempt(
                lambda: service.update_achievement(actor, studio.id, achievement_id, fields),
                form,
            )
        if done:
            flash(_("The achievement is saved."), "success")
            return redirect(url_for(".achievement", studio_id=studio.id, achievement_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "studios/achievement_form.html", studio=studio, form=form, achievement_id=achievement_id
    ), status


@bp.route("/<int:studio_id>/achievements/new", methods=["GET", "POST"])
@signed_in
def new_achievement(studio_id: int):
    """A member adds an achievement."""
    return _form_page(member_studio(studio_id), None, AchievementForm())


@bp.route("/<int:studio_id>/achievements/<int:achievement_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_achievement(studio_id: int, achievement_id: int):
    """A member edits an achievement."""
    studio = member_studio(studio_id)
    item = achievement_or_404(studio.id, achievement_id)
    if request.method == "GET":
        form = AchievementForm(obj=item)
        form.benefit_yuan.data = fen_to_yuan(item.benefit_fen).replace(",", "")
        return _form_page(studio, item.id, form)
    return _form_page(studio, item.id, AchievementForm())


@bp.route("/<int:studio_id>/achievements/<int:achievement_id>/delete", methods=["POST"])
@signed_in
def delete_achievement(studio_id: int, achievement_id: int):
    """The leader (or the member who added it) deletes an achievement and its photos."""
    studio = member_studio(studio_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    actor = current_actor()
    done, keys = attempt(lambda: service.delete_achievement(actor, studio.id, achievement_id))
    if not done:
        return redirect(url_for(".achievement", studio_id=studio.id, achievement_id=achievement_id))
    photo_service.remove_files(keys)
    flash(_("The achievement is deleted."), "success")
    return redirect(url_for(".achievements", studio_id=studio.id))


@bp.route("/<int:studio_id>/achievements/<int:achievement_id>/photos", methods=["POST"])
@signed_in
def add_photo(studio_id: int, achievement_id: int):
    """A member uploads a photo of an achievement."""
    studio = member_studio(studio_id)
    form = PhotoForm()
    upload = request.files.get("photo")
    if form.validate_on_submit() and upload is not None:
        actor = current_actor()
        done, _photo = attempt(
            lambda: photo_service.add_photo(actor, studio.id, achievement_id, upload.stream),
            form,
        )
        if done:
            flash(_("The photo is added."), "success")
            return redirect(
                url_for(".achievement", studio_id=studio.id, achievement_id=achievement_id)
            )
    elif upload is None:
        form.photo.errors = [_("Choose a photo to upload.")]
    return achievement(studio.id, achievement_id, photo_form=form)


@bp.route("/<int:studio_id>/achievements/<int:achievement_id>/photos/<int:photo_id>")
@public
def photo(studio_id: int, achievement_id: int, photo_id: int):
    """A photo, as the image type found on upload; never sniffed, never HTML."""
    studio = public_studio(studio_id)
    try:
        found = photo_service.get_photo(studio.id, achievement_id, photo_id)
        data = storage(photo_service.AREA).read(found.storage_key)  # at most a few MB
    except (DomainError, KeyError, OSError):
        abort(404)
    response = Response(data, mimetype=found.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route(
    "/<int:studio_id>/achievements/<int:achievement_id>/photos/<int:photo_id>/delete",
    methods=["POST"],
)
@signed_in
def delete_photo(studio_id: int, achievement_id: int, photo_id: int):
    """A member removes a photo."""
    studio = member_studio(studio_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    actor = current_actor()
    done, key = attempt(
        lambda: photo_service.delete_photo(actor, studio.id, achievement_id, photo_id)
    )
    if done:
        photo_service.remove_files([key])
        flash(_("The photo is removed."), "success")
    return redirect(url_for(".achievement", studio_id=studio.id, achievement_id=achievement_id))
