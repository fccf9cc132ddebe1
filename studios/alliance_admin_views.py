"""Platform admins' pages: creating alliances, appointing and removing their administrators."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from guild.access import roles_required
from guild.accounts.roles import Role
from guild.extensions import db
from guild.web import current_actor, small_int
from studios.models import Alliance, AllianceKind
from studios.services.alliances import (
    AllianceFields,
    alliance_admins,
    appoint_alliance_admin,
    create_alliance,
    remove_alliance_admin,
)
from studios.studio_forms import AllianceForm, MemberForm, PhoneForm
from studios.views import bp
from studios.web import attempt


def _new_page(form: AllianceForm, status: int = 200):
    return render_template("studios/alliance_new.html", form=form), status


@bp.route("/alliances/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_alliance():
    """Create the provincial alliance or a city or industry alliance under it."""
    form = AllianceForm()
    form.fill_choices()
    if not form.is_submitted():
        return _new_page(form)
    if not form.validate():
        return _new_page(form, 400)
    fields = AllianceFields(
        name=form.name.data or "",
        kind=AllianceKind(form.kind.data),
        city=form.city.data or "",
        industry=form.industry.data or "",
        description=form.description.data or "",
    )
    actor = current_actor()
    ok, alliance = attempt(lambda: create_alliance(actor, fields), form)
    if not ok:
        return _new_page(form, 400)
    flash(_("The alliance has been created."), "success")
    return redirect(url_for("studios.alliance_admins_page", alliance_id=alliance.id))


def _admins_page(alliance_id: int, form: PhoneForm | None = None, status: int = 200):
    alliance = db.get_or_404(Alliance, alliance_id)
    return render_template(
        "studios/alliance_admins.html",
        alliance=alliance,
        admins=alliance_admins(alliance.id),
        form=form or PhoneForm(formdata=None),
        remove_form=MemberForm(formdata=None),
    ), status


@bp.route("/alliances/<int:alliance_id>/admins")
@roles_required(Role.ADMIN)
def alliance_admins_page(alliance_id: int):
    """The alliance's administrators, with appointing and removing."""
    return _admins_page(alliance_id)


@bp.route("/alliances/<int:alliance_id>/admins/appoint", methods=["POST"])
@roles_required(Role.ADMIN)
def appoint_admin(alliance_id: int):
    """Appoint the user with a phone number as an administrator of the alliance."""
    form = PhoneForm()
    if not form.validate_on_submit():
        return _admins_page(alliance_id, form, 400)
    actor, phone = current_actor(), form.phone.data.strip()
    if not attempt(lambda: appoint_alliance_admin(actor, alliance_id, phone), form)[0]:
        return _admins_page(alliance_id, form, 400)
    flash(_("Appointed."), "success")
    return redirect(url_for("studios.alliance_admins_page", alliance_id=alliance_id))


@bp.route("/alliances/<int:alliance_id>/admins/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def remove_admin(alliance_id: int):
    """Take a user off the alliance's administrators."""
    form = MemberForm()
    user_id = small_int(form.member_id.data) if form.validate_on_submit() else None
    if user_id is None:
        abort(400)
    actor = current_actor()
    if not attempt(lambda: remove_alliance_admin(actor, alliance_id, user_id))[0]:
        return _admins_page(alliance_id, status=400)
    flash(_("Removed."), "success")
    return redirect(url_for("studios.alliance_admins_page", alliance_id=alliance_id))
