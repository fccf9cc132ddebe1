"""A studio's people: the leader invites, users accept or decline, members leave or are removed.

The leader cannot simply leave: they first hand the studio over to an active member, who
becomes the leader while they stay on as a member (and may then leave).
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.timeutil import utcnow
from guild.transactions import begin_writing
from studios.models import Decision, MemberRole, MemberStatus, StudioMember
from studios.services.access import NotAllowed, NotFound, get_studio, require_studio_member
from studios.services.alliances import user_by_phone

label_actions(
    {
        "studio_member.invite": _l("Studio member invited"),
        "studio_member.accept": _l("Studio invitation accepted"),
        "studio_member.decline": _l("Studio invitation declined"),
        "studio_member.leave": _l("Studio member left"),
        "studio_member.remove": _l("Studio member removed"),
        "studio.hand_over": _l("Studio handed over"),
    }
)


def _row(studio_id: int, user_id: int) -> StudioMember | None:
    query = select(StudioMember).where(
        StudioMember.studio_id == studio_id, StudioMember.user_id == user_id
    )
    return db.session.scalar(query)


def invite_member(actor: Actor, studio_id: int, phone: str) -> StudioMember:
    """The leader invites the user with this phone number to join the studio."""
    begin_writing()
    studio = require_studio_member(actor, studio_id, leader_only=True)
    user = user_by_phone(phone)
    member = _row(studio.id, user.id)
    if member is not None and member.status == MemberStatus.ACTIVE:
        raise DomainError(_l("This user is already a member."), "phone")
    if member is not None and member.status == MemberStatus.INVITED:
        raise DomainError(_l("This user has already been invited."), "phone")
    if member is None:
        member = StudioMember(studio_id=studio.id, user_id=user.id)
        db.session.add(member)
    member.role, member.status = MemberRole.MEMBER, MemberStatus.INVITED
    member.invited_by_id, member.invited_at = actor.user.id, utcnow()
    member.joined_at, member.left_at = None, None
    db.session.flush()
    record(actor, "studio_member.invite", studio, None, {"user_id": user.id})
    return member


def _own_invitation(actor: Actor, studio_id: int) -> StudioMember:
    studio = get_studio(studio_id)
    member = _row(studio.id, actor.user.id) if actor.user else None
    if member is None or member.status != MemberStatus.INVITED:
        raise NotFound(_l("You have no invitation to this studio."))
    if studio.status != Decision.APPROVED:
        raise DomainError(_l("This studio has not been approved."))
    return member


def answer_invitation(actor: Actor, studio_id: int, accept: bool) -> StudioMember:
    """The invited user accepts (becoming an active member) or declines."""
    begin_writing()
    member = _own_invitation(actor, studio_id)
    if accept:
        member.status, member.joined_at = MemberStatus.ACTIVE, utcnow()
    else:
        member.status = MemberStatus.DECLINED
    db.session.flush()
    action = "studio_member.accept" if accept else "studio_member.decline"
    record(actor, action, member, {"status": "invited"}, {"status": str(member.status)})
    return member


def leave_studio(actor: Actor, studio_id: int) -> StudioMember:
    """An active member leaves; the leader must hand the studio over first."""
    begin_writing()
    studio = require_studio_member(actor, studio_id)
    member = _row(studio.id, actor.user.id)
    if member.role == MemberRole.LEADER:
        raise DomainError(_l("Hand the studio over to another member before leaving."))
    member.status, member.left_at = MemberStatus.LEFT, utcnow()
    db.session.flush()
    record(actor, "studio_member.leave", member, {"status": "active"}, {"status": "left"})
    return member


def get_member(studio_id: int, member_id: int) -> StudioMember:
    """The studio's member row with this id; NotFound otherwise."""
    member = db.session.get(StudioMember, member_id) if 0 < member_id <= MAX_ID else None
    if member is None or member.studio_id != studio_id:
        raise NotFound(_l("There is no such member."))
    return member


def remove_member(actor: Actor, studio_id: int, member_id: int) -> StudioMember:
    """The leader removes an active member or takes back an invitation."""
    begin_writing()
    studio = require_studio_member(actor, studio_id, leader_only=True)
    member = get_member(studio.id, member_id)
    if member.role == MemberRole.LEADER:
        raise NotAllowed(_l("The leader cannot be removed."))
    if member.status not in (MemberStatus.ACTIVE, MemberStatus.INVITED):
        raise DomainError(_l("This person is no longer in the studio."))
    before = {"status": str(member.status), "user_id": member.user_id}
    member.status, member.left_at = MemberStatus.LEFT, utcnow()
    db.session.flush()
    record(actor, "studio_member.remove", member, before, {"status": "left"})
    return member


def hand_over(actor: Actor, studio_id: int, member_id: int) -> StudioMember:
    """The leader makes an active member the leader and stays on as a member."""
    begin_writing()
    studio = require_studio_member(actor, studio_id, leader_only=True)
    member = get_member(studio.id, member_id)
    if member.status != MemberStatus.ACTIVE or member.role == MemberRole.LEADER:
        raise DomainError(_l("Hand the studio over to an active member."), "member_id")
    old = _row(studio.id, actor.user.id)
    old.role, member.role = MemberRole.MEMBER, MemberRole.LEADER
    studio.leader_id = member.user_id
    db.session.flush()
    record(
        actor, "studio.hand_over", studio, {"leader_id": old.user_id}, {"leader_id": member.user_id}
    )
    return member
