"""Contest results: standings, score sheets, certificates, judge analytics: `contest_results`.

Access: the organisers' certificates are roles_required(organiser, admin); every other route is
signed_in and asks services.documents who may see what: organisers and the contest's chief
judge from the practical stage on, everyone signed in once results are published. A contest
that does not exist, or a draft for a non-organiser, answers 404; a refusal otherwise 403.
"""

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from competitions.contests.models import Contest
from competitions.contests.services import documents, documents_analytics, documents_pdf
from competitions.contests.services import documents_xlsx as xlsx
from competitions.contests.services.contests import STAGE_LABELS
from competitions.contests.services.documents import SHOWN_FROM, Audience
from guild.access import roles_required, signed_in
from guild.accounts.roles import Role
from guild.errors import DomainError
from guild.timeutil import local_day, utcnow
from guild.web import current_account, current_actor, int_arg, page_number

bp = Blueprint("contest_results", __name__, url_prefix="/skills/contests")
ORGANISERS = (Role.ORGANISER, Role.ADMIN)
LEANINGS = {"lenient": _l("Lenient"), "severe": _l("Severe"), "balanced": _l("Balanced")}


def _refuse(error: DomainError):
    """404 where the contest must not be known to exist, 403 otherwise."""
    abort(404 if error.field == "contest_id" else 403)


def _staff_contest(contest_id: int) -> Contest:
    """The contest for its organisers and chief judge, else 404 or 403."""
    try:
        return documents.staff_contest(current_actor(), contest_id)
    except DomainError as error:
        _refuse(error)


def _shown_or_404(contest: Contest) -> None:
    """Nothing to download before the practical stage."""
    if contest.stage not in SHOWN_FROM:
        abort(404)


def _award_day(contest: Contest):
    """The date on certificates: the day results were published (today until then)."""
    return local_day(contest.published_at or utcnow(), current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _page(contest: Contest, audience: Audience, sheet: bool = False):
    """The page the query asks for, or None before there is anything to show."""
    if contest.stage not in SHOWN_FROM:
        return None
    return documents.results_page(
        contest,
        audience,
        group_id=int_arg("group"),
        query=request.args.get("q", ""),
        page=page_number(),
        sheet=sheet,
    )


def _render(template: str, contest: Contest, **context):
    """A results page, with the contest's stage named."""
    stage = STAGE_LABELS[contest.stage]
    return render_template(template, contest=contest, stage_name=stage, **context)


@bp.app_template_global()
def contest_results_links(contest: Contest) -> dict[str, bool]:
    """Which results links the contest hub shows the current user."""
    return documents.results_links(current_actor(), contest)


@bp.app_template_global()
def prize_label(level: int) -> str:
    """A prize level's name: first, second, third…"""
    return documents.prize_label(level)


@bp.route("/<int:contest_id>/results")
@signed_in
def results(contest_id: int):
    """The ranking: in full for staff, as published for everyone else."""
    try:
        contest, audience = documents.results_audience(current_actor(), contest_id)
    except DomainError as error:
        _refuse(error)
    return _render(
        "competitions/contests/results_ranking.html",
        contest,
        audience=audience,
        page=_page(contest, audience),
    )


@bp.route("/<int:contest_id>/results.xlsx")
@signed_in
def results_xlsx(contest_id: int):
    """Download the ranking of every group (organisers and the chief judge)."""
    return _xlsx_download(contest_id, xlsx.results_xlsx, "成绩")


@bp.route("/<int:contest_id>/results/sheet")
@signed_in
def sheet(contest_id: int):
    """The printable score sheet (成绩单): every entrant's mark on every aspect."""
    contest = _staff_contest(contest_id)
    return _render(
        "competitions/contests/results_sheet.html",
        contest,
        page=_page(contest, Audience.STAFF, sheet=True),
    )


@bp.route("/<int:contest_id>/results/sheet.xlsx")
@signed_in
def sheet_xlsx(contest_id: int):
    """Download the score sheet of every entrant."""
    return _xlsx_download(contest_id, xlsx.sheet_xlsx, "成绩单")


def _xlsx_download(contest_id: int, build, what: str):
    """A staff download of the contest's results as .xlsx, named for the contest."""
    contest = _staff_contest(contest_id)
    _shown_or_404(contest)
    return send_file(
        BytesIO(build(contest)),
        mimetype=xlsx.XLSX_MIMETYPE,
        as_attachment=True,
        download_name=xlsx.export_filename(contest, what),
    )


@bp.route("/<int:contest_id>/certificates.pdf")
@roles_required(*ORGANISERS)
def certificates(contest_id: int):
    """Every prize winner's and title holder's certificate, a page each (after the reveal)."""
    contest = _staff_contest(contest_id)
    try:
        made = documents_pdf.certificates(contest, _award_day(contest))
    except DomainError as error:
        flash(str(error), "warning")
        return redirect(url_for("contest_results.results", contest_id=contest.id))
    if not made:
        flash(_("Nobody has won a prize or the title yet."), "warning")
        return redirect(url_for("contest_results.results", contest_id=contest.id))
    return _pdf(documents_pdf.certificates_pdf(made, contest.name), contest)


@bp.route("/<int:contest_id>/certificates/mine.pdf")
@signed_in
def my_certificate(contest_id: int):
    """The worker's own certificate, once results are published and if they won."""
    try:
        contest = documents.visible_contest(current_actor(), contest_id)
        made = documents_pdf.own_certificate(contest.id, current_account(), _award_day(contest))
    except DomainError as error:
        abort(403 if error.field == "stage" else 404)
    return _pdf(documents_pdf.certificates_pdf([made], contest.name), contest, "-mine")


def _pdf(content: bytes, contest: Contest, suffix: str = ""):
    """A PDF sent as a download, never shown inline."""
    return send_file(
        BytesIO(content),
        mimetype=documents_pdf.PDF_MIMETYPE,
        as_attachment=True,
        download_name=documents_pdf.pdf_filename(contest, suffix),
    )


def _charts(report: documents_analytics.JudgeAnalytics) -> dict[str, dict]:
    """The analytics charts' data for charts.js."""
    return {
        "deviation": {
            "kind": "hbar",
            "decimals": True,
            "categories": [judge.name for judge in report.judges],
            "series": [
                {
                    "name": _("Mean deviation"),
                    "data": [round(j.deviation, 3) for j in report.judges],
                }
            ],
        },
        "spreads": {
            "kind": "bar",
            "categories": [f"{spread:g}" for spread, _count in report.spreads],
            "series": [{"name": _("Pairs"), "data": [count for _spread, count in report.spreads]}],
        },
    }


@bp.route("/<int:contest_id>/analytics")
@signed_in
def analytics(contest_id: int):
    """Each judge against their panels (lenient or severe) and the spreads, with charts."""
    contest = _staff_contest(contest_id)
    report = None
    if contest.stage in SHOWN_FROM:
        report = documents_analytics.judge_analytics(contest)
    return _render(
        "competitions/contests/results_analytics.html",
        contest,
        report=report,
        charts=_charts(report) if report else None,
        leanings=LEANINGS,
    )
