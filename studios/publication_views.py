"""Patents, achievements and search across the studios' publications: `publications`.

This module holds the blueprint, its helpers, the search page and the patent pages; the
achievement and photo pages are in `achievement_views`, imported at the bottom.
Studio publication pages are public for approved studios (any other studio: 404); adding,
editing and status changes are for the studio's active members (others: 403).
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import BuildError

from guild.access import public, signed_in
from guild.accounts.models import User
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.forms import select_choices
from guild.web import current_actor, int_arg
from studios.models import Decision, MemberStatus, Studio, StudioMember
from studios.publication_forms import EmptyForm, PatentForm, StatusForm
from studios.publication_models import PatentStatus, PatentType
from studios.search_models import SearchKind
from studios.services import patents as patent_service
from studios.services.access import require_studio_member, studio_role
from studios.services.search import search as run_search
from studios.web import attempt

bp = Blueprint("publications", __name__, url_prefix="/studios")
PER_PAGE = 20
KIND_NAMES = {
    SearchKind.STUDIO: _l("Studio"),
    SearchKind.PATENT: _l("Patent"),
    SearchKind.ACHIEVEMENT: _l("Achievement"),
    SearchKind.COURSEWARE: _l("Courseware"),
}
KIND_LABELS = {
    SearchKind.STUDIO: _l("Studios"),
    SearchKind.PATENT: _l("Patents"),
    SearchKind.ACHIEVEMENT: _l("Achievements"),
    SearchKind.COURSEWARE: _l("Courseware"),
}


@bp.before_request
def _real_ids():
    """An id in the path no table can hold is a page that does not exist (never a 500)."""
    if any(not 0 < value <= MAX_ID for value in (request.view_args or {}).values()):
        abort(404)


@bp.app_template_global()
def patent_type_label(value) -> str:
    """A patent type's name in the user's language."""
    return str(patent_service.TYPE_LABELS.get(value, value))


@bp.app_template_global()
def patent_status_label(value) -> str:
    """A patent status's name in the user's language."""
    return str(patent_service.STATUS_LABELS.get(value, value))


def user_id() -> int | None:
    """The signed-in user's id, or None."""
    return current_user.id if current_user.is_authenticated else None


def public_studio(studio_id: int) -> Studio:
    """An approved studio; 404 for any other."""
    studio = db.session.get(Studio, studio_id)
    if studio is None or studio.status != Decision.APPROVED:
        abort(404)
    return studio


def member_studio(studio_id: int) -> Studio:
    """The studio if the signed-in user may publish in it; 403 or 404 otherwise."""
    studio = public_studio(studio_id)
    try:
        require_studio_member(current_actor(), studio.id)
    except DomainError:
        abort(403)
    return studio


def path_to(endpoint: str, fallback: str, **values) -> str:
    """A link to another helper's page: url_for when the endpoint exists, else the path."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return fallback


def hit_url(hit) -> str:
    """Where a search result leads."""
    if hit.kind == SearchKind.STUDIO:
        return url_for("studios.studio", studio_id=hit.object_id)
    if hit.kind == SearchKind.PATENT:
        return url_for("publications.patent", studio_id=hit.studio_id, patent_id=hit.object_id)
    if hit.kind == SearchKind.ACHIEVEMENT:
        return url_for(
            "publications.achievement", studio_id=hit.studio_id, achievement_id=hit.object_id
        )
    return path_to(
        "courseware.courseware_detail",
        f"/studios/courseware/{hit.object_id}",
        courseware_id=hit.object_id,
    )


@bp.route("/search")
@public
def search():
    """Search studios, patents, achievements and courseware; filter by kind, a page at a time."""
    query = (request.args.get("q") or "")[:200]
    kind = request.args.get("kind") or ""
    kinds = {SearchKind(kind)} if kind in set(SearchKind) else None
    page = min(int_arg("page") or 1, 500)
    results = run_search(query, kinds, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    studio_ids = {hit.studio_id for hit in results.items}
    rows = db.session.execute(db.select(Studio.id, Studio.name).where(Studio.id.in_(studio_ids)))
    names = {studio_id: name for studio_id, name in rows}
    return render_template(
        "studios/search.html",
        query=query,
        kind=kind if kinds else "",
        results=results,
        page=page,
        kind_labels={k.value: str(label) for k, label in KIND_LABELS.items()},
        kind_names={k.value: str(label) for k, label in KIND_NAMES.items()},
        studio_names=names,
        hit_url=hit_url,
    )


# ---- patents ------------------------------------------------------------------------------


def member_choices(studio_id: int) -> list[tuple[int, str]]:
    """The studio's active members as inventor choices."""
    rows = db.session.execute(
        db.select(User.id, User.real_name)
        .join(StudioMember, StudioMember.user_id == User.id)
        .where(StudioMember.studio_id == studio_id, StudioMember.status == MemberStatus.ACTIVE)
        .order_by(StudioMember.role, User.id)
    ).all()
    return [(row.id, row.real_name) for row in rows]


