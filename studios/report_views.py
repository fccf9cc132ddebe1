"""Activity reports of studios and alliances, and the annual evaluation: `studio_reports`.

Reports are public (summaries of what studios publish publicly); the evaluation's working
pages are for organisers (and platform admins), its history of demonstration studios public.
The evaluation's routes are in `evaluation_views`, imported at the bottom.
"""

from io import BytesIO

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _

from guild.access import public
from guild.errors import DomainError, error_response
from studios.models import Decision
from studios.services import report_xlsx
from studios.services.access import (
    NotFound,
    alliance_ids_with_children,
    approved_studio_ids_of_alliance,
    get_alliance,
    get_studio,
)
from studios.services.periods import PRESET_LABELS, Period, parse_period, today
from studios.services.reports import ActivityReport, activity_report, activity_sentence

bp = Blueprint("studio_reports", __name__, url_prefix="/studios")
PERIOD_ARGS = ("start", "end", "preset")


def _period() -> Period:
    """The period the query asks for (DomainError when it cannot be read)."""
    args = {name: request.args.get(name, "")[:40] for name in PERIOD_ARGS}
    return parse_period(args["start"], args["end"], args["preset"], today())


def _approved_studio(studio_id: int):
    try:
        studio = get_studio(studio_id)
    except NotFound:
        abort(404)
    if studio.status != Decision.APPROVED:
        abort(404)
    return studio


def _alliance(alliance_id: int):
    try:
        return get_alliance(alliance_id)
    except NotFound:
        abort(404)


def _kind_chart(report: ActivityReport) -> dict:
    total = report.total
    return {
        "kind": "bar",
        "categories": [
            _("Patents"),
            _("Innovation results"),
            _("Courseware"),
            _("Claims"),
            _("Events"),
        ],
        "series": [
            {
                "name": _("Count"),
                "data": [
                    total.patents,
                    total.achievements,
                    total.courseware,
                    total.claims,
                    total.events,
                ],
            }
        ],
    }


def _studio_chart(report: ActivityReport) -> dict:
    busiest = sorted(
        report.studios, key=lambda c: (-(c.patents + c.achievements + c.events), c.name)
    )[:30]
    return {
        "kind": "hbar",
        "categories": [counts.name for counts in busiest],
        "series": [
            {"name": _("Patents"), "data": [c.patents for c in busiest]},
            {"name": _("Innovation results"), "data": [c.achievements for c in busiest]},
            {"name": _("Courseware"), "data": [c.courseware for c in busiest]},
            {"name": _("Events"), "data": [c.events for c in busiest]},
        ],
    }


def _render(subject, kind: str, studio_ids: list[int], alliance_ids: list[int]):
    """The report page, or the page with the period's error (400)."""
    args = {name: request.args.get(name, "") for name in PERIOD_ARGS}
    context = {"subject": subject, "kind": kind, "args": args, "presets": PRESET_LABELS}
    try:
        period = _period()
    except DomainError as error:
        return render_template("studios/report_page.html", error=str(error), **context), 400
    report = activity_report(studio_ids, period, alliance_ids)
    charts = [_kind_chart(report)]
    if kind == "alliance" and report.studios:
        charts.append(_studio_chart(report))
    return render_template(
        "studios/report_page.html",
        report=report,
        sentence=activity_sentence(report.total),
        charts=charts,
        export_args={"start": period.start.isoformat(), "end": period.end.isoformat()},
        **context,
    )


def _xlsx(title: str, what: str, object_id: int, studio_ids: list[int], alliance_ids: list[int]):
    try:
        period = _period()
    except DomainError as error:
        return error_response(400, str(error))
    report = activity_report(studio_ids, period, alliance_ids, limit=None)
    return send_file(
        BytesIO(report_xlsx.report_xlsx(report, title)),
        mimetype=report_xlsx.XLSX_MIMETYPE,
        as_attachment=True,
        download_name=report_xlsx.report_filename(what, object_id, period.start, period.end),
    )


@bp.route("/<int:studio_id>/report")
@public
def studio_report(studio_id: int):
    """A studio's activity in a period (this year so far unless asked)."""
    studio = _approved_studio(studio_id)
    return _render(studio, "studio", [studio.id], [])


@bp.route("/<int:studio_id>/report.xlsx")
@public
def studio_report_xlsx(studio_id: int):
    """A studio's activity report as .xlsx."""
    studio = _approved_studio(studio_id)
    return _xlsx(studio.name, "studio", studio.id, [studio.id], [])


@bp.route("/alliances/<int:alliance_id>/report")
@public
def alliance_report(alliance_id: int):
    """An alliance's activity in a period: its studios' (and its own events), a row each."""
    alliance = _alliance(alliance_id)
    ids = approved_studio_ids_of_alliance(alliance.id)
    return _render(alliance, "alliance", ids, alliance_ids_with_children(alliance.id))


@bp.route("/alliances/<int:alliance_id>/report.xlsx")
@public
def alliance_report_xlsx(alliance_id: int):
    """An alliance's activity report as .xlsx."""
    alliance = _alliance(alliance_id)
    ids = approved_studio_ids_of_alliance(alliance.id)
    return _xlsx(
        alliance.name, "alliance", alliance.id, ids, alliance_ids_with_children(alliance.id)
    )


from studios import evaluation_views  # noqa: E402, F401  (registers the evaluation routes)
