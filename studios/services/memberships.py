"""A studio in alliances beyond its first: applying to join, the admins' decision, leaving."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.timeutil import utcnow
from guild.transactions import begin_writing
from studios.models import AllianceMembership, Decision
from studios.services.access import (
    NotFound,
    get_alliance,
    require_alliance_admin,
    require_studio_member,
)

NOTE_MAX = 200

label_actions(
    {
        "alliance_membership.apply": _l("Alliance membership applied for"),
        "alliance_membership.approve": _l("Alliance membership approved"),
        "alliance_membership.reject": _l("Alliance membership rejected"),
        "alliance_membership.leave": _l("Studio left an alliance"),
    }
)


def _membership(alliance_id: int, studio_id: int) -> AllianceMembership | None:
    query = select(AllianceMembership).where(
        AllianceMembership.alliance_id == alliance_id, AllianceMembership.studio_id == studio_id
    )
    return db.session.scalar(query)


def apply_to_alliance(actor: Actor, studio_id: int, alliance_id: int) -> AllianceMembership:
    """The studio's leader applies for it to join another alliance."""
    begin_writing()
    studio = require_studio_member(actor, studio_id, leader_only=True)
    alliance = get_alliance(alliance_id)
    membership = _membership(alliance.id, studio.id)
    if membership is not None and membership.status == Decision.APPROVED:
        raise DomainError(_l("The studio is already in this alliance."), "alliance_id")
    if membership is not None and membership.status == Decision.PENDING:
        raise DomainError(_l("The studio has already applied to this alliance."), "alliance_id")
    if membership is None:
        membership = AllianceMembership(alliance_id=alliance.id, studio_id=studio.id)
        db.session.add(membership)
    membership.status, membership.applied_by_id, membership.applied_at = (
        Decision.PENDING,
        actor.user.id,
        utcnow(),
    )
    membership.decided_by_id, membership.decided_at, membership.note = None, None, ""
    db.session.flush()
    record(actor, "alliance_membership.apply", membership, None, {"alliance_id": alliance.id})
    return membership


def get_membership(membership_id: int) -> AllianceMembership:
    """The membership with this id; NotFound when there is none."""
    found = (
        db.session.get(AllianceMembership, membership_id) if 0 < membership_id <= MAX_ID else None
    )
    if found is None:
        raise NotFound(_l("There is no such application."))
    return found


def decide_membership(
    actor: Actor, membership_id: int, approve: bool, note: str = ""
) -> AllianceMembership:
    """An admin of the alliance approves or rejects a studio's application to join it."""
    begin_writing()
    membership = get_membership(membership_id)
    require_alliance_admin(actor, membership.alliance_id)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_l("The note may have at most 200 characters."), "note")
    if membership.status != Decision.PENDING:
        raise DomainError(_l("This application has already been decided."))
    if not approve and not note:
        raise DomainError(_l("Say why the application is rejected."), "note")
    membership.status = Decision.APPROVED if approve else Decision.REJECTED
    membership.decided_by_id, membership.decided_at, membership.note = actor.user.id, utcnow(), note
    db.session.flush()
    action = "alliance_membership.approve" if approve else "alliance_membership.reject"
    after = {"status": str(membership.status), "note": note}
    record(actor, action, membership, {"status": "pending"}, after)
    return membership


def leave_alliance(actor: Actor, studio_id: int, alliance_id: int) -> AllianceMembership:
    """The leader takes the studio out of an alliance (or withdraws a pending application).

    A studio stays in at least one alliance: it cannot leave its last one.
    """
    begin_writing()
    studio = require_studio_member(actor, studio_id, leader_only=True)
    membership = _membership(alliance_id, studio.id)
    if membership is None or membership.status not in (Decision.APPROVED, Decision.PENDING):
        raise DomainError(_l("The studio is not in this alliance."))
    if membership.status == Decision.APPROVED:
        others = select(AllianceMembership.id).where(
            AllianceMembership.studio_id == studio.id,
            AllianceMembership.status == Decision.APPROVED,
            AllianceMembership.id != membership.id,
        )
        if db.session.scalar(others.limit(1)) is None:
            raise DomainError(_l("A studio cannot leave its last alliance."))
    before = {"status": str(membership.status)}
    membership.status = Decision.WITHDRAWN
    membership.decided_at = utcnow()
    db.session.flush()
    record(actor, "alliance_membership.leave", membership, before, {"status": "withdrawn"})
    return membership
