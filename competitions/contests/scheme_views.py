"""A contest's marking scheme page, upload and download, on the `contests` blueprint.

Organisers and the contest's chief judge see the scheme and download it; only organisers
upload one (import_scheme_xlsx refuses anyone else).
"""

import re
from io import BytesIO

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _

from competitions.contests.models import Contest
from competitions.contests.scheme import TOTAL, format_mark
from competitions.contests.scheme_xlsx_write import template
from competitions.contests.services.scheme_store import (
    SchemeRejected,
    export_scheme_xlsx,
    has_marks,
    import_scheme_xlsx,
    load_scheme,
    problem_text,
)
from competitions.contests.setup_forms import SchemeUploadForm
from competitions.contests.staff_views import MANAGERS, panel_manager_contest
from competitions.contests.views import ORGANISERS, attach_error, bp, is_organiser_user
from guild.access import roles_required
from guild.errors import DomainError
from guild.extensions import db
from guild.web import current_actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_name(prefix: str, contest: Contest, suffix: str = "xlsx") -> str:
    """A safe file name from the contest's name: letters, digits and CJK only."""
    name = re.sub(r"[^\w\-]+", "_", contest.name).strip("_")[:40] or f"contest-{contest.id}"
    return f"{prefix}-{name}.{suffix}"


def xlsx_file(content: bytes, filename: str):
    """Send .xlsx bytes as an attachment."""
    return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=filename)


def _scheme_page(contest: Contest, form=None, problems=(), status: int = 200):
    scheme = load_scheme(contest.id)
    page = render_template(
        "competitions/contests/scheme.html",
        contest=contest,
        scheme=scheme,
        total=format_mark(scheme.total),
        complete=scheme.total == TOTAL,
        format_mark=format_mark,
        form=form or SchemeUploadForm(formdata=None),
        problems=problems,
        can_upload=is_organiser_user(),
        has_marks=has_marks(contest.id),
    )
    return page, status


@bp.route("/<int:contest_id>/scheme")
@roles_required(*MANAGERS)
def scheme(contest_id: int):
    """The marking scheme: criteria, sub-criteria and aspects with their marks."""
    return _scheme_page(panel_manager_contest(contest_id))


@bp.route("/<int:contest_id>/scheme", methods=["POST"])
@roles_required(*ORGANISERS)
def upload_scheme(contest_id: int):
    """Replace the scheme with an .xlsx file's; every problem with its row, or nothing."""
    contest = db.get_or_404(Contest, contest_id)
    form = SchemeUploadForm()
    if not form.validate_on_submit():
        return _scheme_page(contest, form, status=400)
    try:
        import_scheme_xlsx(current_actor(), contest.id, form.file.data.read())
    except SchemeRejected as error:
        db.session.rollback()
        problems = [problem_text(problem) for problem in error.problems]
        return _scheme_page(contest, form, problems, 400)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _scheme_page(contest, form, status=400)
    db.session.commit()
    flash(_("The marking scheme is saved."), "success")
    return redirect(url_for("contests.scheme", contest_id=contest.id))


@bp.route("/<int:contest_id>/scheme.xlsx")
@roles_required(*MANAGERS)
def export_scheme(contest_id: int):
    """Download the scheme as .xlsx in the import template's layout."""
    contest = panel_manager_contest(contest_id)
    content = export_scheme_xlsx(contest.id)
    return xlsx_file(content, download_name("评分标准", contest))


@bp.route("/scheme-template.xlsx")
@roles_required(*ORGANISERS)
def scheme_template():
    """Download the scheme template: a valid example summing to 100."""
    return xlsx_file(template(), "评分标准模板.xlsx")
