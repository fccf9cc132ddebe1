"""Pages of the innovation domain: blueprint `studios` (front page, alliances, studio pages).

The rest of the blueprint's routes live in the modules imported at the bottom: founding and
approvals (`studio_manage_views`), members and alliance membership (`studio_member_views`),
and the platform admins' alliance pages (`alliance_admin_views`).
"""

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from guild.access import public
from guild.extensions import db
from guild.web import page_number
from studios.labels import KIND_LABELS, LEVEL_LABELS
from studios.models import Alliance, AllianceKind, Decision, Studio
from studios.services import overview
from studios.services.access import (
    alliance_ids_with_children,
    is_alliance_admin,
    studio_role,
)
from studios.services.alliances import alliance_tree

bp = Blueprint("studios", __name__, url_prefix="/studios")
STUDIOS_PER_PAGE = 20


def path_to(endpoint: str, fallback: str, **values) -> str:
    """A link to another helper's page: url_for when the endpoint exists, else the path."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return fallback


def search_url() -> str:
    """The search page (publications.search), by path until it is registered."""
    return path_to("publications.search", "/studios/search")


@bp.app_template_global()
def studio_level_label(level) -> str:
    """A studio level's name in the user's language."""
    return str(LEVEL_LABELS.get(level, level))


@bp.app_template_global()
def alliance_kind_label(kind) -> str:
    """An alliance kind's name in the user's language."""
    return str(KIND_LABELS.get(kind, kind))


@bp.route("/")
@public
def index():
    """The front page: the alliances tree with counts, a search box and recent studios."""
    return render_template(
        "studios/index.html",
        tree=alliance_tree(),
        counts=overview.studio_counts_by_alliance(),
        recent=overview.recent_studios(),
        search_url=search_url(),
    )


def _alliance_charts(alliance: Alliance, stats: overview.AllianceStats) -> list[dict]:
    if not stats.children:
        return []
    names = [child.name for child, _studios, _works in stats.children]
    return [
        {
            "kind": "hbar",
            "categories": names,
            "series": [
                {"name": _("Studios"), "data": [s for _c, s, _w in stats.children]},
                {"name": _("Publications"), "data": [w for _c, _s, w in stats.children]},
            ],
        }
    ]


def _publication_chart(counts: dict[str, int]) -> dict:
    names = ("patents", "achievements", "courseware", "events")
    labels = [_("Patents"), _("Achievements"), _("Courseware"), _("Events")]
    return {
        "kind": "bar",
        "categories": labels,
        "series": [{"name": _("Count"), "data": [counts[name] for name in names]}],
    }


@bp.route("/alliances/<int:alliance_id>")
@public
def alliance(alliance_id: int):
    """An alliance: its counts, charts and member studios."""
    found = db.get_or_404(Alliance, alliance_id)
    stats = overview.alliance_stats(found)
    page = overview.studios_page(
        alliance_ids_with_children(found.id), page_number(), STUDIOS_PER_PAGE
    )
    parent = db.session.get(Alliance, found.parent_id) if found.parent_id else None
    children = []
    if found.kind is AllianceKind.PROVINCIAL:
        children = [child for child, _s, _w in stats.children]
    return render_template(
        "studios/alliance.html",
        alliance=found,
        parent=parent,
        children=children,
        stats=stats,
        charts=[*_alliance_charts(found, stats), _publication_chart(stats.counts)],
        studios=page,
        report_url=path_to(
            "studio_reports.alliance_report",
            f"/studios/alliances/{found.id}/report",
            alliance_id=found.id,
        ),
        events_url=path_to(
            "courseware.alliance_events",
            f"/studios/alliances/{found.id}/events",
            alliance_id=found.id,
        ),
    )


def visible_studio(studio_id: int, user_id: int | None) -> Studio:
    """An approved studio, or a pending/rejected one to its applicant, leader or deciders."""
    studio = db.get_or_404(Studio, studio_id)
    if studio.status == Decision.APPROVED:
        return studio
    if user_id is not None and (
        user_id in (studio.applied_by_id, studio.leader_id)
        or is_alliance_admin(user_id, studio.applied_alliance_id)
    ):
        return studio
    abort(404)


@bp.route("/<int:studio_id>")
@public
def studio(studio_id: int):
    """A studio: details, leader and honours, members, alliances, publications and events."""
    from flask_login import current_user

    user_id = current_user.id if current_user.is_authenticated else None
    found = visible_studio(studio_id, user_id)
    view = overview.studio_view(found)
    sid = found.id
    links = {
        "patents": path_to("publications.patents", f"/studios/{sid}/patents", studio_id=sid),
        "achievements": path_to(
            "publications.achievements", f"/studios/{sid}/achievements", studio_id=sid
        ),
        "courseware": path_to(
            "courseware.studio_courseware", f"/studios/{sid}/courseware", studio_id=sid
        ),
        "events": path_to("courseware.studio_events", f"/studios/{sid}/events", studio_id=sid),
        "report": path_to("studio_reports.studio_report", f"/studios/{sid}/report", studio_id=sid),
    }
    return render_template(
        "studios/studio.html",
        view=view,
        studio=found,
        role=studio_role(user_id, found.id),
        links=links,
    )


# The rest of the blueprint's routes, and the demo loader (registered for `demo load`).
from studios import (  # noqa: E402,F401
    alliance_admin_views,
    demo,
    studio_manage_views,
    studio_member_views,
)
