"""A studio's members (invite, accept, decline, leave, remove, hand over) and its alliances."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from guild.access import signed_in
from guild.accounts.models import User
from guild.extensions import db
from guild.forms import select_choices
from guild.web import current_actor, small_int
from studios.models import (
    Alliance,
    AllianceMembership,
    Decision,
    MemberRole,
    MemberStatus,
    StudioMember,
)
from studios.services.access import studio_role
from studios.services.members import (
    answer_invitation,
    hand_over,
    invite_member,
    leave_studio,
    remove_member,
)
from studios.services.memberships import apply_to_alliance, leave_alliance
from studios.studio_forms import EmptyForm, JoinAllianceForm, MemberForm, PhoneForm
from studios.views import bp, visible_studio
from studios.web import attempt


def _members_page(studio_id: int, invite: PhoneForm | None = None, status: int = 200):
    studio = visible_studio(studio_id, current_user.id)
    rows = db.session.execute(
        select(StudioMember, User)
        .join(User, User.id == StudioMember.user_id)
        .where(
            StudioMember.studio_id == studio.id,
            StudioMember.status.in_((MemberStatus.ACTIVE, MemberStatus.INVITED)),
        )
        .order_by(StudioMember.role != MemberRole.LEADER, StudioMember.status, StudioMember.id)
        .limit(300)
    ).all()
    mine = next((member for member, user in rows if user.id == current_user.id), None)
    return render_template(
        "studios/members.html",
        studio=studio,
        rows=rows,
        mine=mine,
        role=studio_role(current_user.id, studio.id),
        invite=invite or PhoneForm(formdata=None),
        form=EmptyForm(),
    ), status


@bp.route("/<int:studio_id>/members")
@signed_in
def members(studio_id: int):
    """The studio's members and invitations; the leader invites and removes here."""
    return _members_page(studio_id)


@bp.route("/<int:studio_id>/members/invite", methods=["POST"])
@signed_in
def invite(studio_id: int):
    """The leader invites a user by phone number."""
    form = PhoneForm()
    if not form.validate_on_submit():
        return _members_page(studio_id, form, 400)
    actor, phone = current_actor(), form.phone.data.strip()
    if not attempt(lambda: invite_member(actor, studio_id, phone), form)[0]:
        return _members_page(studio_id, form, 400)
    flash(_("The invitation has been sent."), "success")
    return redirect(url_for("studios.members", studio_id=studio_id))


def _simple(studio_id: int, call, done: str, to_studio: bool = False):
    if not EmptyForm().validate_on_submit():
        abort(400)
    actor = current_actor()
    if not attempt(lambda: call(actor))[0]:
        return _members_page(studio_id, status=400)
    flash(done, "success")
    if to_studio:
        return redirect(url_for("studios.studio", studio_id=studio_id))
    return redirect(url_for("studios.members", studio_id=studio_id))


@bp.route("/<int:studio_id>/members/accept", methods=["POST"])
@signed_in
def accept(studio_id: int):
    """The signed-in user accepts their invitation."""
    call = lambda actor: answer_invitation(actor, studio_id, True)  # noqa: E731
    return _simple(studio_id, call, _("Welcome to the studio."), True)


@bp.route("/<int:studio_id>/members/decline", methods=["POST"])
@signed_in
def decline(studio_id: int):
    """The signed-in user declines their invitation."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    actor = current_actor()
    if attempt(lambda: answer_invitation(actor, studio_id, False))[0]:
        flash(_("The invitation has been declined."), "success")
    return redirect(url_for("studios.mine"))


@bp.route("/<int:studio_id>/members/leave", methods=["POST"])
@signed_in
def leave(studio_id: int):
    """An active member leaves the studio."""
    call = lambda actor: leave_studio(actor, studio_id)  # noqa: E731
    return _simple(studio_id, call, _("You have left the studio."), True)


def _member_id() -> int:
    form = MemberForm()
    member_id = small_int(form.member_id.data) if form.validate_on_submit() else None
    if member_id is None:
        abort(400)
    return member_id


@bp.route("/<int:studio_id>/members/remove", methods=["POST"])
@signed_in
def remove(studio_id: int):
    """The leader removes a member or takes back an invitation."""
    member_id, actor = _member_id(), current_actor()
    if not attempt(lambda: remove_member(actor, studio_id, member_id))[0]:
        return _members_page(studio_id, status=400)
    flash(_("Removed."), "success")
    return redirect(url_for("studios.members", studio_id=studio_id))


@bp.route("/<int:studio_id>/members/hand-over", methods=["POST"])
@signed_in
def hand_over_studio(studio_id: int):
    """The leader hands the studio over to an active member."""
    member_id, actor = _member_id(), current_actor()
    if not attempt(lambda: hand_over(actor, studio_id, member_id))[0]:
        return _members_page(studio_id, status=400)
    flash(_("The studio has a new leader."), "success")
    return redirect(url_for("studios.members", studio_id=studio_id))


def _alliances_page(studio_id: int, form: JoinAllianceForm | None = None, status: int = 200):
    studio = visible_studio(studio_id, current_user.id)
    rows = db.session.execute(
        select(AllianceMembership, Alliance)
        .join(Alliance, Alliance.id == AllianceMembership.alliance_id)
        .where(
            AllianceMembership.studio_id == studio.id,
            AllianceMembership.status.in_((Decision.APPROVED, Decision.PENDING, Decision.REJECTED)),
        )
        .order_by(Alliance.id)
    ).all()
    form = form or JoinAllianceForm(formdata=None)
    _alliance_choices(form)
    return render_template(
        "studios/studio_alliances.html",
        studio=studio,
        rows=rows,
        form=form,
        leave_form=EmptyForm(),
        is_leader=studio_role(current_user.id, studio.id) == MemberRole.LEADER,
    ), status


def _alliance_choices(form: JoinAllianceForm) -> None:
    rows = db.session.execute(select(Alliance.id, Alliance.name).order_by(Alliance.id))
    form.alliance_id.choices = select_choices(list(rows), _("Choose an alliance"))


@bp.route("/<int:studio_id>/alliances")
@signed_in
def studio_alliances(studio_id: int):
    """The studio's alliances; its leader applies to join others or leaves."""
    return _alliances_page(studio_id)


@bp.route("/<int:studio_id>/alliances/join", methods=["POST"])
@signed_in
def join_alliance(studio_id: int):
    """The leader applies for the studio to join an alliance."""
    form = JoinAllianceForm()
    _alliance_choices(form)
    if not form.validate_on_submit():
        return _alliances_page(studio_id, form, 400)
    actor, alliance_id = current_actor(), form.alliance_id.data
    if not attempt(lambda: apply_to_alliance(actor, studio_id, alliance_id), form)[0]:
        return _alliances_page(studio_id, form, 400)
    flash(_("The application has been sent to the alliance's administrators."), "success")
    return redirect(url_for("studios.studio_alliances", studio_id=studio_id))


@bp.route("/<int:studio_id>/alliances/<int:alliance_id>/leave", methods=["POST"])
@signed_in
def leave_an_alliance(studio_id: int, alliance_id: int):
    """The leader takes the studio out of an alliance (or withdraws its application)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    actor = current_actor()
    if not attempt(lambda: leave_alliance(actor, studio_id, alliance_id))[0]:
        return _alliances_page(studio_id, status=400)
    flash(_("The studio has left the alliance."), "success")
    return redirect(url_for("studios.studio_alliances", studio_id=studio_id))
