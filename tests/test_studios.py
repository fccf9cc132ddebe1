"""Studio services: alliances, founding and approval, alliance membership, members, rights."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from guild.accounts.models import User
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from studios.models import (
    Alliance,
    AllianceKind,
    AllianceMembership,
    Decision,
    MemberRole,
    MemberStatus,
    Studio,
    StudioLevel,
    StudioMember,
)
from studios.search_models import SearchEntry, SearchKind
from studios.services import access
from studios.services.access import NotAllowed, NotFound
from studios.services.alliances import (
    AllianceFields,
    appoint_alliance_admin,
    create_alliance,
    remove_alliance_admin,
)
from studios.services.members import (
    answer_invitation,
    hand_over,
    invite_member,
    leave_studio,
    remove_member,
)
from studios.services.memberships import apply_to_alliance, decide_membership, leave_alliance
from studios.services.studios import (
    StudioFields,
    apply_for_studio,
    decide_studio,
    update_studio,
    withdraw_application,
)
from tests.conftest import union_today
from tests.studio_scene import PENDING_NAME, STUDIO_NAMES, build_studios


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture
def scene(app, people):
    return build_studios(app, people)


def actor(person) -> Actor:
    return Actor(db.session.get(User, person.id), "127.0.0.1")


def fields(name: str = "新工作室", **changes) -> StudioFields:
    values = {
        "name": name,
        "city": "杭州市",
        "level": StudioLevel.CITY,
        "founded_on": date(2020, 1, 1),
        "industry": "电力",
        "description": "攻关",
        "leader_honours": ["全国劳动模范"],
    }
    values.update(changes)
    return StudioFields(**values)


def audit_count(action: str) -> int:
    query = select(func.count()).where(AuditEntry.action == action)
    return db.session.scalar(query)


def test_scene_is_built_through_the_services(app, scene):
    with app.app_context():
        studios = db.session.scalars(select(Studio).order_by(Studio.id)).all()
        assert [s.name for s in studios] == [*STUDIO_NAMES, PENDING_NAME]
        assert [s.status for s in studios] == [Decision.APPROVED] * 2 + [Decision.PENDING]
        first = scene.studio_ids[0]
        assert access.studio_role(scene.leaders[0].id, first) == MemberRole.LEADER
        assert access.studio_role(scene.members[0].id, first) == MemberRole.MEMBER
        assert access.studio_role(scene.outsider.id, first) is None
        assert access.approved_studio_ids_of_alliance(scene.city_id) == scene.studio_ids
        assert access.approved_studio_ids_of_alliance(scene.provincial_id) == scene.studio_ids
        assert access.approved_studio_ids_of_alliance(scene.industry_id) == []
        assert access.is_alliance_admin(scene.city_admin.id, scene.city_id)
        assert not access.is_alliance_admin(scene.industry_admin.id, scene.city_id)
        assert audit_count("studio.approve") == 2
        assert audit_count("alliance.admin_appoint") == 3


def test_founding_approval_joins_alliance_makes_leader_and_indexes(app, scene):
    with app.app_context():
        studio = decide_studio(actor(scene.city_admin), scene.pending_id, True, "同意")
        db.session.commit()
        assert studio.status == Decision.APPROVED and studio.decided_by_id == scene.city_admin.id
        membership = db.session.scalar(
            select(AllianceMembership).where(AllianceMembership.studio_id == studio.id)
        )
        assert (membership.alliance_id, membership.status) == (scene.city_id, Decision.APPROVED)
        assert access.studio_role(scene.applicant.id, studio.id) == MemberRole.LEADER
        entry = db.session.scalar(
            select(SearchEntry).where(
                SearchEntry.kind == SearchKind.STUDIO, SearchEntry.object_id == studio.id
            )
        )
        assert entry.title == PENDING_NAME and "浙江工匠" in entry.text
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "studio.approve")
        ).all()[-1]
        assert audit.object_id == str(studio.id) and audit.actor_id == scene.city_admin.id
        with pytest.raises(DomainError, match="already been decided"):
            decide_studio(actor(scene.city_admin), studio.id, False, "no")


def test_rejection_needs_a_note_and_leaves_no_member(app, scene):
    with app.app_context():
        with pytest.raises(DomainError, match="Say why"):
            decide_studio(actor(scene.city_admin), scene.pending_id, False, "")
        db.session.rollback()
        studio = decide_studio(actor(scene.city_admin), scene.pending_id, False, "材料不全")
        db.session.commit()
        assert studio.status == Decision.REJECTED and studio.decision_note == "材料不全"
        assert access.studio_role(scene.applicant.id, studio.id) is None
        assert audit_count("studio.reject") == 1
        assert db.session.scalar(select(func.count()).select_from(SearchEntry).where(
            SearchEntry.object_id == studio.id, SearchEntry.kind == SearchKind.STUDIO
        )) == 0  # fmt: skip


def test_only_that_alliances_admins_decide(app, scene):
    with app.app_context():
        for person in (scene.industry_admin, scene.provincial_admin, scene.outsider,
                       scene.applicant, scene.admin):  # fmt: skip
            with pytest.raises(NotAllowed):
                decide_studio(actor(person), scene.pending_id, True, "")
            db.session.rollback()
        assert db.session.get(Studio, scene.pending_id).status == Decision.PENDING
        with pytest.raises(NotFound):
            decide_studio(actor(scene.city_admin), 2**31 - 1, True, "")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "2 to 80"),
        ({"name": "x" * 81}, "2 to 80"),
        ({"founded_on": union_today() + timedelta(days=2)}, "future"),
        ({"founded_on": None}, "founding date"),
        ({"level": "galactic"}, "level"),
        ({"leader_honours": ["x" * 41]}, "40 characters"),
        ({"leader_honours": [f"奖{n}" for n in range(11)]}, "at most 10"),
        ({"city": ""}, "city"),
        ({"enterprise_id": 2**31 - 1}, "enterprise"),
        ({"name": STUDIO_NAMES[0]}, "already exists"),
    ],
)
def test_bad_applications_are_refused(app, scene, changes, message):
    with app.app_context():
        with pytest.raises(DomainError, match=message):
            apply_for_studio(actor(scene.outsider), scene.city_id, fields(**changes))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Studio)) == 3


def test_application_for_a_named_leader_and_withdrawal(app, scene):
    with app.app_context():
        with pytest.raises(DomainError, match="phone"):
            apply_for_studio(actor(scene.outsider), scene.city_id, fields(), "13000000000")
        db.session.rollback()
        studio = apply_for_studio(
            actor(scene.outsider), scene.industry_id, fields(), scene.members[0].phone
        )
        assert studio.leader_id == scene.members[0].id and studio.applied_by_id == scene.outsider.id
        with pytest.raises(NotAllowed):
            withdraw_application(actor(scene.members[0]), studio.id)
        withdraw_application(actor(scene.outsider), studio.id)
        assert studio.status == Decision.WITHDRAWN


def test_leader_edits_and_reindexes_members_cannot(app, scene):
    sid = scene.studio_ids[0]
    with app.app_context():
        with pytest.raises(NotAllowed):
            update_studio(actor(scene.members[0]), sid, fields("改名"))
        db.session.rollback()
        with pytest.raises(DomainError, match="already exists"):
            update_studio(actor(scene.leaders[0]), sid, fields(STUDIO_NAMES[1]))
        db.session.rollback()
        update_studio(actor(scene.leaders[0]), sid, fields("王强电力创新工作室（新）"))
        db.session.commit()
        entry = db.session.scalar(select(SearchEntry).where(SearchEntry.object_id == sid))
        assert entry.title == "王强电力创新工作室（新）"
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "studio.update")
        ).one()
        assert audit.before["name"] == STUDIO_NAMES[0]


def test_alliance_membership_apply_approve_leave(app, scene):
    sid = scene.studio_ids[0]
    with app.app_context():
        with pytest.raises(NotAllowed):
            apply_to_alliance(actor(scene.members[0]), sid, scene.industry_id)
        db.session.rollback()
        membership = apply_to_alliance(actor(scene.leaders[0]), sid, scene.industry_id)
        db.session.commit()
        with pytest.raises(DomainError, match="already applied"):
            apply_to_alliance(actor(scene.leaders[0]), sid, scene.industry_id)
        db.session.rollback()
        membership = db.session.get(AllianceMembership, membership.id)
        with pytest.raises(NotAllowed):
            decide_membership(actor(scene.city_admin), membership.id, True)
        db.session.rollback()
        decide_membership(actor(scene.industry_admin), membership.id, True)
        db.session.commit()
        assert access.approved_studio_ids_of_alliance(scene.industry_id) == [sid]
        leave_alliance(actor(scene.leaders[0]), sid, scene.city_id)
        db.session.commit()
        assert access.approved_studio_ids_of_alliance(scene.city_id) == [scene.studio_ids[1]]
        with pytest.raises(DomainError, match="last alliance"):
            leave_alliance(actor(scene.leaders[0]), sid, scene.industry_id)
        db.session.rollback()
        for action in ("apply", "approve", "leave"):
            assert audit_count(f"alliance_membership.{action}") == 1


def test_membership_rejection(app, scene):
    sid = scene.studio_ids[1]
    with app.app_context():
        membership = apply_to_alliance(actor(scene.leaders[1]), sid, scene.industry_id)
        decide_membership(actor(scene.industry_admin), membership.id, False, "不属本行业")
        db.session.commit()
        assert membership.status == Decision.REJECTED
        assert access.approved_studio_ids_of_alliance(scene.industry_id) == []
        again = apply_to_alliance(actor(scene.leaders[1]), sid, scene.industry_id)
        assert again.id == membership.id and again.status == Decision.PENDING


def test_invite_accept_decline_leave_remove(app, scene, people):
    sid = scene.studio_ids[0]
    extra = people.make(real_name="吴新人")
    with app.app_context():
        with pytest.raises(NotAllowed):
            invite_member(actor(scene.members[0]), sid, scene.outsider.phone)
        db.session.rollback()
        with pytest.raises(DomainError, match="already a member"):
            invite_member(actor(scene.leaders[0]), sid, scene.members[0].phone)
        db.session.rollback()
        invite_member(actor(scene.leaders[0]), sid, scene.outsider.phone)
        invite_member(actor(scene.leaders[0]), sid, extra.phone)
        db.session.commit()
        assert access.studio_role(scene.outsider.id, sid) is None  # invited is not yet in
        with pytest.raises(NotFound):
            answer_invitation(actor(scene.applicant), sid, True)
        db.session.rollback()
        answer_invitation(actor(scene.outsider), sid, True)
        answer_invitation(actor(extra), sid, False)
        db.session.commit()
        assert access.studio_role(scene.outsider.id, sid) == MemberRole.MEMBER
        assert access.studio_role(extra.id, sid) is None
        leave_studio(actor(scene.outsider), sid)
        db.session.commit()
        assert access.studio_role(scene.outsider.id, sid) is None
        member = db.session.scalar(
            select(StudioMember).where(StudioMember.user_id == scene.members[0].id)
        )
        with pytest.raises(NotAllowed):
            remove_member(actor(scene.members[0]), sid, member.id)
        db.session.rollback()
        remove_member(actor(scene.leaders[0]), sid, member.id)
        db.session.commit()
        assert member.status == MemberStatus.LEFT
        for action in ("invite", "accept", "decline", "leave", "remove"):
            assert audit_count(f"studio_member.{action}") >= 1


def test_leader_hands_over_before_leaving(app, scene):
    sid = scene.studio_ids[0]
    with app.app_context():
        with pytest.raises(DomainError, match="Hand the studio over"):
            leave_studio(actor(scene.leaders[0]), sid)
        db.session.rollback()
        member = db.session.scalar(
            select(StudioMember).where(StudioMember.user_id == scene.members[0].id)
        )
        hand_over(actor(scene.leaders[0]), sid, member.id)
        db.session.commit()
        assert db.session.get(Studio, sid).leader_id == scene.members[0].id
        assert access.studio_role(scene.leaders[0].id, sid) == MemberRole.MEMBER
        leave_studio(actor(scene.leaders[0]), sid)
        db.session.commit()
        assert access.studio_role(scene.leaders[0].id, sid) is None
        assert audit_count("studio.hand_over") == 1


def test_platform_admins_create_alliances_and_appoint_admins(app, scene):
    with app.app_context():
        with pytest.raises(NotAllowed):
            create_alliance(actor(scene.city_admin), AllianceFields("X联盟", AllianceKind.CITY))
        db.session.rollback()
        with pytest.raises(DomainError, match="already a provincial"):
            create_alliance(actor(scene.admin), AllianceFields("省2", AllianceKind.PROVINCIAL))
        db.session.rollback()
        with pytest.raises(DomainError, match="needs its city"):
            create_alliance(actor(scene.admin), AllianceFields("宁波联盟", AllianceKind.CITY))
        db.session.rollback()
        made = create_alliance(
            actor(scene.admin), AllianceFields("宁波联盟", AllianceKind.CITY, city="宁波市")
        )
        assert made.parent_id == scene.provincial_id
        db.session.commit()
        with pytest.raises(NotAllowed):
            appoint_alliance_admin(actor(scene.city_admin), made.id, scene.outsider.phone)
        db.session.rollback()
        appoint_alliance_admin(actor(scene.admin), made.id, scene.outsider.phone)
        with pytest.raises(DomainError, match="already administers"):
            appoint_alliance_admin(actor(scene.admin), made.id, scene.outsider.phone)
        db.session.rollback()
        remove_alliance_admin(actor(scene.admin), scene.city_id, scene.city_admin.id)
        db.session.commit()
        assert not access.is_alliance_admin(scene.city_admin.id, scene.city_id)
        assert audit_count("alliance.create") == 4
        assert audit_count("alliance.admin_remove") == 1
        assert db.session.scalar(select(func.count()).select_from(Alliance)) == 4


def test_demo_load_makes_the_alliances_and_studios(runner, app):
    """`demo load` builds the provincial alliance, 9 sub-alliances and the demo studios."""
    from studios.demo import DEMO_STUDIO_NAMES

    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        kinds = db.session.scalars(select(Alliance.kind)).all()
        assert kinds.count(AllianceKind.PROVINCIAL) == 1 and len(kinds) == 10
        worker = db.session.scalar(select(User).where(User.phone == "13800000001"))
        mine = db.session.scalar(select(Studio).where(Studio.leader_id == worker.id))
        assert mine.name == DEMO_STUDIO_NAMES[0] and mine.status == Decision.APPROVED
        top = db.session.scalar(select(Alliance.id).where(Alliance.kind == "provincial"))
        assert len(access.approved_studio_ids_of_alliance(top)) == len(DEMO_STUDIO_NAMES)
        pending = select(func.count()).where(Studio.status == Decision.PENDING)
        assert db.session.scalar(pending) == 1
