"""What the public pages show: alliance counts and charts, a studio's people and latest work.

Everything is counted and limited in SQL so a studio with thousands of publications, or the
provincial alliance with hundreds of studios, costs a handful of small queries.
"""

from dataclasses import dataclass, field

from sqlalchemy import Select, func, select

from guild.accounts.models import Enterprise, User
from guild.extensions import db
from studios.activity_models import Event
from studios.models import (
    Alliance,
    AllianceKind,
    AllianceMembership,
    Decision,
    MemberRole,
    MemberStatus,
    Studio,
    StudioMember,
)
from studios.publication_models import Achievement, Courseware, Patent
from studios.services.access import alliance_ids_with_children, member_studios

LATEST = 5
PUBLICATIONS = (("patents", Patent), ("achievements", Achievement), ("courseware", Courseware))


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


@dataclass
class AllianceStats:
    """An alliance's counts, and per sub-alliance figures for its charts."""

    counts: dict[str, int]
    children: list[tuple[Alliance, int, int]] = field(default_factory=list)  # studios, works


def alliance_stats(alliance: Alliance) -> AllianceStats:
    """Counts of enterprises, studios, patents, achievements, courseware and events."""
    ids = alliance_ids_with_children(alliance.id)
    studios = member_studios(ids)
    counts = {"studios": _count(studios)}
    enterprises = select(Studio.enterprise_id).where(
        Studio.id.in_(studios), Studio.enterprise_id.is_not(None)
    )
    counts["enterprises"] = _count(enterprises.distinct())
    for name, model in PUBLICATIONS:
        counts[name] = _count(select(model.id).where(model.studio_id.in_(studios)))
    events = select(Event.id).where(
        (Event.studio_id.in_(studios)) | (Event.alliance_id.in_(ids)), Event.cancelled_at.is_(None)
    )
    counts["events"] = _count(events)
    stats = AllianceStats(counts)
    if alliance.kind is AllianceKind.PROVINCIAL:
        stats.children = _per_child(alliance.id)
    return stats


def _per_child(parent_id: int) -> list[tuple[Alliance, int, int]]:
    """Each sub-alliance with its studios and publications, for the provincial charts."""
    children = list(
        db.session.scalars(select(Alliance).where(Alliance.parent_id == parent_id).order_by("id"))
    )
    studios = dict(
        db.session.execute(
            select(AllianceMembership.alliance_id, func.count())
            .join(Studio, Studio.id == AllianceMembership.studio_id)
            .where(
                AllianceMembership.status == Decision.APPROVED,
                Studio.status == Decision.APPROVED,
            )
            .group_by(AllianceMembership.alliance_id)
        ).all()
    )
    works: dict[int, int] = {}
    for _name, model in PUBLICATIONS:
        query = (
            select(AllianceMembership.alliance_id, func.count(model.id))
            .join(model, model.studio_id == AllianceMembership.studio_id)
            .where(AllianceMembership.status == Decision.APPROVED)
            .group_by(AllianceMembership.alliance_id)
        )
        for alliance_id, number in db.session.execute(query):
            works[alliance_id] = works.get(alliance_id, 0) + number
    return [(child, studios.get(child.id, 0), works.get(child.id, 0)) for child in children]


def studio_counts_by_alliance() -> dict[int, int]:
    """Approved studios per alliance, for the front page's tree."""
    query = (
        select(AllianceMembership.alliance_id, func.count())
        .join(Studio, Studio.id == AllianceMembership.studio_id)
        .where(AllianceMembership.status == Decision.APPROVED, Studio.status == Decision.APPROVED)
        .group_by(AllianceMembership.alliance_id)
    )
    return dict(db.session.execute(query).all())


def studios_page(alliance_ids: list[int], page: int, per_page: int):
    """One page of the alliances' approved studios, by name."""
    query = select(Studio).where(Studio.id.in_(member_studios(alliance_ids))).order_by(Studio.name)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def recent_studios(limit: int = 8) -> list[Studio]:
    """The studios approved most recently."""
    query = (
        select(Studio)
        .where(Studio.status == Decision.APPROVED)
        .order_by(Studio.decided_at.desc(), Studio.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


@dataclass
class StudioView:
    """What the studio page shows."""

    studio: Studio
    leader: User
    enterprise: str
    members: list[tuple[StudioMember, User]]
    alliances: list[Alliance]
    latest: dict[str, list]
    counts: dict[str, int]
    events: list[Event]


def studio_view(studio: Studio) -> StudioView:
    """The studio's leader, members, alliances, latest publications and events, with counts."""
    leader = db.session.get(User, studio.leader_id)
    enterprise = (
        db.session.scalar(select(Enterprise.name).where(Enterprise.id == studio.enterprise_id))
        if studio.enterprise_id
        else None
    )
    members = db.session.execute(
        select(StudioMember, User)
        .join(User, User.id == StudioMember.user_id)
        .where(StudioMember.studio_id == studio.id, StudioMember.status == MemberStatus.ACTIVE)
        .order_by(StudioMember.role != MemberRole.LEADER, StudioMember.joined_at, StudioMember.id)
        .limit(100)
    ).all()
    alliances = list(
        db.session.scalars(
            select(Alliance)
            .join(AllianceMembership, AllianceMembership.alliance_id == Alliance.id)
            .where(
                AllianceMembership.studio_id == studio.id,
                AllianceMembership.status == Decision.APPROVED,
            )
            .order_by(Alliance.id)
        )
    )
    latest, counts = _latest_publications(studio.id)
    events = list(
        db.session.scalars(
            select(Event)
            .where(Event.studio_id == studio.id)
            .order_by(Event.starts_at.desc())
            .limit(LATEST)
        )
    )
    counts["events"] = _count(select(Event.id).where(Event.studio_id == studio.id))
    return StudioView(studio, leader, enterprise or "", members, alliances, latest, counts, events)


def _latest_publications(studio_id: int) -> tuple[dict[str, list], dict[str, int]]:
    orders = {
        "patents": (Patent.filed_on.desc(), Patent.id.desc()),
        "achievements": (Achievement.achieved_on.desc(), Achievement.id.desc()),
        "courseware": (Courseware.created_at.desc(), Courseware.id.desc()),
    }
    latest, counts = {}, {}
    for name, model in PUBLICATIONS:
        query = select(model).where(model.studio_id == studio_id)
        latest[name] = list(db.session.scalars(query.order_by(*orders[name]).limit(LATEST)))
        counts[name] = _count(select(model.id).where(model.studio_id == studio_id))
    return latest, counts
