"""The challenge board's services from posting to an accepted result: the whole story, the
notifications each step sends, simultaneous selections that never exceed the winners wanted,
and bad input refused with nothing changed. SQLite and PostgreSQL."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow
from guild.transactions import begin_writing
from studios.challenge_models import (
    Challenge,
    ChallengeClaim,
    ChallengeState,
    ClaimState,
    Milestone,
    Notification,
)
from studios.models import StudioLevel
from studios.services import challenge_claims, challenge_delivery, challenges, notifications
from studios.services.challenge_counts import challenge_counts
from studios.services.challenges import ChallengeFields
from studios.services.members import answer_invitation, invite_member
from studios.services.studios import StudioFields, apply_for_studio, decide_studio
from tests.conftest import union_today
from tests.studio_scene import build_studios
from tests.test_training_concurrency import run_together


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


def actor(person) -> Actor:
    return Actor(db.session.get(User, person.id), "127.0.0.1")


def fields(alliance_id: int, **changes) -> ChallengeFields:
    values = {
        "title": "港机减速箱故障预测",
        "problem": "用振动数据提前一周预测减速箱故障。",
        "deadline": utcnow() + timedelta(days=30),
        "alliance_id": alliance_id,
        "indicators": "准确率不低于90%",
        "reward_yuan": "200,000",
        "winners_wanted": 1,
    }
    return ChallengeFields(**(values | changes))


@pytest.fixture
def board(app, people):
    scene = build_studios(app, people)
    contact = people.make(
        Role.ENTERPRISE_CONTACT, real_name="吴发榜", enterprise_id=people.enterprise("宁波港集团")
    )
    return scene, contact


def _open(scene, contact, **changes) -> int:
    challenge = challenges.create_challenge(actor(contact), fields(scene.city_id, **changes))
    challenges.submit_challenge(actor(contact), challenge.id)
    challenges.review_challenge(actor(scene.city_admin), challenge.id, True)
    db.session.commit()
    return challenge.id


def bells(person) -> int:
    return notifications.unread_count(person.id)


def test_the_whole_story_from_post_to_result(app, board):
    scene, contact = board
    with app.app_context():
        challenge = challenges.create_challenge(actor(contact), fields(scene.city_id))
        assert challenge.reward_fen == 20_000_000 and challenge.state is ChallengeState.DRAFT
        challenges.submit_challenge(actor(contact), challenge.id)
        assert bells(scene.city_admin) == 1
        challenges.review_challenge(actor(scene.city_admin), challenge.id, False, "指标不清")
        assert challenge.state is ChallengeState.REJECTED and bells(contact) == 1
        challenges.submit_challenge(actor(contact), challenge.id)
        challenges.review_challenge(actor(scene.city_admin), challenge.id, True)
        assert challenge.state is ChallengeState.OPEN
        proposal = challenge_claims.Proposal("频谱建模", "王强等3人", "3个月")
        first = challenge_claims.claim_challenge(
            actor(scene.leaders[0]), challenge.id, scene.studio_ids[0], proposal
        )
        second = challenge_claims.claim_challenge(
            actor(scene.leaders[1]), challenge.id, scene.studio_ids[1], proposal
        )
        challenge_claims.shortlist_claim(actor(contact), first.id)
        due = [
            ("模型", union_today() + timedelta(days=30)),
            ("验证", union_today() + timedelta(60)),
        ]
        challenge_claims.select_winner(actor(contact), first.id, due)
        assert challenge.state is ChallengeState.SELECTED  # one winner wanted: claiming closes
        assert second.state is ClaimState.NOT_SELECTED and bells(scene.leaders[1]) == 1
        milestones = db.session.scalars(select(Milestone).order_by(Milestone.position)).all()
        for milestone in milestones:
            challenge_delivery.report_milestone(actor(scene.leaders[0]), milestone.id, "完成")
            challenge_delivery.confirm_milestone(actor(contact), milestone.id)
        assert first.state is ClaimState.DELIVERED
        verdict = challenge_delivery.Verdict(True, 5, "全部达标", ("李专家",), "1,500,000")
        challenge_delivery.accept_delivery(actor(contact), first.id, verdict)
        db.session.commit()
        assert challenge.state is ChallengeState.FINISHED and first.state is ClaimState.PASSED
        assert challenge.benefit_fen == 150_000_000
        actions = set(db.session.scalars(select(AuditEntry.action)))
        for step in ("create", "submit", "reject", "approve", "claim", "shortlist", "select",
                     "report", "confirm", "accept"):  # fmt: skip
            assert f"challenge.{step}" in actions, step
        kinds = set(db.session.scalars(select(Notification.kind)))
        assert {"challenge.opened", "challenge.selected", "challenge.passed"} <= kinds
        # The studios' activity reports count the claims and the delivery.
        today, ids = union_today(), scene.studio_ids
        counts = challenge_counts(ids, today - timedelta(days=1), today + timedelta(days=1))
        assert counts == {
            ids[0]: {"claims": 1, "delivered": 1},
            ids[1]: {"claims": 1, "delivered": 0},
        }
        last_year = challenge_counts(ids, date(2020, 1, 1), date(2020, 12, 31))
        assert all(found == {"claims": 0, "delivered": 0} for found in last_year.values())


def test_simultaneous_selections_never_exceed_the_winners_wanted(app, board, people):
    """A horse race of 2 winners, 4 claims selected at once by 4 requests: exactly 2 win."""
    scene, contact = board
    leaders = [people.make(real_name=f"领衔人{number}") for number in range(2)]
    with app.app_context():
        challenge_id = _open(scene, contact, winners_wanted=2)
        studio_ids = [*scene.studio_ids, *_more_studios(scene, leaders)]
        claims = []
        for studio_id in studio_ids:
            leader = _leader(studio_id)
            claim = challenge_claims.claim_challenge(
                leader, challenge_id, studio_id, challenge_claims.Proposal("方案")
            )
            claims.append(claim.id)
        db.session.commit()

        def choose(index: int) -> str:
            begin_writing()  # as a POST request does, before reading the acting user
            due = [("交付", union_today() + timedelta(days=10))]
            try:
                challenge_claims.select_winner(actor(contact), claims[index], due)
                db.session.commit()
                return "won"
            except DomainError:
                db.session.rollback()
                return "refused"

        results = run_together(app, choose, count=4)
        assert sorted(results) == ["refused", "refused", "won", "won"]
        db.session.expire_all()
        states = db.session.scalars(select_states(challenge_id)).all()
        assert sorted(states) == sorted(["selected"] * 2 + ["not_selected"] * 2)
        assert db.session.get(Challenge, challenge_id).state is ChallengeState.SELECTED


def select_states(challenge_id: int):
    return select(ChallengeClaim.state).where(ChallengeClaim.challenge_id == challenge_id)


def _leader(studio_id: int) -> Actor:
    from studios.models import MemberRole, StudioMember

    user_id = db.session.scalar(
        select(StudioMember.user_id).where(
            StudioMember.studio_id == studio_id, StudioMember.role == MemberRole.LEADER
        )
    )
    return Actor(db.session.get(User, user_id), "127.0.0.1")


def _more_studios(scene, leaders) -> list[int]:
    """More approved studios in the city alliance, led by the leaders, through the services."""
    made = []
    for number, leader in enumerate(leaders):
        studio = apply_for_studio(
            actor(leader),
            scene.city_id,
            StudioFields(f"第{number}创新工作室", "杭州市", StudioLevel.CITY, date(2020, 1, 1)),
        )
        decide_studio(actor(scene.city_admin), studio.id, True)
        made.append(studio.id)
    db.session.commit()
    return made


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def refused(call, message: str) -> None:
    before = (_count(Challenge), _count(ChallengeClaim), _count(AuditEntry))
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    assert str(caught.value) == message
    assert (_count(Challenge), _count(ChallengeClaim), _count(AuditEntry)) == before


def test_bad_input_is_refused_and_changes_nothing(app, board):
    scene, contact = board
    with app.app_context():
        post = lambda **changes: challenges.create_challenge(  # noqa: E731
            actor(contact), fields(scene.city_id, **changes)
        )
        refused(lambda: post(reward_yuan="-5"), "The amount cannot be negative.")
        refused(lambda: post(reward_yuan="1e12"), "The amount is too large to be real.")
        refused(lambda: post(reward_yuan="十万"), "Write the amount in yuan, like 12500.50.")
        refused(lambda: post(title=" "), "Give the challenge a title.")
        refused(lambda: post(winners_wanted=0), "A challenge has 1 to 20 winners.")
        refused(
            lambda: challenges.create_challenge(actor(scene.outsider), fields(scene.city_id)),
            "Only an enterprise contact or a studio leader may post challenges.",
        )
        past = challenges.create_challenge(
            actor(contact), fields(scene.city_id, deadline=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
        refused(
            lambda: challenges.submit_challenge(actor(contact), past.id),
            "The challenge's deadline has passed.",
        )
        challenge_id = _open(scene, contact)
        proposal = challenge_claims.Proposal("方案")
        refused(
            lambda: challenge_claims.claim_challenge(
                actor(scene.members[0]), challenge_id, scene.studio_ids[0], proposal
            ),
            "Only the leader of an approved studio may claim a challenge.",
        )
        late = utcnow() + timedelta(days=31)
        refused(
            lambda: challenge_claims.claim_challenge(
                actor(scene.leaders[0]), challenge_id, scene.studio_ids[0], proposal, now=late
            ),
            "The challenge's deadline has passed.",
        )
        claim = challenge_claims.claim_challenge(
            actor(scene.leaders[0]), challenge_id, scene.studio_ids[0], proposal
        )
        db.session.commit()
        refused(
            lambda: challenge_claims.claim_challenge(
                actor(scene.leaders[0]), challenge_id, scene.studio_ids[0], proposal
            ),
            "This cannot be done to a claim that is active.",
        )
        challenge_claims.withdraw_claim(actor(scene.leaders[0]), claim.id)
        db.session.commit()
        due = [("交付", union_today() + timedelta(days=10))]
        refused(
            lambda: challenge_claims.select_winner(actor(contact), claim.id, due),
            "This cannot be done to a claim that is withdrawn.",
        )
        again = challenge_claims.claim_challenge(  # withdrawn, it may claim again
            actor(scene.leaders[0]), challenge_id, scene.studio_ids[0], proposal
        )
        db.session.commit()
        refused(
            lambda: challenge_delivery.accept_delivery(
                actor(contact), again.id, challenge_delivery.Verdict(True, 5)
            ),
            "This cannot be done while the challenge is open.",
        )
        refused(
            lambda: challenge_claims.select_winner(actor(contact), again.id, []),
            "Set 1 to 12 milestones for the winner.",
        )


def test_invitations_do_not_make_a_member_a_claimant(app, board, people):
    """Only the leader claims for a studio, whoever else is in it."""
    scene, contact = board
    newcomer = people.make(real_name="新成员")
    with app.app_context():
        challenge_id = _open(scene, contact)
        invite_member(actor(scene.leaders[0]), scene.studio_ids[0], newcomer.phone)
        answer_invitation(actor(newcomer), scene.studio_ids[0], True)
        db.session.commit()
        refused(
            lambda: challenge_claims.claim_challenge(
                actor(newcomer), challenge_id, scene.studio_ids[0], challenge_claims.Proposal("x")
            ),
            "Only the leader of an approved studio may claim a challenge.",
        )
