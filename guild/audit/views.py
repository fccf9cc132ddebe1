"""The audit log for administrators: blueprint `audit`."""

from datetime import date, timedelta

from flask import Blueprint, current_app, render_template, request

from guild.access import roles_required
from guild.accounts.roles import Role
from guild.audit import services
from guild.audit.labels import action_label, field_label, object_label
from guild.timeutil import local_midnight_utc
from guild.web import filter_args, int_arg, page_number, page_size

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
FILTERS = ("action", "actor", "object_type", "object_id", "since", "until")


def _day_arg(name: str) -> date | None:
    """A YYYY-MM-DD argument within a sane range, else None."""
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    """Read the audit log, filtered by action, actor, object type and local dates."""
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    since, until = _day_arg("since"), _day_arg("until")
    filters = services.AuditFilter(
        action=request.args.get("action") or None,
        actor_id=int_arg("actor"),
        object_type=request.args.get("object_type") or None,
        object_id=request.args.get("object_id", "")[:40] or None,
        since=local_midnight_utc(since, zone) if since else None,
        until=local_midnight_utc(until + timedelta(days=1), zone) if until else None,
    )
    return render_template(
        "admin/audit.html",
        pagination=services.search_entries(filters, page_number(), page_size()),
        actions=services.known_actions(),
        object_types=services.known_object_types(),
        args=request.args,
        changes=services.changes,
        action_label=action_label,
        object_label=object_label,
        field_label=field_label,
        filter_args=filter_args(*FILTERS),
    )
