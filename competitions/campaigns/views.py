"""Campaign pages: rules, leaderboards, statistics and forms: blueprint `campaigns`."""

from datetime import date, timedelta
from io import BytesIO
from itertools import groupby

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from competitions.campaigns.forms import CampaignForm
from competitions.campaigns.models import WHOLE_CAMPAIGN, Campaign
from competitions.campaigns.services import leaderboards
from competitions.campaigns.services import statistics as figures
from competitions.campaigns.services.campaigns import list_campaigns, save_campaign
from competitions.training.services.attempts import todays_dailies
from guild.access import roles_required, signed_in
from guild.accounts.roles import Role
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import local_day, utcnow
from guild.trades.models import Trade
from guild.web import current_account, current_actor, int_arg, show_domain_error

bp = Blueprint("campaigns", __name__, url_prefix="/skills/campaigns", cli_group="standings")
ORGANISERS = (Role.ORGANISER, Role.ADMIN)
BOARDS = ("whole", "trade", "enterprise", "city")
CHART_ROWS = 20  # bars in a chart of trades or enterprises
TABLE_ROWS = 50  # rows of the long tables (enterprises, chapters) on the page
BOARD_ROWS = leaderboards.TOP_N  # rows of a leaderboard


def _today() -> date:
    return local_day(utcnow(), current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _organiser() -> bool:
    return bool(current_user.role_set & set(ORGANISERS))


@bp.route("/")
@signed_in
def index():
    """Campaigns running now, coming, and past."""
    today = _today()
    running, coming, past = list_campaigns(today)
    return render_template(
        "competitions/campaigns/index.html",
        running=running,
        coming=coming,
        past=past,
        organiser=_organiser(),
    )


def _trade_groups(form: CampaignForm) -> list[tuple[str, list[tuple[int, str]]]]:
    """Every trade as a choice of the form, and the same grouped by category for the page."""
    rows = db.session.execute(
        select(Trade.id, Trade.name, Trade.category).order_by(Trade.category, Trade.name)
    ).all()
    form.trade_ids.choices = [(trade_id, name) for trade_id, name, _ in rows]
    return [
        (category, [(trade_id, name) for trade_id, name, _ in trades])
        for category, trades in groupby(rows, key=lambda row: row[2])
    ]


def _save(campaign: Campaign | None):
    form = CampaignForm(obj=campaign)
    groups = _trade_groups(form)
    if request.method == "GET" and campaign is None:
        form.starts_on.data = _today()
        form.ends_on.data = _today() + timedelta(days=29)
    if form.validate_on_submit():
        try:
            campaign = save_campaign(current_actor(), campaign, form.to_fields())
        except DomainError as error:
            if not show_domain_error(form, error):
                flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Campaign saved."), "success")
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    chosen = set(form.trade_ids.data or ())
    return render_template(
        "competitions/campaigns/form.html",
        form=form,
        campaign=campaign,
        groups=groups,
        chosen=chosen,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def create():
    """Set up a new campaign with its trades and points rules."""
    return _save(None)


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def edit(campaign_id: int):
    """Change a campaign's dates, trades or rules."""
    return _save(db.get_or_404(Campaign, campaign_id))


def _campaign_trades(campaign: Campaign) -> list[tuple[int, str]]:
    """The campaign's trades as (id, name), by name."""
    if not campaign.trade_ids:
        return []
    query = select(Trade.id, Trade.name).where(Trade.id.in_(campaign.trade_ids))
    return [tuple(row) for row in db.session.execute(query.order_by(Trade.name))]


def _chosen_board(trades: list[tuple[int, str]]) -> tuple[str, int | None]:
    """The ?board= (and, for a trade board, ?trade=) asked for; unknown ones fall back."""
    board = request.args.get("board", "whole")
    if board not in BOARDS or (board == "trade" and not trades):
        return "whole", None
    if board != "trade":
        return board, None
    trade_id = int_arg("trade")
    if trade_id not in {tid for tid, _ in trades}:
        trade_id = trades[0][0]
    return board, trade_id


def _board(campaign: Campaign, board: str, trade_id: int | None, me) -> dict:
    """The rows of the chosen leaderboard and the viewer's own row on it."""
    if board in ("enterprise", "city"):
        if board == "enterprise":
            mine = str(current_user.enterprise_id) if current_user.enterprise_id else None
        else:
            mine = me.city if me else current_account().city
        groups, my_group = leaderboards.group_board(campaign.id, board, mine or None, BOARD_ROWS)
        return {"groups": groups, "my_group": my_group}
    if board == "trade":
        places = leaderboards.top_places(campaign.id, trade_id, BOARD_ROWS)
        mine = leaderboards.my_place(campaign.id, trade_id, current_user.id)
    else:
        places, mine = leaderboards.top_places(campaign.id, WHOLE_CAMPAIGN, BOARD_ROWS), me
    shown = {place.user_id for place in places}
    return {"places": places, "my_place": mine, "mine_shown": bool(mine and mine.user_id in shown)}


@bp.route("/<int:campaign_id>/")
@signed_in
def detail(campaign_id: int):
    """A campaign's rules, the viewer's progress, today's practice and the leaderboards."""
    campaign = db.get_or_404(Campaign, campaign_id)
    trades = _campaign_trades(campaign)
    board, trade_id = _chosen_board(trades)
    me = leaderboards.my_place(campaign.id, WHOLE_CAMPAIGN, current_user.id)
    return render_template(
        "competitions/campaigns/detail.html",
        campaign=campaign,
        trades=trades,
        board=board,
        trade_id=trade_id,
        me=me,
        today=_today(),
        dailies=todays_dailies(current_user.id, [t for t, _name in trades], _today()),
        organiser=_organiser(),
        **_board(campaign, board, trade_id, me),
    )


def _charts(stats: figures.CampaignStatistics) -> dict[str, dict]:
    """The statistics page's charts: kind, labels and series, for campaign-charts.js."""
    counts = {"attempts": _("Participations"), "participants": _("Participants")}
    accuracy = {"accuracy": _("Accuracy (%)")}
    return {
        "days": {"kind": "line", **figures.chart(stats.days, counts)},
        "trades": {"kind": "hbar", **figures.chart(stats.trades, counts, CHART_ROWS)},
        "cities": {"kind": "bar", **figures.chart(stats.cities, counts)},
        "accuracy": {
            "kind": "hbar",
            "percent": True,
            **figures.chart(stats.trades, accuracy, CHART_ROWS),
        },
        "enterprises": {
            "kind": "hbar",
            **figures.chart(stats.enterprises, {"participants": _("Participants")}, CHART_ROWS),
        },
    }


@bp.route("/<int:campaign_id>/statistics")
@roles_required(*ORGANISERS)
def statistics(campaign_id: int):
    """Participations, participants and accuracy per day, trade, city, enterprise, chapter."""
    campaign = db.get_or_404(Campaign, campaign_id)
    stats = figures.campaign_statistics(campaign, _today(), headcounts=TABLE_ROWS)
    return render_template(
        "competitions/campaigns/statistics.html",
        campaign=campaign,
        stats=stats,
        charts=_charts(stats),
        table_rows=TABLE_ROWS,
    )


@bp.route("/<int:campaign_id>/statistics.xlsx")
@roles_required(*ORGANISERS)
def export_statistics(campaign_id: int):
    """Download the statistics as an Excel workbook, one sheet per dimension."""
    campaign = db.get_or_404(Campaign, campaign_id)
    today = _today()
    content = figures.statistics_xlsx(campaign, figures.campaign_statistics(campaign, today))
    return send_file(
        BytesIO(content),
        mimetype=figures.XLSX_MIMETYPE,
        as_attachment=True,
        download_name=figures.export_filename(campaign, today),
    )


from competitions.campaigns import cli  # noqa: E402,F401  (adds its commands to bp)
