"""Worker training pages: dashboard, starting attempts, mistake book: blueprint `training`."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from competitions.campaigns.services.campaigns import list_campaigns
from competitions.questions.services.bank import chapters
from competitions.training.forms import StartForm, TradesForm
from competitions.training.models import ExamBlueprint, Mode
from competitions.training.services import attempts, mistakes, progress
from competitions.training.services.blueprints import trade_blueprints
from guild.access import signed_in
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import local_day, utcnow
from guild.trades.models import Trade
from guild.trades.services.catalogue import search_trades
from guild.web import current_account, small_int

bp = Blueprint("training", __name__, url_prefix="/skills/training")


def clock() -> attempts.Clock:
    """Now, and today in the union's time zone."""
    now = utcnow()
    return attempts.Clock(now, local_day(now, current_app.config["BABEL_DEFAULT_TIMEZONE"]))


@bp.route("/")
@signed_in
def index():
    """The worker's dashboard: trades with their practice modes, streak, points, accuracy."""
    user_id = current_account().id
    today = clock().day
    trades = progress.my_trades(user_id)
    trade_ids = [trade.id for trade in trades]
    running, _coming, _past = list_campaigns(today)
    return render_template(
        "competitions/training/index.html",
        trades=trades,
        chapters={trade.id: chapters(trade) for trade in trades},
        blueprints=trade_blueprints(trade_ids),
        dailies={t: attempts.todays_daily(user_id, t, today) for t in trade_ids},
        mistakes=mistakes.mistake_summaries(user_id, today),
        streak=progress.streak(user_id, today),
        points=progress.total_points(user_id),
        accuracy=progress.chapter_accuracy(user_id)[:10],
        open_attempts=progress.open_attempts(user_id),
        campaigns=running,
        trade_names={trade.id: trade.name for trade in trades},
        all_trades=search_trades("", None, 1, 500).items,
        form=TradesForm(),
    )


@bp.route("/trades", methods=["POST"])
@signed_in
def choose_trades():
    """Save the trades the worker trains in."""
    form = TradesForm()
    ids = [n for n in map(small_int, request.form.getlist("trade_id")) if n is not None]
    if form.validate_on_submit():
        try:
            attempts.choose_trades(current_account().id, ids[:20])
        except DomainError as error:
            flash(str(error), "danger")
            return redirect(url_for("training.index"))
        db.session.commit()
        flash(_("Your trades are saved."), "success")
    return redirect(url_for("training.index"))


@bp.route("/start", methods=["POST"])
@signed_in
def start():
    """Start an attempt (or resume today's daily practice) and go to its first question."""
    form = StartForm()
    if not form.validate_on_submit():
        flash(_("That practice could not be started."), "danger")
        return redirect(url_for("training.index"))
    trade = db.get_or_404(Trade, form.trade_id.data)
    blueprint = db.session.get(ExamBlueprint, form.blueprint_id.data or 0)
    try:
        attempt = attempts.start_attempt(
            current_account(),
            trade,
            Mode(form.mode.data),
            clock(),
            chapter=(form.chapter.data or "").strip(),
            blueprint=blueprint,
        )
    except DomainError as error:
        flash(str(error), "warning")
        return redirect(url_for("training.index"))
    db.session.commit()
    return redirect(url_for("attempts.show", attempt_id=attempt.id))


@bp.route("/mistakes")
@signed_in
def mistake_book():
    """The worker's open mistakes, trade by trade, with when each is due."""
    user_id = current_account().id
    trades = progress.my_trades(user_id)
    chosen = request.args.get("trade", type=int)
    trade = next((t for t in trades if t.id == chosen), trades[0] if trades else None)
    return render_template(
        "competitions/training/mistakes.html",
        trades=trades,
        trade=trade,
        entries=mistakes.open_mistakes(user_id, trade.id) if trade else [],
        summaries=mistakes.mistake_summaries(user_id, clock().day),
        today=clock().day,
    )
