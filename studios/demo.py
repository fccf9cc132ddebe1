"""Demo data for the studio alliance: the provincial alliance, 9 sub-alliances and studios.

Registered with the shell's `demo load`. The demo admin (周海燕) administers every alliance and
the demo organiser (陈秀英) the Hangzhou one; the demo worker 李小明 leads a studio (so the demo
shows editing) and one founding application waits for approval. Studio leaders and members
are demo users of their own, with random passwords nobody knows. Everything goes through the
real services. Other demo loaders find the studios by DEMO_STUDIO_NAMES (the leader's studio
first).
"""

import secrets
from contextlib import contextmanager
from datetime import date
from itertools import cycle

from flask import current_app
from sqlalchemy import select

from guild.accounts.models import Enterprise, User
from guild.accounts.roles import Role
from guild.accounts.services.users import Registration, register_user
from guild.audit.services import Actor
from guild.demo import DEMO_ENTERPRISES, register_demo_loader
from guild.extensions import db
from studios.models import AllianceKind, StudioLevel
from studios.services.alliances import AllianceFields, appoint_alliance_admin, create_alliance
from studios.services.members import answer_invitation, invite_member
from studios.services.memberships import apply_to_alliance, decide_membership
from studios.services.studios import StudioFields, apply_for_studio, decide_studio

PROVINCIAL = "浙江省劳模工匠创新工作室联盟"
CITY_ALLIANCES = ("杭州市", "宁波市", "温州市", "嘉兴市", "绍兴市", "湖州市")
INDUSTRY_ALLIANCES = ("电力能源", "交通物流", "机械制造")
PHONE_PREFIX = "1360000"
THROWAWAY_HASH = "pbkdf2:sha256:1000"  # nobody knows these passwords: a cheap hash loses nothing

# (studio, leader, enterprise index or None, city, industry, level, founded, honours, sub-alliance)
STUDIOS = (
    (
        "李小明电力检修创新工作室",
        None,
        0,
        "杭州市",
        "电力能源",
        StudioLevel.CITY,
        date(2021, 3, 12),
        ["杭州市劳动模范", "杭州工匠"],
        "杭州市",
    ),
    (
        "王海涛变电运维劳模创新工作室",
        "王海涛",
        0,
        "杭州市",
        "电力能源",
        StudioLevel.NATIONAL,
        date(2012, 6, 1),
        ["全国劳动模范", "全国五一劳动奖章"],
        "杭州市",
    ),
    (
        "张桂芳纺织工艺创新工作室",
        "张桂芳",
        4,
        "绍兴市",
        "纺织印染",
        StudioLevel.PROVINCIAL,
        date(2015, 9, 18),
        ["浙江省劳动模范", "浙江工匠"],
        "绍兴市",
    ),
    (
        "陈国强港口机械工匠工作室",
        "陈国强",
        1,
        "宁波市",
        "交通物流",
        StudioLevel.PROVINCIAL,
        date(2016, 4, 20),
        ["全国技术能手", "浙江省劳动模范"],
        "宁波市",
    ),
    (
        "林建华数控加工创新工作室",
        "林建华",
        2,
        "温州市",
        "机械制造",
        StudioLevel.CITY,
        date(2018, 11, 5),
        ["温州市劳动模范"],
        "温州市",
    ),
    (
        "沈丽萍化工安全创新工作室",
        "沈丽萍",
        3,
        "嘉兴市",
        "化工",
        StudioLevel.PROVINCIAL,
        date(2017, 7, 7),
        ["浙江省五一劳动奖章"],
        "嘉兴市",
    ),
    (
        "钱伟民湖笔制作技艺工作室",
        "钱伟民",
        None,
        "湖州市",
        "传统工艺",
        StudioLevel.CITY,
        date(2019, 5, 16),
        ["湖州工匠"],
        "湖州市",
    ),
    (
        "吴志军输电线路带电作业工作室",
        "吴志军",
        0,
        "杭州市",
        "电力能源",
        StudioLevel.NATIONAL,
        date(2010, 10, 10),
        ["全国劳动模范", "中华技能大奖"],
        "电力能源",
    ),
    (
        "周晓东集装箱物流创新工作室",
        "周晓东",
        1,
        "宁波市",
        "交通物流",
        StudioLevel.ENTERPRISE,
        date(2020, 8, 8),
        ["宁波市劳动模范"],
        "交通物流",
    ),
    (
        "郑永康精密装配工匠工作室",
        "郑永康",
        2,
        "温州市",
        "机械制造",
        StudioLevel.PROVINCIAL,
        date(2014, 3, 3),
        ["浙江工匠", "全国技术能手"],
        "机械制造",
    ),
)
DEMO_STUDIO_NAMES = tuple(row[0] for row in STUDIOS)
PENDING_STUDIO = (
    "孙丽华焊接技能创新工作室",
    "孙丽华",
    0,
    "杭州市",
    "电力能源",
    StudioLevel.ENTERPRISE,
    date(2023, 2, 14),
    ["杭州市技术能手"],
    "杭州市",
)
MEMBER_NAMES = ("赵雨辰", "钱晓峰", "孙佳怡", "李宏伟", "周思远", "吴梦琪", "郑凯", "王欣然")


