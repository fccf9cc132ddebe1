"""A person's own challenge pages: dashboards, the review queue, notifications and the bell.

Routes on the `challenges` blueprint (imported at the bottom of challenge_views).
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from guild.access import signed_in
from guild.extensions import db
from guild.timeutil import local_day, utcnow
from guild.web import current_account, small_int
from studios.challenge_forms import MarkReadForm
from studios.challenge_models import Notification
from studios.challenge_views import bp
from studios.models import Studio
from studios.services import challenge_dashboard as dashboard
from studios.services import notifications

MESSAGES = {
    "challenge.submitted": _l("“%(title)s” was submitted and waits for your review."),
    "challenge.opened": _l("“%(title)s” was approved and is open on the board."),
    "challenge.rejected": _l("“%(title)s” was rejected: %(reason)s"),
    "challenge.cancelled": _l("“%(title)s”, which your studio claimed, was cancelled."),
    "challenge.claimed": _l("%(studio)s claimed “%(title)s”."),
    "challenge.withdrawn": _l("%(studio)s withdrew its claim on “%(title)s”."),
    "challenge.shortlisted": _l("Your studio's claim on “%(title)s” was shortlisted."),
    "challenge.selected": _l("Your studio was selected for “%(title)s”."),
    "challenge.not_selected": _l("Your studio was not selected for “%(title)s”."),
    "challenge.reported": _l("Progress on “%(milestone)s” of “%(title)s” was reported."),
    "challenge.confirmed": _l("Milestone “%(milestone)s” of “%(title)s” was confirmed."),
    "challenge.passed": _l("Your delivery of “%(title)s” passed its acceptance."),
    "challenge.failed": _l("Your delivery of “%(title)s” did not pass its acceptance."),
}
UNKNOWN = _l("“%(title)s” has news.")
PLACEHOLDERS = ("title", "reason", "studio", "milestone")


@bp.app_template_global()
def challenge_bell() -> int:
    """The signed-in person's unread notifications (one indexed count)."""
    if not current_user.is_authenticated:
        return 0
    return notifications.unread_count(current_user.id)


def _studio_names(rows: list[Notification]) -> dict[int, str]:
    ids = {row.params.get("studio") for row in rows if isinstance(row.params, dict)}
    ids = [i for i in ids if isinstance(i, int)]
    if not ids:
        return {}
    return dict(db.session.execute(select(Studio.id, Studio.name).where(Studio.id.in_(ids))).all())


def message_of(row: Notification, studios: dict[int, str]) -> str:
    """A notification in words, its placeholders filled from its params."""
    params = row.params if isinstance(row.params, dict) else {}
    values = {name: str(params.get(name, "")) for name in PLACEHOLDERS}
    values["studio"] = studios.get(params.get("studio"), _("A studio"))
    return str(MESSAGES.get(row.kind, UNKNOWN)) % values


@bp.route("/notifications")
@signed_in
def notification_list():
    """The person's latest notifications, unread ones marked, each with its message."""
    rows = notifications.latest(current_user.id)
    studios = _studio_names(rows)
    items = [(row, message_of(row, studios)) for row in rows]
    return render_template("studios/challenge_notifications.html", items=items, form=MarkReadForm())


@bp.route("/notifications/read", methods=["POST"])
@signed_in
def mark_read():
    """Mark one notification read (notification_id), or all of them."""
    form = MarkReadForm()
    form.validate_on_submit()
    raw = request.form.get("notification_id", "")
    one = small_int(raw)
    if raw and one is None:
        return redirect(url_for("challenges.notification_list"))
    count = notifications.mark_read(current_user.id, one)
    db.session.commit()
    if count:
        flash(_("Marked as read."), "success")
    return redirect(url_for("challenges.notification_list"))


@bp.route("/mine")
@signed_in
def mine():
    """The person's dashboard: challenges posted, their studios' claims, reviews, overdue."""
    from flask import current_app

    user = current_account()
    today = local_day(utcnow(), current_app.config["BABEL_DEFAULT_TIMEZONE"])
    context = {
        "posted": dashboard.posted_by(user),
        "claims": dashboard.claims_of(user),
        "reviews": dashboard.review_queue(user),
        "overdue": dashboard.overdue_for(user, today),
        "is_admin": bool(dashboard.admin_alliance_ids(user.id)),
    }
    return render_template("studios/challenge_mine.html", **context)


@bp.route("/review")
@signed_in
def review_queue():
    """The challenges waiting for the person's review as an alliance admin."""
    user = current_account()
    return render_template(
        "studios/challenge_review_queue.html", reviews=dashboard.review_queue(user, 200)
    )
