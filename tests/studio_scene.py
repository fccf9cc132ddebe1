"""Alliances and studios for page and service tests, built through the real studio services.

`build_studios(app, people)` makes the people (each signs in with tests.conftest.login), the
provincial alliance with a city (杭州市) and an industry (电力) sub-alliance, each with an admin,
two approved studios in the city alliance (a leader and one active member each) and one
pending founding application.
"""

from dataclasses import dataclass
from datetime import date

from guild.accounts.roles import Role
from guild.audit.services import Actor
from guild.extensions import db
from studios.models import AllianceKind, StudioLevel
from studios.services.alliances import AllianceFields, appoint_alliance_admin, create_alliance
from studios.services.members import answer_invitation, invite_member
from studios.services.studios import StudioFields, apply_for_studio, decide_studio
from tests.conftest import Person

PROVINCIAL_NAME = "浙江省劳模工匠创新工作室联盟"
CITY_NAME = "杭州市劳模工匠创新工作室联盟"
INDUSTRY_NAME = "电力行业劳模工匠创新工作室联盟"
STUDIO_NAMES = ("王强电力创新工作室", "陈红焊接技能工作室")
PENDING_NAME = "刘洋数控工作室"


@dataclass
class StudioScene:
    """The alliances' and studios' ids and everyone in them, as Persons that can sign in."""

    admin: Person  # a platform admin (Role.ADMIN)
    provincial_id: int
    city_id: int
    industry_id: int
    provincial_admin: Person
    city_admin: Person
    industry_admin: Person
    studio_ids: list[int]  # the two approved studios, in the city alliance
    leaders: list[Person]  # their leaders
    members: list[Person]  # one active member each
    pending_id: int  # a founding application to the city alliance, not yet decided
    applicant: Person  # who applied (and would lead) the pending studio
    enterprise_id: int
    outsider: Person  # a worker in no studio and no alliance


def _fields(name: str, enterprise_id: int, honours: list[str]) -> StudioFields:
    return StudioFields(
        name=name,
        city="杭州市",
        level=StudioLevel.PROVINCIAL,
        founded_on=date(2019, 5, 1),
        industry="电力",
        description=f"{name}专注技术攻关与技能传承。",
        leader_honours=honours,
        enterprise_id=enterprise_id,
    )


def _alliances(admin: Actor) -> tuple[int, int, int]:
    top = create_alliance(admin, AllianceFields(PROVINCIAL_NAME, AllianceKind.PROVINCIAL))
    city = create_alliance(admin, AllianceFields(CITY_NAME, AllianceKind.CITY, city="杭州市"))
    industry = create_alliance(
        admin, AllianceFields(INDUSTRY_NAME, AllianceKind.INDUSTRY, industry="电力")
    )
    return top.id, city.id, industry.id


def build_studios(app, people) -> StudioScene:
    """The alliances, their admins and the studios, made through the services."""
    enterprise_id = people.enterprise("杭州新能电力有限公司", "杭州市")
    admin = people.make(Role.ADMIN, real_name="管理员")
    admins = [people.make(real_name=name) for name in ("省联盟管", "杭联盟管", "电联盟管")]
    leaders = [
        people.make(real_name=name, enterprise_id=enterprise_id) for name in ("王强", "陈红")
    ]
    members = [
        people.make(real_name=name, enterprise_id=enterprise_id) for name in ("赵敏", "孙磊")
    ]
    applicant = people.make(real_name="刘洋", enterprise_id=enterprise_id)
    outsider = people.make(real_name="周游")
    with app.app_context():
        from guild.accounts.models import User

        def actor(person: Person) -> Actor:
            return Actor(db.session.get(User, person.id), "127.0.0.1")

        ids = _alliances(actor(admin))
        for alliance_id, person in zip(ids, admins, strict=True):
            appoint_alliance_admin(actor(admin), alliance_id, person.phone)
        studio_ids = []
        for name, leader, member in zip(STUDIO_NAMES, leaders, members, strict=True):
            studio = apply_for_studio(
                actor(leader), ids[1], _fields(name, enterprise_id, ["全国劳动模范"])
            )
            decide_studio(actor(admins[1]), studio.id, True, "")
            invite_member(actor(leader), studio.id, member.phone)
            answer_invitation(actor(member), studio.id, True)
            studio_ids.append(studio.id)
        pending = apply_for_studio(
            actor(applicant), ids[1], _fields(PENDING_NAME, enterprise_id, ["浙江工匠"])
        )
        db.session.commit()
        pending_id = pending.id
    return StudioScene(
        admin,
        *ids,
        *admins,
        studio_ids,
        leaders,
        members,
        pending_id,
        applicant,
        enterprise_id,
        outsider,
    )