@contextmanager
def _throwaway_hashing():
    config = current_app.config
    kept = config["PASSWORD_HASH_METHOD"]
    config["PASSWORD_HASH_METHOD"] = THROWAWAY_HASH
    try:
        yield
    finally:
        config["PASSWORD_HASH_METHOD"] = kept


class _People:
    """Demo users with random passwords, numbered after PHONE_PREFIX."""

    def __init__(self, enterprises: list[Enterprise]):
        self.enterprises, self.count = enterprises, 0

    def make(self, name: str, enterprise_index: int | None, city: str) -> User:
        self.count += 1
        enterprise = self.enterprises[enterprise_index] if enterprise_index is not None else None
        with _throwaway_hashing():
            return register_user(
                Registration(
                    real_name=name,
                    phone=f"{PHONE_PREFIX}{self.count:04d}",
                    password=secrets.token_urlsafe(24) + "a1",
                    city=enterprise.city if enterprise else city,
                    enterprise_id=enterprise.id if enterprise else None,
                )
            )


def _alliances(admin: Actor) -> dict[str, int]:
    """The provincial alliance and its 9 sub-alliances, by city or industry name."""
    top = create_alliance(
        admin,
        AllianceFields(
            PROVINCIAL,
            AllianceKind.PROVINCIAL,
            description="全省劳模工匠创新工作室的交流与协作平台：成果共享、课件互通、揭榜攻关。",
        ),
    )
    ids = {"": top.id}
    for city in CITY_ALLIANCES:
        fields = AllianceFields(f"{city}劳模工匠创新工作室联盟", AllianceKind.CITY, city=city)
        ids[city] = create_alliance(admin, fields).id
    for industry in INDUSTRY_ALLIANCES:
        fields = AllianceFields(
            f"{industry}行业劳模工匠创新工作室联盟", AllianceKind.INDUSTRY, industry=industry
        )
        ids[industry] = create_alliance(admin, fields).id
    return ids


def _fields(row: tuple) -> StudioFields:
    name, _leader, _firm, city, industry, level, founded, honours, _alliance = row
    description = f"{name}围绕一线生产难题开展技术攻关、技能传承和人才培养。"
    return StudioFields(name, city, level, founded, industry, description, honours)


def load_studio_demo(actor: Actor, accounts_by_role: dict[str, User]) -> None:
    """The alliances, their admins, ten studios with members, and one pending application."""
    admin = Actor(accounts_by_role[Role.ADMIN.value], "demo")
    ids = _alliances(admin)
    for alliance_id in ids.values():
        appoint_alliance_admin(admin, alliance_id, admin.user.phone)
    appoint_alliance_admin(admin, ids["杭州市"], accounts_by_role[Role.ORGANISER.value].phone)
    names = [name for name, _ in DEMO_ENTERPRISES]
    found = {
        e.name: e for e in db.session.scalars(select(Enterprise).where(Enterprise.name.in_(names)))
    }
    people = _People([found[name] for name in names])
    worker = accounts_by_role[Role.WORKER.value]
    members = cycle(MEMBER_NAMES)
    for number, row in enumerate(STUDIOS):
        leader = worker if row[1] is None else people.make(row[1], row[2], row[3])
        lead = Actor(leader, "demo")
        studio = apply_for_studio(lead, ids[row[8]], _fields(row))
        decide_studio(admin, studio.id, True, "材料齐全，同意成立。")
        for _ in range(2 + number % 2):
            member = people.make(next(members), row[2], row[3])
            invite_member(lead, studio.id, member.phone)
            answer_invitation(Actor(member, "demo"), studio.id, True)
        if row[1] is None:  # the demo worker's studio is also in its industry alliance
            joined = apply_to_alliance(lead, studio.id, ids["电力能源"])
            decide_membership(admin, joined.id, True, "")
    applicant = people.make(PENDING_STUDIO[1], PENDING_STUDIO[2], PENDING_STUDIO[3])
    apply_for_studio(Actor(applicant, "demo"), ids["杭州市"], _fields(PENDING_STUDIO))
    db.session.flush()


@register_demo_loader
def load_studios_demo(actor: Actor, accounts_by_role: dict[str, User]) -> None:
    """The studios first, then their activity, challenges and publications, in that order
    whatever order their modules were imported in."""
    # They find the studios by DEMO_STUDIO_NAMES, imported from this module.
    from studios.demo_activity import load_activity_demo
    from studios.demo_challenges import load_challenge_demo
    from studios.demo_publications import load_publication_demo

    load_studio_demo(actor, accounts_by_role)
    for load in (load_activity_demo, load_challenge_demo, load_publication_demo):
        load(actor, accounts_by_role)
