"""Demo patents and achievements for the demo studios (loaded after them by studios.demo).

Each approved demo studio gets two or three patents (numbers with correct check characters,
one granted and one lapsed among them) and one or two achievements, added by its leader
through the real services, so they are audited and searchable.
"""

from datetime import date

from sqlalchemy import select

from guild.accounts.models import User
from guild.audit.services import Actor
from guild.extensions import db
from studios.models import Decision, MemberStatus, Studio, StudioMember
from studios.publication_models import PatentStatus, PatentType
from studios.services.achievements import AchievementFields, add_achievement
from studios.services.patent_numbers import with_check
from studios.services.patents import PatentFields, add_patent, change_status

TYPE_DIGITS = {PatentType.INVENTION: "1", PatentType.UTILITY_MODEL: "2", PatentType.DESIGN: "3"}
PATENTS = (
    (
        PatentType.UTILITY_MODEL,
        "一种带电作业用绝缘操作杆",
        "涉及带电作业工具，操作杆伸缩锁紧可靠，减轻劳动强度。",
    ),
    (
        PatentType.INVENTION,
        "一种变压器油色谱在线监测方法",
        "通过油中溶解气体在线分析，提前发现变压器内部潜伏性故障。",
    ),
    (
        PatentType.UTILITY_MODEL,
        "一种管道焊接对口定位装置",
        "快速完成管道对口与定位，提高焊接一次合格率。",
    ),
    (PatentType.DESIGN, "智能巡检终端外壳", "适用于变电站、管廊等场所巡检终端的外观设计。"),
    (
        PatentType.INVENTION,
        "一种数控机床刀具磨损预测方法",
        "基于主轴电流与振动信号预测刀具磨损，减少停机换刀。",
    ),
    (
        PatentType.UTILITY_MODEL,
        "一种集装箱吊具防摇摆装置",
        "降低岸桥作业中吊具摆动幅度，提升装卸效率。",
    ),
)
ACHIEVEMENTS = (
    (
        "变电站智能巡检机器人应用",
        "technical_innovation",
        "研制**轨道式巡检机器人**，实现：\n\n- 红外测温自动识别\n- 表计读数自动抄录\n\n"
        "巡检效率提升 3 倍。",
        "1860000.00",
        "浙江省职工技术创新成果一等奖",
    ),
    (
        "焊接工艺参数优化",
        "process_improvement",
        "优化厚板多层多道焊接参数，*一次合格率*由 92% 提升到 99%。",
        "520000.50",
        "市级优秀合理化建议",
    ),
    (
        "班组安全管理数字化看板",
        "management",
        "将班前会、工作票与风险预控措施集中展示，详见[成果简介](https://example.cn/kanban)。",
        "0",
        "",
    ),
)


def _members(studio: Studio) -> list[int]:
    query = select(StudioMember.user_id).where(
        StudioMember.studio_id == studio.id, StudioMember.status == MemberStatus.ACTIVE
    )
    return list(db.session.scalars(query))


def _add_patents(lead: Actor, studio: Studio, number: int) -> None:
    inventors = _members(studio)[:3]
    for step in range(2 + number % 2):
        kind, title, abstract = PATENTS[(number + step) % len(PATENTS)]
        year = 2018 + (number + step) % 6
        digits = f"{year}{TYPE_DIGITS[kind]}{1000000 + number * 10 + step:07d}"
        filed = date(year, 1 + (number * 3 + step) % 12, 10)
        granted = date(year + 1, filed.month, 20) if step == 0 else None
        patent = add_patent(
            lead,
            studio.id,
            PatentFields(
                patent_type=kind,
                application_number=with_check(digits),
                title=title,
                filed_on=filed,
                granted_on=granted,
                member_ids=inventors,
                abstract=abstract,
            ),
        )
        if step == 1 and number % 3 == 0:
            change_status(
                lead, studio.id, patent.id, PatentStatus.LAPSED, date(2025, 3, 1), "未缴年费"
            )


def _add_achievements(lead: Actor, studio: Studio, number: int) -> None:
    for step in range(1 + number % 2):
        title, category, summary, benefit, awards = ACHIEVEMENTS[
            (number + step) % len(ACHIEVEMENTS)
        ]
        add_achievement(
            lead,
            studio.id,
            AchievementFields(
                title=title,
                achieved_on=date(2022 + (number + step) % 3, 6, 18),
                summary_markdown=summary,
                category=category,
                benefit_yuan=benefit,
                awards=awards,
            ),
        )


def load_publication_demo(actor: Actor, accounts_by_role: dict[str, User]) -> None:
    """Patents and achievements for every approved demo studio, by its leader."""
    from studios.demo import DEMO_STUDIO_NAMES

    studios = db.session.scalars(
        select(Studio).where(Studio.name.in_(DEMO_STUDIO_NAMES), Studio.status == Decision.APPROVED)
    ).all()
    by_name = {studio.name: studio for studio in studios}
    for number, name in enumerate(DEMO_STUDIO_NAMES):
        studio = by_name.get(name)
        if studio is None:
            continue
        lead = Actor(db.session.get(User, studio.leader_id), "demo")
        _add_patents(lead, studio, number)
        _add_achievements(lead, studio, number)
    db.session.flush()
