"""Account administration: users, roles, deactivation: blueprint `admin`."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from guild.access import roles_required
from guild.accounts.forms import ConfirmForm, RoleForm
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.accounts.services import admin
from guild.errors import DomainError
from guild.extensions import db
from guild.web import current_actor, page_number, page_size

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    """Find accounts by name or phone, optionally by role."""
    text = request.args.get("q", "").strip()[:30]
    role = request.args.get("role", "")
    chosen_role = Role(role) if role in Role._value2member_map_ else None
    pagination = admin.search_users(text, chosen_role, page_number(), page_size())
    return render_template(
        "admin/users.html", pagination=pagination, q=text, role=chosen_role, roles=list(Role)
    )


@bp.route("/users/<int:user_id>")
@roles_required(Role.ADMIN)
def user(user_id: int):
    """One account with its roles and the actions an admin may take."""
    account = db.get_or_404(User, user_id)
    return render_template("admin/user.html", account=account, roles=list(Role), form=ConfirmForm())


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@roles_required(Role.ADMIN)
def change_role(user_id: int):
    """Grant or revoke one role (the form's `change` says which)."""
    account = db.get_or_404(User, user_id)
    form = RoleForm()
    change = request.form.get("change")
    if not form.validate_on_submit() or change not in ("grant", "revoke"):
        abort(400)
    role = Role(form.role.data)
    try:
        if change == "grant":
            admin.grant_role(current_actor(), account, role)
        else:
            admin.revoke_role(current_actor(), account, role)
    except DomainError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Roles updated."), "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def set_active(user_id: int):
    """Deactivate or reactivate an account; deactivation signs it out everywhere."""
    account = db.get_or_404(User, user_id)
    form = ConfirmForm()
    active = request.form.get("active")
    if not form.validate_on_submit() or active not in ("0", "1"):
        abort(400)
    try:
        admin.set_active(current_actor(), account, active == "1")
    except DomainError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        message = _("Account reactivated.") if active == "1" else _("Account deactivated.")
        flash(message, "success")
    return redirect(url_for("admin.user", user_id=account.id))
