"""Courseware uploads and downloads, and exchange events with their sign-ups: `courseware`.

Uploads: only the two upload routes accept bodies above MAX_CONTENT_LENGTH, up to
COURSEWARE_MAX_BYTES plus FORM_ALLOWANCE (set per request before any hook reads the form).
A larger declared body is refused with 413 before a byte of it is read; a body without a
length stops at the limit while Werkzeug spools it to a temporary file. The events' routes
are in `event_views`, on the same blueprint.
"""

from collections.abc import Iterator
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from guild.access import public, signed_in
from guild.extensions import db
from guild.storage import storage
from guild.transactions import begin_writing
from guild.web import current_actor, page_number
from studios.courseware_forms import CoursewareForm, VersionForm
from studios.models import Decision
from studios.services import courseware
from studios.services.access import (
    get_studio,
    require_studio_member,
    studio_role,
)
from studios.services.uploads import MIMETYPES, ascii_fallback
from studios.web import accept_uploads, attempt, found

bp = Blueprint("courseware", __name__, url_prefix="/studios")
UPLOAD_ENDPOINTS = frozenset({"courseware.upload", "courseware.new_version"})
accept_uploads(bp, UPLOAD_ENDPOINTS)
PER_PAGE = 20


def approved_studio(studio_id: int):
    """A studio whose pages are shown: approved ones only (404 otherwise)."""
    studio = found(lambda: get_studio(studio_id))
    if studio.status != Decision.APPROVED:
        abort(404)
    return studio


def _is_member(studio_id: int) -> bool:
    user_id = current_user.id if current_user.is_authenticated else None
    return studio_role(user_id, studio_id) is not None


@bp.app_template_global()
def courseware_for_trade(trade_id: int, limit: int = 5):
    """The newest courseware tagged with a trade, with studio names (for the training page)."""
    return courseware.courseware_for_trade(trade_id, limit)


@bp.route("/<int:studio_id>/courseware")
@public
def studio_courseware(studio_id: int):
    """A studio's courseware, newest first."""
    studio = approved_studio(studio_id)
    page = courseware.studio_courseware(studio.id, page_number(), PER_PAGE)
    return render_template(
        "studios/courseware_list.html", studio=studio, page=page, member=_is_member(studio.id)
    )


def _upload_page(studio, form: CoursewareForm, status: int = 200):
    form.trade_ids.choices = courseware.trade_choices()
    context = {"studio": studio, "form": form, "max_mb": _max_mb()}
    return render_template("studios/courseware_upload.html", **context), status


def _max_mb() -> int:
    return max(1, current_app.config["COURSEWARE_MAX_BYTES"] // (1024 * 1024))


def _upload_of(form) -> courseware.Upload:
    data = form.file.data
    stream = getattr(data, "stream", None)
    return courseware.Upload(stream, getattr(data, "filename", "") or "")


@bp.route("/<int:studio_id>/courseware/new", methods=["GET", "POST"])
@signed_in
def upload(studio_id: int):
    """A studio member uploads a new courseware item (the service checks membership)."""
    studio = approved_studio(studio_id)
    found(lambda: require_studio_member(current_actor(), studio.id))
    form = CoursewareForm()
    if not form.is_submitted():
        return _upload_page(studio, form)
    if not form.validate():
        return _upload_page(studio, form, 400)
    fields = courseware.CoursewareFields(
        form.title.data, form.description.data or "", form.trade_ids.data or []
    )
    done, item = attempt(
        lambda: courseware.upload_courseware(current_actor(), studio.id, fields, _upload_of(form)),
        form,
    )
    if not done:
        return _upload_page(studio, form, 400)
    flash(_("The courseware has been uploaded."), "success")
    return redirect(url_for("courseware.detail", courseware_id=item.id))


@bp.route("/courseware/<int:courseware_id>")
@public
def detail(courseware_id: int):
    """An item: its description, trades, versions with download links, and counts."""
    item = found(lambda: courseware.get_courseware(courseware_id))
    context = {
        "item": item,
        "studio": get_studio(item.studio_id),
        "versions": courseware.versions_of(item.id),
        "trades": courseware.trades_of(item.id),
        "member": _is_member(item.studio_id),
    }
    return render_template("studios/courseware_detail.html", **context)


def _version_page(item, form: VersionForm, status: int = 200):
    context = {"item": item, "studio": get_studio(item.studio_id), "form": form}
    return render_template("studios/courseware_version.html", max_mb=_max_mb(), **context), status


@bp.route("/courseware/<int:courseware_id>/versions/new", methods=["GET", "POST"])
@signed_in
def new_version(courseware_id: int):
    """A studio member uploads a new version; the old ones stay downloadable."""
    item = found(lambda: courseware.get_courseware(courseware_id))
    found(lambda: require_studio_member(current_actor(), item.studio_id))
    form = VersionForm()
    if not form.is_submitted():
        return _version_page(item, form)
    if not form.validate():
        return _version_page(item, form, 400)
    done, version = attempt(
        lambda: courseware.add_version(current_actor(), item.id, _upload_of(form)), form
    )
    if not done:
        return _version_page(found(lambda: courseware.get_courseware(courseware_id)), form, 400)
    flash(_("Version %(n)d has been uploaded.", n=version.number), "success")
    return redirect(url_for("courseware.detail", courseware_id=courseware_id))


def _chunks(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    """The file's chunks; closing the response closes the file."""
    try:
        yield first
        yield from rest
    finally:
        rest.close()


def content_disposition(filename: str, fallback_stem: str) -> str:
    """attachment with an ASCII filename= and the UTF-8 filename* of RFC 6266 / 5987."""
    plain = ascii_fallback(filename, fallback_stem)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


@bp.route("/courseware/<int:courseware_id>/versions/<int:number>/download")
@public
def download(courseware_id: int, number: int):
    """Download one version, streamed from storage as an attachment; the item's count goes up."""
    begin_writing()  # the count's UPDATE: take SQLite's write lock before reading
    version = found(lambda: courseware.get_version(courseware_id, number))
    try:
        rest = storage(courseware.AREA).stream(version.storage_key)
        first = next(rest, b"")
    except (KeyError, FileNotFoundError):
        db.session.rollback()
        abort(404)
    courseware.record_download(courseware_id)
    db.session.commit()
    response = Response(
        _chunks(first, rest), mimetype=MIMETYPES[version.kind], direct_passthrough=True
    )
    response.content_length = version.size
    fallback = f"courseware-{courseware_id}-v{number}"
    response.headers["Content-Disposition"] = content_disposition(version.filename, fallback)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


from studios import event_views  # noqa: E402, F401  (routes on `bp`)
