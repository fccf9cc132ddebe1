"""Who may do what in a studio or an alliance: the rights every studio service checks."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from studios.models import (
    Alliance,
    AllianceAdmin,
    AllianceKind,
    AllianceMembership,
    Decision,
    MemberRole,
    MemberStatus,
    Studio,
    StudioMember,
)


class NotAllowed(DomainError):
    """The actor has no right to do this (views answer 403)."""


class NotFound(DomainError):
    """The thing asked for does not exist (views answer 404)."""


def get_studio(studio_id: int) -> Studio:
    """The studio with this id, whatever its status; DomainError when there is none."""
    studio = db.session.get(Studio, studio_id) if 0 < studio_id <= MAX_ID else None
    if studio is None:
        raise NotFound(_l("There is no such studio."))
    return studio


def get_alliance(alliance_id: int) -> Alliance:
    """The alliance with this id; DomainError when there is none."""
    alliance = db.session.get(Alliance, alliance_id) if 0 < alliance_id <= MAX_ID else None
    if alliance is None:
        raise NotFound(_l("There is no such alliance."))
    return alliance


def studio_role(user_id: int | None, studio_id: int) -> MemberRole | None:
    """The user's role in the studio if they are an active member, else None."""
    if user_id is None:
        return None
    query = select(StudioMember.role).where(
        StudioMember.studio_id == studio_id,
        StudioMember.user_id == user_id,
        StudioMember.status == MemberStatus.ACTIVE,
    )
    return db.session.scalar(query)


def require_studio_member(actor: Actor, studio_id: int, leader_only: bool = False) -> Studio:
    """The approved studio the actor is an active member (or, if asked, the leader) of."""
    studio = get_studio(studio_id)
    if studio.status != Decision.APPROVED:
        raise NotAllowed(_l("This studio has not been approved."))
    role = studio_role(actor.user.id if actor.user else None, studio_id)
    if role is None:
        raise NotAllowed(_l("Only the studio's members may do this."))
    if leader_only and role != MemberRole.LEADER:
        raise NotAllowed(_l("Only the studio's leader may do this."))
    return studio


def require_alliance_admin(actor: Actor, alliance_id: int) -> Alliance:
    """The alliance, if the actor administers it; NotAllowed otherwise."""
    alliance = get_alliance(alliance_id)
    if not is_alliance_admin(actor.user.id if actor.user else None, alliance_id):
        raise NotAllowed(_l("Only the alliance's administrators may do this."))
    return alliance


def is_alliance_admin(user_id: int | None, alliance_id: int) -> bool:
    """Tell whether the user administers the alliance (approves its studios)."""
    if user_id is None:
        return False
    query = select(AllianceAdmin.user_id).where(
        AllianceAdmin.alliance_id == alliance_id, AllianceAdmin.user_id == user_id
    )
    return db.session.scalar(query) is not None


def alliance_ids_with_children(alliance_id: int) -> list[int]:
    """The alliance and, for the provincial one, every alliance under it."""
    alliance = db.session.get(Alliance, alliance_id)
    if alliance is None:
        return []
    if alliance.kind != AllianceKind.PROVINCIAL:
        return [alliance_id]
    children = db.session.scalars(select(Alliance.id).where(Alliance.parent_id == alliance_id))
    return [alliance_id, *children]


def member_studios(alliance_ids: list[int]) -> Select:
    """The ids of the approved studios with an approved membership of any of the alliances."""
    return (
        select(AllianceMembership.studio_id)
        .join(Studio, Studio.id == AllianceMembership.studio_id)
        .where(
            AllianceMembership.alliance_id.in_(alliance_ids),
            AllianceMembership.status == Decision.APPROVED,
            Studio.status == Decision.APPROVED,
        )
        .distinct()
    )


def approved_studio_ids_of_alliance(alliance_id: int) -> list[int]:
    """The approved studios in the alliance (the provincial one: in any sub-alliance too)."""
    alliance_ids = alliance_ids_with_children(alliance_id)
    if not alliance_ids:
        return []
    query = member_studios(alliance_ids).order_by(AllianceMembership.studio_id)
    return list(db.session.scalars(query))


def administered_alliance_ids(user_id: int | None) -> list[int]:
    """The alliances the user administers."""
    if user_id is None:
        return []
    query = select(AllianceAdmin.alliance_id).where(AllianceAdmin.user_id == user_id)
    return list(db.session.scalars(query))


def studio_ids_led_or_joined(user_id: int | None) -> list[int]:
    """The studios the user is an active member (or leader) of."""
    if user_id is None:
        return []
    query = select(StudioMember.studio_id).where(
        StudioMember.user_id == user_id, StudioMember.status == MemberStatus.ACTIVE
    )
    return list(db.session.scalars(query))
