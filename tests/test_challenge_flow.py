"""The challenge board's state machine, every (state, action, part) of it, through the real
services: each action is tried by each part from each challenge state on a challenge built by
the services, and is allowed exactly where the rule book below says. Refusals change nothing.
SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow
from studios.challenge_models import (
    Challenge,
    ChallengeClaim,
    ChallengeState,
    ClaimState,
    Milestone,
    MilestoneState,
)
from studios.services import challenge_claims, challenge_delivery, challenges
from studios.services.challenge_flow import TRANSITIONS
from tests.conftest import union_today
from tests.studio_scene import build_studios

C, K, M = ChallengeState, ClaimState, MilestoneState
PARTS = ("poster", "reviewer", "claimant", "leader", "other")

# The rule book, written out as the issue states it: who may do each action, from which
# challenge states, and the claim (or milestone) state the action needs.
RULES = {
    "edit": ({"poster"}, {C.DRAFT, C.REJECTED}),
    "submit": ({"poster"}, {C.DRAFT, C.REJECTED}),
    "approve": ({"reviewer"}, {C.SUBMITTED}),
    "reject": ({"reviewer"}, {C.SUBMITTED}),
    "cancel": ({"poster"}, {C.DRAFT, C.SUBMITTED, C.REJECTED, C.OPEN}),
    "claim": ({"leader"}, {C.OPEN}),
    "withdraw": ({"claimant"}, {C.OPEN}),
    "shortlist": ({"poster"}, {C.OPEN}),
    "select": ({"poster"}, {C.OPEN}),
    "report": ({"claimant"}, {C.SELECTED}),
    "confirm": ({"poster"}, {C.SELECTED}),
    "accept": ({"poster"}, {C.SELECTED}),
}
CLAIM_FOR = {  # the claim's state each claim action is tried from (a state it allows)
    "withdraw": K.ACTIVE,
    "shortlist": K.ACTIVE,
    "select": K.SHORTLISTED,
    "report": K.SELECTED,
    "confirm": K.SELECTED,
    "accept": K.DELIVERED,
}
MILESTONE_FOR = {"report": M.PENDING, "confirm": M.REPORTED}


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


def actor(person) -> Actor:
    return Actor(db.session.get(User, person.id), "127.0.0.1")


@pytest.fixture
def scene(app, people):
    """A challenge posted by an enterprise, claimed by the first studio, with a milestone."""
    studios = build_studios(app, people)
    contact = people.make(
        Role.ENTERPRISE_CONTACT, real_name="吴发榜", enterprise_id=people.enterprise("宁波港集团")
    )
    with app.app_context():
        fields = challenges.ChallengeFields(
            "港机减速箱故障预测",
            "振动数据预测减速箱故障。",
            utcnow() + timedelta(days=30),
            studios.city_id,
            reward_yuan="200000",
        )
        challenge = challenges.create_challenge(actor(contact), fields)
        challenge.state = C.OPEN  # opened by the review, as the flow's own tests show
        proposal = challenge_claims.Proposal("以振动频谱建模。")
        claim = challenge_claims.claim_challenge(
            actor(studios.leaders[0]), challenge.id, studios.studio_ids[0], proposal
        )
        db.session.commit()
        people_by_part = {
            "poster": contact,
            "reviewer": studios.city_admin,
            "claimant": studios.leaders[0],
            "leader": studios.leaders[1],
            "other": studios.outsider,
        }
        return challenge.id, claim.id, studios, people_by_part


def _attempt(action: str, who: Actor, challenge_id: int, claim_id: int, studios) -> None:
    """Try the action through its service."""
    milestone_id = db.session.scalar(select(Milestone.id).where(Milestone.claim_id == claim_id))
    proposal = challenge_claims.Proposal("另一种方案")
    fields = challenges.ChallengeFields(
        "港机减速箱故障预测（改）", "同上。", utcnow() + timedelta(days=20), studios.city_id
    )
    calls = {
        "edit": lambda: challenges.edit_challenge(who, challenge_id, fields),
        "submit": lambda: challenges.submit_challenge(who, challenge_id),
        "approve": lambda: challenges.review_challenge(who, challenge_id, True),
        "reject": lambda: challenges.review_challenge(who, challenge_id, False, "不清楚"),
        "cancel": lambda: challenges.cancel_challenge(who, challenge_id),
        "claim": lambda: challenge_claims.claim_challenge(
            who, challenge_id, studios.studio_ids[1], proposal
        ),
        "withdraw": lambda: challenge_claims.withdraw_claim(who, claim_id),
        "shortlist": lambda: challenge_claims.shortlist_claim(who, claim_id),
        "select": lambda: challenge_claims.select_winner(
            who, claim_id, [("交付", union_today() + timedelta(days=9))]
        ),
        "report": lambda: challenge_delivery.report_milestone(who, milestone_id, "完成建模"),
        "confirm": lambda: challenge_delivery.confirm_milestone(who, milestone_id),
        "accept": lambda: challenge_delivery.accept_delivery(
            who, claim_id, challenge_delivery.Verdict(True, 5, "达标")
        ),
    }
    calls[action]()


def _set(challenge_id: int, claim_id: int, state: ChallengeState, action: str) -> None:
    """Put the challenge (and its claim and milestone) in the states the trial starts from."""
    db.session.get(Challenge, challenge_id).state = state
    db.session.get(ChallengeClaim, claim_id).state = CLAIM_FOR.get(action, K.ACTIVE)
    milestone = db.session.scalar(select(Milestone).where(Milestone.claim_id == claim_id))
    if action == "select":  # a claim gets its milestones when it is selected
        db.session.execute(Milestone.__table__.delete().where(Milestone.claim_id == claim_id))
    else:
        milestone = milestone or Milestone(claim_id=claim_id, position=1, title="模型")
        milestone.due_on, milestone.state = union_today(), MILESTONE_FOR.get(action, M.PENDING)
        db.session.add(milestone)
    db.session.commit()


def _state(challenge_id: int) -> tuple:
    db.session.expire_all()
    challenge = db.session.get(Challenge, challenge_id)
    claims = db.session.execute(select(ChallengeClaim.id, ChallengeClaim.state)).all()
    return challenge.state, challenge.title, sorted(claims)


def test_the_rule_book_is_the_code_s():
    """Every action the service knows is in the rule book, with the same parts and states."""
    assert set(RULES) == set(TRANSITIONS)
    for action, (parts, states) in RULES.items():
        rule = TRANSITIONS[action]
        assert {str(part) for part in rule.parts} == parts, action
        assert set(rule.challenge_from) == states, action


@pytest.mark.parametrize("action", sorted(RULES))
def test_every_state_and_part_through_the_services(app, scene, action):
    challenge_id, claim_id, studios, people_by_part = scene
    parts, states = RULES[action]
    with app.app_context():
        for state in ChallengeState:
            for part in PARTS:
                _set(challenge_id, claim_id, state, action)
                before = _state(challenge_id)
                who = actor(people_by_part[part])
                expected = part in parts and state in states
                try:
                    _attempt(action, who, challenge_id, claim_id, studios)
                    allowed = True
                except DomainError:
                    allowed = False
                    db.session.rollback()
                    assert _state(challenge_id) == before, (action, state, part)
                db.session.rollback()  # an allowed trial is undone too: each starts afresh
                assert allowed == expected, (action, str(state), part)
