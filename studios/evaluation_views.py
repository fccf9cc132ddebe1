"""The annual evaluation's pages on blueprint `studio_reports`: organisers set a year's
weights, see the ranking of each alliance and name demonstration studios; everyone sees the
history of demonstration studios by year.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from guild.access import public, roles_required
from guild.accounts.roles import Role
from guild.errors import DomainError
from guild.extensions import db
from guild.web import current_actor, int_arg, small_int
from studios.models import Alliance, Studio
from studios.report_forms import INDICATOR_LABELS, NameForm, WeightsForm
from studios.report_views import bp
from studios.services import evaluation_years as years
from studios.services.access import NotFound
from studios.services.evaluation import INDICATORS
from studios.services.periods import today
from studios.web import attempt

SHOWN_RANKS = 200  # rows of an alliance's ranking listed (and pickable) on the page
CHART_ROWS = 20


@bp.app_template_global()
def studio_honours_by_year(studio_id: int) -> dict[int, list]:
    """The studio's demonstration titles by year (newest first), for the studio page."""
    found: dict[int, list] = {}
    for named in years.studio_honours(studio_id):
        found.setdefault(named.year, []).append(named)
    return found


def _view(year: int) -> years.YearView:
    try:
        return years.year_view(year)
    except NotFound:
        abort(404)


def _names(ids: list[int], model) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def _render_year(view: years.YearView, weights_form=None, name_form=None, status: int = 200):
    ranking = view.ranking
    alliance_ids = sorted(set(ranking["alliance_id"].tolist())) if not ranking.empty else []
    alliances = _names(alliance_ids, Alliance)
    chosen = int_arg("alliance")
    if chosen not in alliances:
        chosen = alliance_ids[0] if alliance_ids else None
    rows = (
        ranking[ranking["alliance_id"] == chosen].head(SHOWN_RANKS) if chosen else ranking.head(0)
    )
    records = rows.to_dict("records")
    studios = _names([int(r["studio_id"]) for r in records], Studio)
    top = records[:CHART_ROWS]
    chart = {
        "kind": "hbar",
        "decimals": True,
        "categories": [studios.get(int(r["studio_id"]), "") for r in top],
        "series": [{"name": _("Score"), "data": [round(r["score"], 2) for r in top]}],
    }
    if weights_form is None:
        weights_form = WeightsForm(formdata=None, data=view.weights)
    name_form = name_form or NameForm(formdata=None, data={"top": view.demonstration_count or 3})
    page = render_template(
        "studios/evaluation_year.html",
        view=view,
        alliances=alliances,
        chosen=chosen,
        records=records,
        ranked=int((ranking["alliance_id"] == chosen).sum()) if chosen else 0,
        studios=studios,
        chart=chart,
        indicators=INDICATORS,
        labels=INDICATOR_LABELS,
        weights_form=weights_form,
        name_form=name_form,
    )
    return page, status


@bp.route("/evaluation")
@roles_required(Role.ORGANISER, Role.ADMIN)
def evaluation():
    """The years that can be evaluated, open or closed."""
    this_year = today().year
    closed = set(years.closed_years())
    shown = sorted(set(range(this_year, this_year - 5, -1)) | closed, reverse=True)
    return render_template("studios/evaluation_index.html", shown=shown, closed=closed)


@bp.route("/evaluation/<int:year>")
@roles_required(Role.ORGANISER, Role.ADMIN)
def evaluation_year(year: int):
    """A year's weights, ranking per alliance and naming of demonstration studios."""
    return _render_year(_view(year))


@bp.route("/evaluation/<int:year>/weights", methods=["POST"])
@roles_required(Role.ORGANISER, Role.ADMIN)
def evaluation_weights(year: int):
    """Save a year's weights."""
    view = _view(year)
    form = WeightsForm()
    if form.validate() and attempt_done(
        lambda: years.save_weights(current_actor(), year, form.weights()), form
    ):
        flash(_("The weights are saved."), "success")
        return redirect(url_for("studio_reports.evaluation_year", year=year))
    return _render_year(view, weights_form=form, status=400)


def _picks() -> set[tuple[int, int]]:
    """The picked (alliance, studio) pairs: `pick` values written alliance-studio."""
    picks = set()
    for value in request.form.getlist("pick")[:SHOWN_RANKS]:
        alliance, _sep, studio = value.partition("-")
        pair = (small_int(alliance), small_int(studio))
        if None in pair:
            raise DomainError(_("Pick only studios ranked in that alliance."), "picks")
        picks.add(pair)
    return picks


@bp.route("/evaluation/<int:year>/name", methods=["POST"])
@roles_required(Role.ORGANISER, Role.ADMIN)
def evaluation_name(year: int):
    """Name demonstration studios, which closes the year."""
    view = _view(year)
    form = NameForm()
    if form.validate():
        named = []

        def name():
            named.append(years.name_demonstration(current_actor(), year, form.top.data, _picks()))

        if attempt_done(name, form):
            flash(
                _("%(count)d demonstration studios named; the year is closed.", count=named[0]),
                "success",
            )
            return redirect(url_for("studio_reports.evaluation_year", year=year))
    return _render_year(view, name_form=form, status=400)


@bp.route("/evaluation/history")
@public
def evaluation_history():
    """Demonstration studios by year."""
    return render_template("studios/evaluation_history.html", history=years.history())


def attempt_done(call, form=None) -> bool:
    """Whether the service call went through (see studios.web.attempt)."""
    return attempt(call, form)[0]
