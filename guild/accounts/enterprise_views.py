"""Enterprises: the list for everyone signed in, creation by admins: blueprint `enterprises`."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from guild.access import roles_required, signed_in
from guild.accounts.forms import EnterpriseForm
from guild.accounts.roles import Role
from guild.accounts.services import enterprises
from guild.errors import DomainError
from guild.extensions import db
from guild.forms import select_choices
from guild.web import city_choices, current_actor, page_number, page_size, show_domain_error

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")


@bp.route("/")
@signed_in
def index():
    """List enterprises with how many members each has."""
    text = request.args.get("q", "").strip()[:50]
    pagination = enterprises.list_enterprises(text, page_number(), page_size())
    counts = enterprises.member_counts(pagination.items)
    return render_template("enterprises/list.html", pagination=pagination, q=text, counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create():
    """Add an enterprise."""
    form = EnterpriseForm()
    form.city.choices = select_choices(city_choices(), _("Choose a city"))
    if form.validate_on_submit():
        try:
            enterprise = enterprises.create_enterprise(
                current_actor(), form.name.data, form.city.data, form.credit_code.data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Enterprise %(name)s created.", name=enterprise.name), "success")
            return redirect(url_for("enterprises.index"))
    return render_template("enterprises/form.html", form=form)
