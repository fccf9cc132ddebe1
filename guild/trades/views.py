"""The trades catalogue: public list and search, editing by organisers: blueprint `trades`."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guild.access import public, roles_required, rule_for
from guild.accounts.roles import Role
from guild.errors import DomainError
from guild.extensions import db
from guild.trades.forms import TradeForm, TradeImportForm
from guild.trades.levels import SkillLevel
from guild.trades.models import Trade
from guild.trades.services import catalogue, importer
from guild.web import current_actor, page_number, page_size, show_domain_error

bp = Blueprint("trades", __name__, url_prefix="/trades")
EDITORS = (Role.ORGANISER, Role.ADMIN)


@bp.route("/")
@public
def index():
    """List and search the trades."""
    text = request.args.get("q", "").strip()[:50]
    category = request.args.get("category", "").strip()[:30] or None
    pagination = catalogue.search_trades(text, category, page_number(), page_size())
    return render_template(
        "trades/list.html",
        pagination=pagination,
        q=text,
        category=category,
        categories=catalogue.categories(),
        can_edit=_can_edit(),
    )


def _can_edit() -> bool:
    """Whether the editing links should show: the rule of the edit page decides."""
    return rule_for(current_app, "trades.create").allows(current_user)


def _fields(form: TradeForm) -> catalogue.TradeFields:
    return catalogue.TradeFields(
        name=form.name.data,
        category=form.category.data,
        levels=tuple(SkillLevel(code) for code in form.levels.data or ()),
        code=form.code.data,
    )


def _edit(trade: Trade | None):
    form = TradeForm(obj=trade)
    if trade is not None and request.method == "GET":
        form.levels.data = list(trade.level_codes)
    if form.validate_on_submit():
        try:
            saved = catalogue.save_trade(current_actor(), trade, _fields(form))
        except DomainError as error:
            if not show_domain_error(form, error):
                flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Trade %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("trades.index", q=saved.name))
    return render_template("trades/form.html", form=form, trade=trade)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def create():
    """Add a trade."""
    return _edit(None)


@bp.route("/<int:trade_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(trade_id: int):
    """Edit a trade."""
    return _edit(db.get_or_404(Trade, trade_id))


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def upload():
    """Import trades from a CSV file: all rows or none."""
    form = TradeImportForm()
    errors: list = []
    if form.validate_on_submit():
        try:
            rows = importer.parse_trades_csv(form.file.data.read())
            summary = importer.import_trades(current_actor(), rows)
        except importer.ImportRejected as rejected:
            db.session.rollback()
            errors = rejected.errors
            flash(str(rejected), "danger")
        else:
            db.session.commit()
            flash(
                _(
                    "Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
                    created=summary.created,
                    updated=summary.updated,
                    unchanged=summary.unchanged,
                ),
                "success",
            )
            return redirect(url_for("trades.index"))
    return render_template("trades/import.html", form=form, errors=errors)
