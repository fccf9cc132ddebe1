"""Founding a studio, the applicant's studios, alliance admins' approvals, and editing."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from guild.access import signed_in
from guild.accounts.models import User
from guild.extensions import db
from guild.web import current_account, current_actor
from studios.models import (
    Alliance,
    AllianceMembership,
    Decision,
    MemberStatus,
    Studio,
    StudioMember,
)
from studios.services.access import administered_alliance_ids, require_studio_member
from studios.services.memberships import decide_membership
from studios.services.studios import (
    apply_for_studio,
    decide_studio,
    update_studio,
    withdraw_application,
)
from studios.studio_forms import ApplyForm, DecisionForm, EmptyForm, StudioForm
from studios.views import bp
from studios.web import attempt


def _apply_page(form: ApplyForm, status: int = 200):
    return render_template("studios/apply.html", form=form), status


@bp.route("/apply", methods=["GET", "POST"])
@signed_in
def apply():
    """Apply to found a studio in an alliance."""
    form = ApplyForm()
    form.fill_choices()
    if not form.is_submitted():
        return _apply_page(form)
    if not form.validate():
        return _apply_page(form, 400)
    actor, fields = current_actor(), form.fields()
    ok, _studio = attempt(
        lambda: apply_for_studio(
            actor, form.alliance_id.data, fields, (form.leader_phone.data or "").strip()
        ),
        form,
    )
    if not ok:
        return _apply_page(form, 400)
    flash(_("Your application has been sent to the alliance's administrators."), "success")
    return redirect(url_for("studios.mine"))


@bp.route("/mine")
@signed_in
def mine():
    """The signed-in user's studios, applications and invitations."""
    user = current_account()
    memberships = db.session.execute(
        select(StudioMember, Studio)
        .join(Studio, Studio.id == StudioMember.studio_id)
        .where(
            StudioMember.user_id == user.id,
            StudioMember.status.in_((MemberStatus.ACTIVE, MemberStatus.INVITED)),
        )
        .order_by(Studio.name)
    ).all()
    applications = db.session.scalars(
        select(Studio)
        .where(Studio.applied_by_id == user.id, Studio.status != Decision.APPROVED)
        .order_by(Studio.created_at.desc())
        .limit(50)
    ).all()
    return render_template(
        "studios/mine.html",
        memberships=memberships,
        applications=applications,
        administers=bool(administered_alliance_ids(user.id)),
        form=EmptyForm(),
    )


@bp.route("/applications/<int:studio_id>/withdraw", methods=["POST"])
@signed_in
def withdraw(studio_id: int):
    """The applicant takes back a founding application."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    actor = current_actor()
    if attempt(lambda: withdraw_application(actor, studio_id))[0]:
        flash(_("The application has been withdrawn."), "success")
    return redirect(url_for("studios.mine"))


def _pending(alliance_ids: list[int]) -> tuple[list, list]:
    studios = db.session.execute(
        select(Studio, Alliance, User)
        .join(Alliance, Alliance.id == Studio.applied_alliance_id)
        .join(User, User.id == Studio.applied_by_id)
        .where(Studio.applied_alliance_id.in_(alliance_ids), Studio.status == Decision.PENDING)
        .order_by(Studio.created_at)
        .limit(200)
    ).all()
    joins = db.session.execute(
        select(AllianceMembership, Studio)
        .join(Studio, Studio.id == AllianceMembership.studio_id)
        .where(
            AllianceMembership.alliance_id.in_(alliance_ids),
            AllianceMembership.status == Decision.PENDING,
        )
        .order_by(AllianceMembership.applied_at)
        .limit(200)
    ).all()
    return studios, joins


def _approvals_page(status: int = 200, forms: dict | None = None):
    alliance_ids = administered_alliance_ids(current_account().id)
    if not alliance_ids:
        abort(403)
    studios, joins = _pending(alliance_ids)
    return render_template(
        "studios/approvals.html",
        studios=studios,
        joins=joins,
        forms=forms or {},
        blank=DecisionForm(formdata=None),
    ), status


@bp.route("/approvals")
@signed_in
def approvals():
    """An alliance admin's pending studio and membership applications."""
    return _approvals_page()


def _decide(kind: str, object_id: int, service):
    form = DecisionForm()
    if not form.validate_on_submit():
        return _approvals_page(400, {(kind, object_id): form})
    actor, approve, note = current_actor(), form.decision.data == "approve", form.note.data or ""
    ok, _result = attempt(lambda: service(actor, object_id, approve, note), form)
    if not ok:
        return _approvals_page(400, {(kind, object_id): form})
    flash(_("Approved.") if approve else _("Rejected."), "success")
    return redirect(url_for("studios.approvals"))


@bp.route("/approvals/studios/<int:studio_id>", methods=["POST"])
@signed_in
def decide_founding(studio_id: int):
    """Approve or reject a founding application."""
    return _decide("studio", studio_id, decide_studio)


@bp.route("/approvals/memberships/<int:membership_id>", methods=["POST"])
@signed_in
def decide_joining(membership_id: int):
    """Approve or reject a studio's application to join an alliance."""
    return _decide("membership", membership_id, decide_membership)


def _edit_page(studio: Studio, form: StudioForm, status: int = 200):
    return render_template("studios/edit.html", studio=studio, form=form), status


@bp.route("/<int:studio_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(studio_id: int):
    """The leader edits the studio's details."""
    actor = current_actor()
    studio = attempt(lambda: require_studio_member(actor, studio_id, leader_only=True))[1]
    form = StudioForm(obj=None if _submitted() else studio)
    form.fill_choices()
    if not form.is_submitted():
        form.leader_honours.data = "\n".join(studio.leader_honours or [])
        return _edit_page(studio, form)
    if not form.validate():
        return _edit_page(studio, form, 400)
    fields = form.fields()
    if not attempt(lambda: update_studio(actor, studio_id, fields), form)[0]:
        return _edit_page(db.session.get(Studio, studio_id), form, 400)
    flash(_("The studio has been saved."), "success")
    return redirect(url_for("studios.studio", studio_id=studio_id))


def _submitted() -> bool:
    from flask import request

    return request.method == "POST"
