"""Contest setup: creating and editing a contest, the stage guard, and appointing staff.

Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL).
"""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func

from competitions.contests.marking_models import Aspect, Criterion, PanelJudge, SubCriterion
from competitions.contests.models import Contest, ContestGroup, ContestStaff, StaffRole, Stage
from competitions.contests.scheme import AspectKind
from competitions.contests.services.contests import (
    ContestFields,
    advance,
    create_contest,
    open_registration,
    update_contest,
)
from competitions.contests.services.registration import enter
from competitions.contests.services.staff import appoint_staff, dismiss_staff
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.labels import action_label
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow


@pytest.fixture
def app(make_app):
    """Messages in English (the source strings), whatever the translations say later."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


def _actor(user_id: int | None = None) -> Actor:
    return Actor(db.session.get(User, user_id) if user_id else None, "127.0.0.1")


def _fields(trade: int, **changes) -> ContestFields:
    """A contest open for entries from yesterday to tomorrow."""
    now = utcnow().replace(microsecond=0)
    values = {
        "name": "全省电工职业技能竞赛",
        "trade_id": trade,
        "level": "L3",
        "description": "理论加实操。",
        "registration_opens_at": now - timedelta(days=1),
        "registration_closes_at": now + timedelta(days=1),
        **changes,
    }
    return ContestFields(**values)


def _make(trade_id: int, organiser_id: int | None = None, **changes) -> int:
    contest = create_contest(_actor(organiser_id), _fields(trade_id, **changes))
    db.session.commit()
    return contest.id


def _open(trade_id: int, organiser_id: int | None = None, **changes) -> int:
    contest_id = _make(trade_id, organiser_id, **changes)
    open_registration(_actor(organiser_id), contest_id)
    db.session.commit()
    return contest_id


def _set_stage(contest_id: int, stage: Stage) -> None:
    db.session.get(Contest, contest_id).stage = stage
    db.session.commit()


def _audits(action: str) -> list[AuditEntry]:
    query = db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def _count(model) -> int:
    return db.session.scalar(db.select(func.count()).select_from(model))


def _refused(call, message: str, field: str | None = None) -> DomainError:
    """Expect a refusal with this message, then commit: the refusal must have changed nothing."""
    with pytest.raises(DomainError) as caught:
        call()
    assert str(caught.value) == message
    if field is not None:
        assert caught.value.field == field
    db.session.commit()
    return caught.value


def test_an_organiser_creates_a_contest_with_its_rules_and_groups(app, people, trade_id):
    organiser = people.make(Role.ORGANISER)
    with app.app_context():
        changes = {"team_size": 3, "quota_per_enterprise": 2, "theory_weight": Decimal("0.4")}
        changes |= {"prize_quotas": (0.1, 0.2), "prize_minimum": 60, "title_name": "技术能手"}
        changes |= {"title_count": 5, "tie_break": ("time", "practical"), "appeal_days": 7}
        changes |= {"spread_limit": 1.5, "groups": (" 职工组 ", "学生组"), "name": " 电工大赛 "}
        contest_id = _make(trade_id, organiser.id, **changes)
        contest = db.session.get(Contest, contest_id)
        assert contest.stage is Stage.DRAFT and contest.created_by_id == organiser.id
        assert (contest.name, contest.level, contest.team_size) == ("电工大赛", "L3", 3)
        assert contest.theory_weight == 0.4 and contest.prize_quotas == [0.1, 0.2]
        assert contest.tie_break == ["time", "practical"] and contest.title_count == 5
        assert [(g.name, g.position) for g in contest.groups] == [("职工组", 0), ("学生组", 1)]
        [audit] = _audits("contest.create")
        assert audit.actor_id == organiser.id and audit.object_id == str(contest_id)
        assert audit.before is None and audit.after["groups"] == ["职工组", "学生组"]
        assert audit.after["stage"] == "draft" and audit.after["prize_minimum"] == 60.0
        assert action_label("contest.create") == "Contest created"


def test_a_contest_may_be_open_to_every_level_and_takes_aware_times_as_utc(app, trade_id):
    with app.app_context():
        east8 = timezone(timedelta(hours=8))
        opens = datetime(2030, 3, 1, 9, 0, tzinfo=east8)
        contest_id = _make(
            trade_id,
            level="",
            registration_opens_at=opens,
            registration_closes_at=opens + timedelta(days=10),
        )
        contest = db.session.get(Contest, contest_id)
        assert contest.level is None
        assert contest.registration_opens_at == datetime(2030, 3, 1, 1, 0)
        assert contest.registration_closes_at.tzinfo is None


LATER = datetime(2030, 1, 1)
REFUSALS = [
    ({"name": "  "}, "Please give the contest a name.", "name"),
    ({"name": "赛" * 121}, "A contest's name has at most 120 characters.", "name"),
    ({"description": "x" * 5001}, "The description has at most 5000 characters.", "description"),
    ({"trade_id": 999_999}, "Choose a trade from the list.", "trade_id"),
    ({"level": "L9"}, "Choose a skill level from the list, or none.", "level"),
    ({"team_size": 0}, "A team has between 1 and 10 members.", "team_size"),
    ({"team_size": 11}, "A team has between 1 and 10 members.", "team_size"),
    (
        {"registration_closes_at": None},
        "Set when registration opens and when it closes.",
        "registration_opens_at",
    ),
    (
        {"registration_opens_at": LATER, "registration_closes_at": LATER},
        "Registration must close after it opens.",
        "registration_closes_at",
    ),
    (
        {"quota_per_enterprise": 0},
        "An enterprise's quota is 1 to 1000 entries, or none.",
        "quota_per_enterprise",
    ),
    ({"theory_weight": 1.5}, "The theory weight is between 0 and 1.", "theory_weight"),
    ({"theory_weight": float("nan")}, "The theory weight is between 0 and 1.", "theory_weight"),
    ({"theory_weight": True}, "The theory weight is between 0 and 1.", "theory_weight"),
    ({"prize_quotas": (1.2,)}, "Each prize quota is a share between 0 and 1.", "prize_quotas"),
    ({"prize_quotas": ()}, "Each prize quota is a share between 0 and 1.", "prize_quotas"),
    ({"prize_quotas": (0.5, 0.6)}, "Prize quotas add up to at most 1 (100%).", "prize_quotas"),
    ({"prize_minimum": 101}, "The prize minimum is a score from 0 to 100.", "prize_minimum"),
    ({"title_count": -1}, "The number of titles is between 0 and 1000.", "title_count"),
    ({"title_count": 3}, "Name the title the top entrants receive.", "title_name"),
    (
        {"title_count": 1, "title_name": "能" * 41},
        "A title's name has at most 40 characters.",
        "title_name",
    ),
    (
        {"tie_break": ("practical", "luck")},
        "Choose tie-breaks from practical, theory and time.",
        "tie_break",
    ),
    ({"tie_break": "time"}, "Choose tie-breaks from practical, theory and time.", "tie_break"),
    ({"tie_break": ("time", "time")}, "A tie-break may appear only once.", "tie_break"),
    ({"appeal_days": 0}, "Appeals stay open for 1 to 30 days.", "appeal_days"),
    ({"appeal_days": 31}, "Appeals stay open for 1 to 30 days.", "appeal_days"),
    ({"spread_limit": 3.5}, "The spread limit is between 0 and 3.", "spread_limit"),
    ({"spread_limit": -0.1}, "The spread limit is between 0 and 3.", "spread_limit"),
    ({"groups": ("甲组", "甲组")}, "Each group needs a different name.", "groups"),
    ({"groups": ("甲组", " ")}, "Each group needs a name of at most 40 characters.", "groups"),
    ({"groups": ("组" * 41,)}, "Each group needs a name of at most 40 characters.", "groups"),
    ({"groups": tuple(f"{n}组" for n in range(11))}, "A contest has at most 10 groups.", "groups"),
]


@pytest.mark.parametrize(("changes", "message", "field"), REFUSALS)
def test_bad_rules_are_refused_and_nothing_is_saved(app, trade_id, changes, message, field):
    with app.app_context():
        _refused(lambda: create_contest(_actor(), _fields(trade_id, **changes)), message, field)
        assert _count(Contest) == 0 and _count(ContestGroup) == 0
        assert _audits("contest.create") == []


def test_boundary_rules_are_accepted(app, trade_id):
    with app.app_context():
        changes = {"team_size": 10, "theory_weight": 0, "prize_quotas": (0.5, 0.3, 0.2)}
        changes |= {"prize_minimum": 100, "tie_break": (), "appeal_days": 30, "spread_limit": 0}
        changes |= {"groups": tuple(f"{n}组" for n in range(10)), "quota_per_enterprise": 1000}
        contest = db.session.get(Contest, _make(trade_id, **changes))
        assert contest.tie_break == [] and len(contest.groups) == 10


def test_workers_cannot_create_or_edit_contests(app, people, trade_id):
    worker = people.make(Role.JUDGE)
    with app.app_context():
        message = "Only an organiser may do this."
        _refused(lambda: create_contest(_actor(worker.id), _fields(trade_id)), message)
        contest_id = _make(trade_id)
        _refused(
            lambda: update_contest(_actor(worker.id), contest_id, _fields(trade_id, name="改")),
            message,
        )
        _refused(lambda: open_registration(_actor(worker.id), contest_id), message)
        assert db.session.get(Contest, contest_id).stage is Stage.DRAFT


def test_editing_changes_the_rules_keeps_groups_by_name_and_leaves_an_audit(app, people, trade_id):
    organiser = people.make(Role.ADMIN)
    with app.app_context():
        contest_id = _make(trade_id, groups=("职工组", "学生组"))
        kept = db.session.get(Contest, contest_id).groups[1].id
        changes = {"name": "第二届电工大赛", "groups": ("学生组", "青年组"), "spread_limit": 2}
        update_contest(_actor(organiser.id), contest_id, _fields(trade_id, **changes))
        db.session.commit()
        contest = db.session.get(Contest, contest_id)
        assert contest.name == "第二届电工大赛" and contest.spread_limit == 2.0
        assert [(g.name, g.position) for g in contest.groups] == [("学生组", 0), ("青年组", 1)]
        assert contest.groups[0].id == kept and _count(ContestGroup) == 2
        [audit] = _audits("contest.edit")
        assert audit.actor_id == organiser.id
        assert audit.before["groups"] == ["职工组", "学生组"]
        assert audit.after["groups"] == ["学生组", "青年组"]
        assert audit.before["name"] == "全省电工职业技能竞赛"


def test_editing_an_unknown_contest_is_refused(app, trade_id):
    with app.app_context():
        _refused(
            lambda: update_contest(_actor(), 12345, _fields(trade_id)),
            "There is no such contest.",
            "contest_id",
        )


FIXED = [
    ("theory_weight", 0.5),
    ("prize_quotas", (0.2, 0.2, 0.2)),
    ("prize_minimum", 50.0),
    ("tie_break", ("theory", "practical")),
    ("spread_limit", 2.0),
    ("team_size", 2),
    ("groups", ("新组",)),
    ("level", "L2"),
]


@pytest.mark.parametrize(("name", "value"), FIXED)
def test_rules_that_shape_results_cannot_change_once_lots_are_drawn(app, trade_id, name, value):
    with app.app_context():
        contest_id = _open(trade_id)
        _set_stage(contest_id, Stage.DRAWN)
        before = db.session.get(Contest, contest_id)
        old = getattr(before, name) if name != "groups" else []
        _refused(
            lambda: update_contest(_actor(), contest_id, _fields(trade_id, **{name: value})),
            "The rules that decide results cannot change once lots are drawn.",
            name,
        )
        contest = db.session.get(Contest, contest_id)
        assert (getattr(contest, name) if name != "groups" else []) == old
        assert _audits("contest.edit") == []


def test_names_and_texts_may_still_change_after_the_draw(app, trade_id):
    with app.app_context():
        contest_id = _open(trade_id)
        _set_stage(contest_id, Stage.PRACTICAL)
        changes = {"name": "改名后的大赛", "description": "新的说明", "title_name": "能手"}
        update_contest(_actor(), contest_id, _fields(trade_id, **changes, title_count=3))
        db.session.commit()
        contest = db.session.get(Contest, contest_id)
        assert (contest.name, contest.title_count, contest.stage) == (
            "改名后的大赛",
            3,
            Stage.PRACTICAL,
        )


def test_team_size_and_groups_cannot_change_once_someone_has_entered(app, people, trade_id):
    worker = people.make()
    with app.app_context():
        contest_id = _open(trade_id, groups=("职工组",))
        group_id = db.session.get(Contest, contest_id).groups[0].id
        enter(_actor(worker.id), contest_id, worker.id, group_id)
        db.session.commit()
        message = "Team size and groups cannot change once entries have been made."
        for changes in ({"team_size": 2, "groups": ("职工组",)}, {"groups": ("职工组", "学生组")}):
            _refused(
                lambda changes=changes: update_contest(
                    _actor(), contest_id, _fields(trade_id, **changes)
                ),
                message,
            )
        contest = db.session.get(Contest, contest_id)
        assert contest.team_size == 1 and [g.name for g in contest.groups] == ["职工组"]
        update_contest(
            _actor(), contest_id, _fields(trade_id, groups=("职工组",), theory_weight=0.5)
        )
        db.session.commit()
        assert db.session.get(Contest, contest_id).theory_weight == 0.5


def test_a_contest_in_registration_keeps_its_window(app, trade_id):
    with app.app_context():
        contest_id = _open(trade_id)
        no_window = {"registration_opens_at": None, "registration_closes_at": None}
        _refused(
            lambda: update_contest(_actor(), contest_id, _fields(trade_id, **no_window)),
            "Set when registration opens and when it closes.",
        )
        assert db.session.get(Contest, contest_id).registration_opens_at is not None


def test_opening_registration_moves_a_draft_on_and_leaves_an_audit(app, people, trade_id):
    organiser = people.make(Role.ORGANISER)
    with app.app_context():
        contest_id = _make(trade_id)
        contest = open_registration(_actor(organiser.id), contest_id)
        db.session.commit()
        assert contest.stage is Stage.REGISTRATION
        [audit] = _audits("contest.stage")
        assert (audit.before, audit.after) == ({"stage": "draft"}, {"stage": "registration"})
        assert audit.actor_id == organiser.id
        _refused(
            lambda: open_registration(_actor(organiser.id), contest_id),
            "This cannot be done while the contest is at the registration stage.",
            "stage",
        )
        assert len(_audits("contest.stage")) == 1


def test_registration_needs_its_window_to_open(app, trade_id):
    with app.app_context():
        no_window = {"registration_opens_at": None, "registration_closes_at": None}
        contest_id = _make(trade_id, **no_window)
        _refused(
            lambda: open_registration(_actor(), contest_id),
            "Set when registration opens and when it closes.",
            "registration_opens_at",
        )
        assert db.session.get(Contest, contest_id).stage is Stage.DRAFT
        assert _audits("contest.stage") == []


def test_advance_guards_the_stage_it_leaves(app, trade_id):
    with app.app_context():
        contest = db.session.get(Contest, _make(trade_id))
        with pytest.raises(DomainError, match="at the draft stage"):
            advance(contest, (Stage.REGISTRATION, Stage.DRAWN), Stage.THEORY)
        assert contest.stage is Stage.DRAFT
        assert advance(contest, [Stage.DRAFT], Stage.REGISTRATION) is Stage.DRAFT
        assert contest.stage is Stage.REGISTRATION
        assert _audits("contest.stage") == []  # no actor given: the caller audits
        advance(contest, Stage.REGISTRATION, Stage.DRAWN, _actor())
        assert _audits("contest.stage")[0].after == {"stage": "drawn"}


def test_judges_and_an_encryption_officer_are_appointed(app, people, trade_id):
    organiser = people.make(Role.ORGANISER)
    enterprise = people.enterprise()
    judge = people.make(Role.JUDGE, real_name="王裁判", enterprise_id=enterprise)
    chief = people.make(Role.JUDGE, real_name="赵裁判长")
    officer = people.make(real_name="钱加密")
    with app.app_context():
        contest_id = _make(trade_id)
        actor = _actor(organiser.id)
        staff = appoint_staff(actor, contest_id, judge.id, StaffRole.JUDGE)
        appoint_staff(actor, contest_id, chief.id, StaffRole.CHIEF_JUDGE)
        appoint_staff(actor, contest_id, chief.id, StaffRole.JUDGE)  # a chief judge may mark
        appoint_staff(actor, contest_id, officer.id, StaffRole.ENCRYPTION_OFFICER)
        db.session.commit()
        assert staff.enterprise_id == enterprise and _count(ContestStaff) == 4
        audits = _audits("contest.staff_appoint")
        assert len(audits) == 4 and audits[0].actor_id == organiser.id
        assert audits[0].after == {
            "user_id": judge.id,
            "role": "judge",
            "enterprise_id": enterprise,
        }


def test_staff_appointments_are_refused_when_they_break_a_rule(app, people, trade_id):
    judge, other_judge = people.make(Role.JUDGE), people.make(Role.JUDGE, real_name="李四")
    worker, officer = people.make(real_name="王五"), people.make(real_name="钱六")
    with app.app_context():
        contest_id = _make(trade_id)
        appoint_staff(_actor(), contest_id, judge.id, StaffRole.CHIEF_JUDGE)
        appoint_staff(_actor(), contest_id, officer.id, StaffRole.ENCRYPTION_OFFICER)
        db.session.commit()
        cases = [
            (worker.id, StaffRole.JUDGE, "Only a user with the judge role can judge a contest."),
            (
                worker.id,
                StaffRole.CHIEF_JUDGE,
                "Only a user with the judge role can judge a contest.",
            ),
            (
                other_judge.id,
                StaffRole.CHIEF_JUDGE,
                "The contest already has someone in this role.",
            ),
            (
                worker.id,
                StaffRole.ENCRYPTION_OFFICER,
                "The contest already has someone in this role.",
            ),
            (
                judge.id,
                StaffRole.ENCRYPTION_OFFICER,
                "The encryption officer cannot also judge the contest.",
            ),
            (judge.id, StaffRole.CHIEF_JUDGE, "This user already has this role."),
            (999_999, StaffRole.JUDGE, "Choose an active user."),
        ]
        for user_id, role, message in cases:
            _refused(lambda u=user_id, r=role: appoint_staff(_actor(), contest_id, u, r), message)
        assert _count(ContestStaff) == 2 and len(_audits("contest.staff_appoint")) == 2


def test_the_encryption_officer_never_judges(app, people, trade_id):
    judge = people.make(Role.JUDGE)
    with app.app_context():
        contest_id = _make(trade_id)
        appoint_staff(_actor(), contest_id, judge.id, StaffRole.ENCRYPTION_OFFICER)
        db.session.commit()
        for role in (StaffRole.JUDGE, StaffRole.CHIEF_JUDGE):
            _refused(
                lambda role=role: appoint_staff(_actor(), contest_id, judge.id, role),
                "The encryption officer cannot also judge the contest.",
                "role",
            )
        assert _count(ContestStaff) == 1


def test_inactive_users_entrants_and_locked_contests_get_no_staff(app, people, trade_id):
    judge, entrant = people.make(Role.JUDGE), people.make(Role.JUDGE, real_name="李四")
    with app.app_context():
        contest_id = _open(trade_id)
        enter(_actor(entrant.id), contest_id, entrant.id)
        db.session.get(User, judge.id).is_active = False
        db.session.commit()
        _refused(
            lambda: appoint_staff(_actor(), contest_id, judge.id, StaffRole.JUDGE),
            "Choose an active user.",
        )
        _refused(
            lambda: appoint_staff(_actor(), contest_id, entrant.id, StaffRole.JUDGE),
            "An entrant of the contest cannot be on its staff.",
        )
        db.session.get(User, judge.id).is_active = True
        _set_stage(contest_id, Stage.LOCKED)
        _refused(
            lambda: appoint_staff(_actor(), contest_id, judge.id, StaffRole.JUDGE),
            "Staff cannot change once marks are locked.",
        )
        assert _count(ContestStaff) == 0


def test_organisers_only_appoint_and_dismiss(app, people, trade_id):
    judge = people.make(Role.JUDGE)
    with app.app_context():
        contest_id = _make(trade_id)
        appoint_staff(_actor(), contest_id, judge.id, StaffRole.JUDGE)
        db.session.commit()
        _refused(
            lambda: appoint_staff(_actor(judge.id), contest_id, judge.id, StaffRole.CHIEF_JUDGE),
            "Only an organiser may do this.",
        )
        _refused(
            lambda: dismiss_staff(_actor(judge.id), contest_id, judge.id, StaffRole.JUDGE),
            "Only an organiser may do this.",
        )
        assert _count(ContestStaff) == 1


def _panel_seat(contest_id: int, user_id: int) -> None:
    """Seat the judge on a panel of a one-aspect scheme."""
    criterion = Criterion(contest_id=contest_id, code="A", name="安装")
    db.session.add(criterion)
    db.session.flush()
    sub = SubCriterion(contest_id=contest_id, criterion_id=criterion.id, code="A1", name="接线")
    db.session.add(sub)
    db.session.flush()
    aspect = Aspect(
        contest_id=contest_id,
        criterion_id=criterion.id,
        sub_criterion_id=sub.id,
        code="A1.1",
        description="接线牢固",
        kind=AspectKind.JUDGEMENT,
        max_mark=Decimal("100"),
    )
    db.session.add(aspect)
    db.session.flush()
    db.session.add(PanelJudge(aspect_id=aspect.id, user_id=user_id, contest_id=contest_id))
    db.session.commit()


def test_dismissing_staff(app, people, trade_id):
    judge, seated = people.make(Role.JUDGE), people.make(Role.JUDGE, real_name="李四")
    with app.app_context():
        contest_id = _make(trade_id)
        for user_id in (judge.id, seated.id):
            appoint_staff(_actor(), contest_id, user_id, StaffRole.JUDGE)
        db.session.commit()
        _panel_seat(contest_id, seated.id)
        dismiss_staff(_actor(), contest_id, judge.id, StaffRole.JUDGE)
        db.session.commit()
        [audit] = _audits("contest.staff_dismiss")
        assert audit.before["user_id"] == judge.id and audit.after is None
        _refused(
            lambda: dismiss_staff(_actor(), contest_id, judge.id, StaffRole.JUDGE),
            "This user does not have this role in the contest.",
        )
        _refused(
            lambda: dismiss_staff(_actor(), contest_id, seated.id, StaffRole.JUDGE),
            "Take the judge off their panels first.",
        )
        assert _count(ContestStaff) == 1 and len(_audits("contest.staff_dismiss")) == 1


def test_stage_refusals_read_well_in_chinese_too(app, trade_id):
    with app.app_context():
        contest = db.session.get(Contest, _make(trade_id))
        with pytest.raises(DomainError) as caught:
            advance(contest, Stage.DRAWN, Stage.THEORY)
        assert str(caught.value) == "This cannot be done while the contest is at the draft stage."
        with force_locale("zh_Hans"):
            assert str(caught.value)  # the stage's label is put in without a formatting error
