"""Organisers' exam blueprints: list, create, edit: blueprint `blueprints`."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from competitions.questions.types import QuestionType
from competitions.training.forms import BlueprintForm
from competitions.training.models import ExamBlueprint
from competitions.training.services.blueprints import Part, save_blueprint
from guild.access import roles_required
from guild.accounts.roles import Role
from guild.errors import DomainError
from guild.extensions import db
from guild.trades.models import Trade
from guild.web import current_actor, int_arg, show_domain_error

bp = Blueprint("blueprints", __name__, url_prefix="/skills/blueprints")
EDITORS = (Role.ORGANISER, Role.ADMIN)


@bp.route("/")
@roles_required(*EDITORS)
def index():
    """Every exam blueprint with its trade."""
    rows = db.session.execute(
        db.select(ExamBlueprint, Trade)
        .join(Trade, Trade.id == ExamBlueprint.trade_id)
        .order_by(Trade.name, ExamBlueprint.name)
    ).all()
    trades = db.session.scalars(db.select(Trade).order_by(Trade.name)).all()
    return render_template("competitions/training/blueprints.html", rows=rows, trades=trades)


def _parts(form: BlueprintForm) -> list[Part]:
    return [
        Part(
            QuestionType(entry.kind.data),
            int(entry.difficulty.data),
            entry.count.data,
            float(entry.points.data or 1),
        )
        for entry in form.parts.entries
        if entry.count.data
    ]


def _fill(form: BlueprintForm, blueprint: ExamBlueprint) -> None:
    form.name.data, form.duration.data = blueprint.name, blueprint.duration_minutes
    for entry, part in zip(form.parts.entries, blueprint.parts, strict=False):
        entry.kind.data, entry.difficulty.data = part["type"], str(part["difficulty"])
        entry.count.data, entry.points.data = part["count"], int(part["points"])


def _edit(trade: Trade, blueprint: ExamBlueprint | None):
    form = BlueprintForm()
    if request.method == "GET" and blueprint is not None:
        _fill(form, blueprint)
    if form.validate_on_submit():
        try:
            save_blueprint(
                current_actor(), blueprint, trade, form.name.data, form.duration.data, _parts(form)
            )
        except DomainError as error:
            db.session.rollback()
            if not show_domain_error(form, error):
                flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The exam blueprint is saved."), "success")
            return redirect(url_for("blueprints.index"))
    status = 400 if form.errors or request.method == "POST" else 200
    page = render_template(
        "competitions/training/blueprint_form.html", form=form, trade=trade, blueprint=blueprint
    )
    return page, status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def create():
    """A new blueprint for the trade named by ?trade= (without one, the list to choose from)."""
    trade = db.session.get(Trade, int_arg("trade") or 0)
    if trade is None:
        return index()
    return _edit(trade, None)


@bp.route("/<int:blueprint_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(blueprint_id: int):
    """Change a blueprint; attempts already made keep the questions they were given."""
    blueprint = db.get_or_404(ExamBlueprint, blueprint_id)
    return _edit(db.session.get(Trade, blueprint.trade_id), blueprint)