def patent_fields(form: PatentForm) -> patent_service.PatentFields:
    """The service's fields from a validated form."""
    return patent_service.PatentFields(
        patent_type=PatentType(form.patent_type.data),
        application_number=form.application_number.data or "",
        title=form.title.data or "",
        filed_on=form.filed_on.data,
        granted_on=form.granted_on.data,
        member_ids=list(form.member_ids.data or []),
        other_inventors=form.other_names(),
        abstract=form.abstract.data or "",
        challenge_id=form.challenge_id.data,
    )


@bp.route("/<int:studio_id>/patents")
@public
def patents(studio_id: int):
    """A studio's patents."""
    studio = public_studio(studio_id)
    return render_template(
        "studios/patent_list.html",
        studio=studio,
        patents=patent_service.studio_patents(studio.id),
        role=studio_role(user_id(), studio.id),
    )


@bp.route("/<int:studio_id>/patents/<int:patent_id>")
@public
def patent(studio_id: int, patent_id: int, status_form: StatusForm | None = None):
    """A patent with its legal status history."""
    studio = public_studio(studio_id)
    try:
        found = patent_service.get_patent(patent_id, studio.id)
    except DomainError:
        abort(404)
    role = studio_role(user_id(), studio.id)
    return render_template(
        "studios/patent_detail.html",
        studio=studio,
        patent=found,
        history=patent_service.status_history(found.id),
        role=role,
        may_delete=patent_service.may_delete(user_id(), found),
        status_form=status_form or StatusForm(formdata=None),
        delete_form=EmptyForm(),
    ), (400 if status_form is not None else 200)


def _patent_form(studio: Studio, patent_id: int | None):
    form = PatentForm()
    form.member_ids.choices = select_choices(member_choices(studio.id))
    if form.validate_on_submit():
        fields = patent_fields(form)
        actor = current_actor()
        if patent_id is None:
            call = lambda: patent_service.add_patent(actor, studio.id, fields)  # noqa: E731
        else:
            call = lambda: patent_service.update_patent(actor, studio.id, patent_id, fields)  # noqa: E731
        done, saved = attempt(call, form)
        if done:
            flash(_("The patent is saved."), "success")
            return redirect(url_for(".patent", studio_id=studio.id, patent_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "studios/patent_form.html", studio=studio, form=form, patent_id=patent_id
    ), status


@bp.route("/<int:studio_id>/patents/new", methods=["GET", "POST"])
@signed_in
def new_patent(studio_id: int):
    """A member adds a patent."""
    return _patent_form(member_studio(studio_id), None)


@bp.route("/<int:studio_id>/patents/<int:patent_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_patent(studio_id: int, patent_id: int):
    """A member edits a patent."""
    studio = member_studio(studio_id)
    try:
        found = patent_service.get_patent(patent_id, studio.id)
    except DomainError:
        abort(404)
    if request.method == "GET":
        form = PatentForm(obj=found)
        form.member_ids.data = [i["user_id"] for i in found.inventors if i.get("user_id")]
        form.other_inventors.data = "\n".join(
            i["name"] for i in found.inventors if not i.get("user_id")
        )
        form.member_ids.choices = select_choices(member_choices(studio.id))
        form.patent_type.data = found.patent_type.value
        return render_template(
            "studios/patent_form.html", studio=studio, form=form, patent_id=found.id
        )
    return _patent_form(studio, found.id)


@bp.route("/<int:studio_id>/patents/<int:patent_id>/status", methods=["POST"])
@signed_in
def patent_status(studio_id: int, patent_id: int):
    """A member records a change of the patent's legal status."""
    studio = member_studio(studio_id)
    form = StatusForm()
    if form.validate_on_submit():
        actor, status = current_actor(), PatentStatus(form.status.data)
        done, _change = attempt(
            lambda: patent_service.change_status(
                actor, studio.id, patent_id, status, form.changed_on.data, form.note.data or ""
            ),
            form,
        )
        if done:
            flash(_("The status change is recorded."), "success")
            return redirect(url_for(".patent", studio_id=studio.id, patent_id=patent_id))
    return patent(studio.id, patent_id, status_form=form)


@bp.route("/<int:studio_id>/patents/<int:patent_id>/delete", methods=["POST"])
@signed_in
def delete_patent(studio_id: int, patent_id: int):
    """The leader (or the member who added it) deletes a patent."""
    studio = member_studio(studio_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    actor = current_actor()
    done, _result = attempt(lambda: patent_service.delete_patent(actor, studio.id, patent_id))
    if not done:
        return redirect(url_for(".patent", studio_id=studio.id, patent_id=patent_id))
    flash(_("The patent is deleted."), "success")
    return redirect(url_for(".patents", studio_id=studio.id))


from studios import achievement_views  # noqa: E402,F401
