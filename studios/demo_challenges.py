"""Demo data for the challenge board: challenges at every step, through the real services.

The open one is a horse race (赛马) of two winners with two claims.

The demo enterprise contact (赵志刚) posts; the demo administrator, who administers every
alliance, reviews; the demo worker's studio and another studio claim. One challenge is open
for claims, one is being delivered by the demo worker's studio, one finished with its result
published, and one waits for review.
"""

from datetime import timedelta

from sqlalchemy import select

from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.services import Actor
from guild.extensions import db
from guild.timeutil import utcnow
from studios.challenge_models import Milestone
from studios.models import Alliance, MemberRole, MemberStatus, Studio, StudioMember
from studios.services import challenge_claims, challenge_delivery, challenges
from studios.services.periods import today

ALLIANCE = "杭州市"  # the city of the sub-alliance that reviews the demo's challenges
POSTED = (  # title, problem, indicators, field, reward in yuan, winners, days to the deadline
    ("港口岸桥减速箱故障预测", "岸桥减速箱突发故障停机，需用振动与油液数据提前一周预警。",
     "预警准确率不低于90%，误报率低于5%", "智能运维", "300000", 2, 45),
    ("高压电缆接头带电检测装置", "研制可带电检测电缆中间接头局部放电的便携装置。",
     "检测灵敏度优于10pC，整机重量不超过5公斤", "电力装备", "500000", 1, 60),
    ("冷库门自动除霜改造", "冷库门框结霜导致关闭不严，需低能耗除霜方案。",
     "除霜能耗降低30%以上", "节能降耗", "80000", 1, 30),
    ("集装箱吊具防摇控制优化", "吊具摆动影响作业效率，需改进防摇控制算法。",
     "单箱作业时间缩短10%", "智能制造", "200000", 1, 50),
)  # fmt: skip


def load_challenge_demo(actor: Actor, accounts_by_role: dict[str, User]) -> None:
    """Four challenges: open, in delivery, finished with a result, and waiting for review."""
    contact = Actor(accounts_by_role[Role.ENTERPRISE_CONTACT.value], "demo")
    admin = Actor(accounts_by_role[Role.ADMIN.value], "demo")
    alliance_id = db.session.scalar(select(Alliance.id).where(Alliance.city == ALLIANCE))
    made = [_post(contact, alliance_id, row) for row in POSTED]
    for challenge in made[:3]:
        challenges.submit_challenge(contact, challenge.id)
        challenges.review_challenge(admin, challenge.id, True)
    challenges.submit_challenge(contact, made[3].id)  # waits for the admin's review
    worker = accounts_by_role[Role.WORKER.value]
    mine, other = _led_studio(worker.id), _another_studio(worker.id)
    _claim(mine, made[0].id, "以振动频谱与油液光谱联合建模，三个月交付预警系统。")
    _claim(other, made[0].id, "基于数字孪生的减速箱健康评估。")
    delivering = _claim(mine, made[1].id, "改进超声与特高频联合检测，研制便携样机。")
    _select(contact, delivering.id, 2)
    finished = _claim(other, made[2].id, "门框加装自限温伴热带并改进密封条。")
    _select(contact, finished.id, 1)
    _deliver(contact, finished.id)


def _post(contact: Actor, alliance_id: int, row: tuple):
    title, problem, indicators, field, reward, winners, days = row
    fields = challenges.ChallengeFields(
        title, problem, utcnow() + timedelta(days=days), alliance_id,
        indicators=indicators, field=field, reward_yuan=reward, winners_wanted=winners,
    )  # fmt: skip
    return challenges.create_challenge(contact, fields)


def _leader(studio: Studio) -> Actor:
    query = select(StudioMember.user_id).where(
        StudioMember.studio_id == studio.id,
        StudioMember.role == MemberRole.LEADER,
        StudioMember.status == MemberStatus.ACTIVE,
    )
    return Actor(db.session.get(User, db.session.scalar(query)), "demo")


def _led_studio(user_id: int) -> Studio:
    return db.session.scalar(select(Studio).where(Studio.leader_id == user_id))


def _another_studio(user_id: int) -> Studio:
    query = select(Studio).where(Studio.leader_id != user_id, Studio.city == ALLIANCE)
    return db.session.scalar(query.order_by(Studio.id))


def _claim(studio: Studio, challenge_id: int, plan: str):
    proposal = challenge_claims.Proposal(plan, "工作室骨干5人", "三个月")
    return challenge_claims.claim_challenge(_leader(studio), challenge_id, studio.id, proposal)


def _select(contact: Actor, claim_id: int, steps: int) -> None:
    plan = [(f"第{n}阶段交付", today() + timedelta(days=30 * n)) for n in range(1, steps + 1)]
    challenge_claims.select_winner(contact, claim_id, plan)


def _deliver(contact: Actor, claim_id: int) -> None:
    """The winner reports, the poster confirms and accepts: a published result."""
    claim, _challenge = challenge_claims.get_claim(claim_id)
    leader = _leader(db.session.get(Studio, claim.studio_id))
    for milestone in db.session.scalars(select(Milestone).where(Milestone.claim_id == claim_id)):
        challenge_delivery.report_milestone(leader, milestone.id, "样机安装完成，试运行一周。")
        challenge_delivery.confirm_milestone(contact, milestone.id)
    comments = "除霜能耗下降36%，达到验收指标。"
    verdict = challenge_delivery.Verdict(True, 5, comments, ("冷链专家 陈工",), "120000")
    challenge_delivery.accept_delivery(contact, claim_id, verdict)
