"""Studios for the publication tests: two approved studios (leader + member each), one pending.

Rows are made directly (the studios' own services are tested elsewhere); once
tests/studio_scene.py exists this may build through it instead.
"""

from dataclasses import dataclass
from datetime import date

from guild.extensions import db
from studios.models import (
    Alliance,
    AllianceKind,
    Decision,
    MemberRole,
    MemberStatus,
    Studio,
    StudioMember,
)
from tests.conftest import People, Person


@dataclass
class PublicationScene:
    """Who and what the publication tests use."""

    studio_id: int
    other_studio_id: int
    pending_studio_id: int
    leader: Person
    member: Person
    other_leader: Person
    outsider: Person
    pending_leader: Person


def _studio(name: str, leader: Person, alliance_id: int, status: Decision) -> Studio:
    studio = Studio(
        name=name,
        leader_id=leader.id,
        city="杭州市",
        industry="电力",
        level="city",
        founded_on=date(2019, 5, 1),
        description="",
        leader_honours=[],
        status=status,
        applied_alliance_id=alliance_id,
        applied_by_id=leader.id,
    )
    db.session.add(studio)
    db.session.flush()
    return studio


def _member(studio: Studio, person: Person, role: MemberRole) -> None:
    db.session.add(
        StudioMember(studio_id=studio.id, user_id=person.id, role=role, status=MemberStatus.ACTIVE)
    )


def build_publication_scene(app, people: People) -> PublicationScene:
    """Make the studios and people, committed."""
    leader = people.make(real_name="王伟")
    member = people.make(real_name="李娜")
    other_leader = people.make(real_name="陈刚")
    outsider = people.make(real_name="赵敏")
    pending_leader = people.make(real_name="周杰")
    with app.app_context():
        alliance = Alliance(
            name="杭州市劳模工匠创新工作室联盟", kind=AllianceKind.CITY, city="杭州市"
        )
        db.session.add(alliance)
        db.session.flush()
        studio = _studio("王伟电力创新工作室", leader, alliance.id, Decision.APPROVED)
        _member(studio, leader, MemberRole.LEADER)
        _member(studio, member, MemberRole.MEMBER)
        other = _studio("陈刚焊接创新工作室", other_leader, alliance.id, Decision.APPROVED)
        _member(other, other_leader, MemberRole.LEADER)
        pending = _studio("周杰数控工作室", pending_leader, alliance.id, Decision.PENDING)
        _member(pending, pending_leader, MemberRole.LEADER)
        db.session.commit()
        return PublicationScene(
            studio.id, other.id, pending.id, leader, member, other_leader, outsider, pending_leader
        )
