"""Contest registration: workers and teams enter, organisers decide, and the roster.

Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL).
"""

import io
from datetime import timedelta
from functools import partial

import openpyxl
import pytest

from competitions.contests.models import (
    Contest,
    Entry,
    EntryMember,
    EntryStatus,
    StaffRole,
    Stage,
)
from competitions.contests.services import registration
from competitions.contests.services.contests import update_contest
from competitions.contests.services.registration import (
    decide,
    enter,
    enter_team,
    entries_of,
    roster_xlsx,
    withdraw,
)
from competitions.contests.services.staff import appoint_staff
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.extensions import db
from guild.timeutil import utcnow
from tests.test_contest_setup import _actor, _audits, _count, _fields, _open, _refused, _set_stage

ALREADY = "This worker has already entered this contest."
FIXED = "Entries cannot change once lots are drawn."


@pytest.fixture
def app(make_app):
    """Messages in English (the source strings), whatever the translations say later."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


def _group_ids(contest_id: int) -> list[int]:
    return [group.id for group in db.session.get(Contest, contest_id).groups]


def _status(entry_id: int) -> EntryStatus:
    db.session.expire_all()
    return db.session.get(Entry, entry_id).status


def test_a_worker_enters_themself_and_the_entry_waits_for_a_decision(app, people, trade_id):
    enterprise = people.enterprise()
    worker = people.make(real_name="张小三", enterprise_id=enterprise)
    with app.app_context():
        contest_id = _open(trade_id, groups=("职工组", "学生组"))
        group_id = _group_ids(contest_id)[1]
        entry = enter(_actor(worker.id), contest_id, worker.id, group_id)
        db.session.commit()
        assert entry.status is EntryStatus.PENDING and entry.group_id == group_id
        assert entry.enterprise_id == enterprise and entry.registered_by_id == worker.id
        assert [(m.user_id, m.position) for m in entry.members] == [(worker.id, 1)]
        [audit] = _audits("contest.enter")
        assert audit.actor_id == worker.id and audit.object_type == "Entry"
        assert audit.after["members"] == [worker.id] and audit.after["status"] == "pending"


def test_an_organiser_may_enter_a_worker(app, people, trade_id):
    organiser, worker = people.make(Role.ORGANISER), people.make(real_name="李四")
    with app.app_context():
        contest_id = _open(trade_id)
        entry = enter(_actor(organiser.id), contest_id, worker.id)
        db.session.commit()
        assert entry.registered_by_id == organiser.id and entry.members[0].user_id == worker.id


def test_entering_someone_else_or_outside_registration_is_refused(app, people, trade_id):
    worker, other = people.make(), people.make(real_name="李四")
    with app.app_context():
        contest_id = _open(trade_id)
        _refused(
            lambda: enter(_actor(worker.id), contest_id, other.id),
            "You can only enter yourself.",
            "user_id",
        )
        past = {"registration_opens_at": utcnow() - timedelta(days=3)}
        past["registration_closes_at"] = utcnow() - timedelta(days=1)
        update_contest(_actor(), contest_id, _fields(trade_id, **past))
        db.session.commit()
        _refused(
            lambda: enter(_actor(worker.id), contest_id, worker.id),
            "Registration for this contest is not open now.",
        )
        _set_stage(contest_id, Stage.DRAFT)
        _refused(
            lambda: enter(_actor(worker.id), contest_id, worker.id),
            "This cannot be done while the contest is at the draft stage.",
            "stage",
        )
        _set_stage(contest_id, Stage.DRAWN)
        _refused(lambda: enter(_actor(worker.id), contest_id, worker.id), FIXED, "stage")
        assert _count(Entry) == 0 and _audits("contest.enter") == []


def test_only_active_workers_off_the_staff_enter(app, people, trade_id):
    judge, sleeper = people.make(Role.JUDGE), people.make(real_name="李四")
    with app.app_context():
        contest_id = _open(trade_id)
        appoint_staff(_actor(), contest_id, judge.id, StaffRole.JUDGE)
        db.session.get(User, sleeper.id).is_active = False
        db.session.commit()
        _refused(
            lambda: enter(_actor(judge.id), contest_id, judge.id),
            "The contest's staff cannot enter it.",
        )
        _refused(
            lambda: enter(_actor(), contest_id, sleeper.id),
            "Only an active worker can enter a contest.",
        )
        _refused(
            lambda: enter(_actor(), contest_id, 999_999),
            "Only an active worker can enter a contest.",
        )
        assert _count(Entry) == 0


def test_the_group_must_be_one_of_the_contests(app, people, trade_id):
    worker = people.make()
    with app.app_context():
        grouped = _open(trade_id, groups=("职工组",))
        plain = _open(trade_id, name="无组别竞赛")
        message = "Choose a group of this contest."
        _refused(lambda: enter(_actor(worker.id), grouped, worker.id), message, "group_id")
        foreign = _group_ids(grouped)[0]
        _refused(lambda: enter(_actor(worker.id), plain, worker.id, foreign), message)
        _refused(lambda: enter(_actor(worker.id), grouped, worker.id, foreign + 100), message)
        assert _count(Entry) == 0
        enter(_actor(worker.id), plain, worker.id)
        enter(_actor(worker.id), grouped, worker.id, foreign)
        db.session.commit()
        assert _count(Entry) == 2


def test_a_worker_enters_a_contest_once(app, people, trade_id):
    worker = people.make(real_name="张小三")
    with app.app_context():
        contest_id = _open(trade_id)
        enter(_actor(worker.id), contest_id, worker.id)
        db.session.commit()
        _refused(
            lambda: enter(_actor(worker.id), contest_id, worker.id),
            "Already entered in this contest: 张小三.",
            "user_id",
        )
        assert _count(Entry) == 1 and len(_audits("contest.enter")) == 1


def test_the_unique_constraint_refuses_a_double_entry_that_slips_past_the_check(
    app, people, trade_id, monkeypatch
):
    """Two requests at once both pass the friendly check; the database lets one through."""
    worker = people.make()
    with app.app_context():
        contest_id = _open(trade_id)
        enter(_actor(worker.id), contest_id, worker.id)
        db.session.commit()
        monkeypatch.setattr(registration, "active_entrants", lambda *args: set())
        _refused(lambda: enter(_actor(worker.id), contest_id, worker.id), ALREADY, "user_id")
        assert _count(Entry) == 1 and _count(EntryMember) == 1
        assert len(_audits("contest.enter")) == 1


def test_a_worker_who_withdrew_enters_again_with_the_same_entry(app, people, trade_id):
    worker = people.make()
    with app.app_context():
        contest_id = _open(trade_id)
        entry_id = enter(_actor(worker.id), contest_id, worker.id).id
        withdraw(_actor(worker.id), entry_id)
        db.session.commit()
        again = enter(_actor(worker.id), contest_id, worker.id)
        db.session.commit()
        assert again.id == entry_id and again.status is EntryStatus.PENDING
        assert _count(Entry) == 1
        audits = _audits("contest.enter")
        assert audits[1].before["status"] == "withdrawn" and audits[1].after["status"] == "pending"


def test_a_rejected_worker_cannot_enter_again(app, people, trade_id):
    worker = people.make()
    with app.app_context():
        contest_id = _open(trade_id)
        entry_id = enter(_actor(worker.id), contest_id, worker.id).id
        decide(_actor(), entry_id, False, "不符合报名条件")
        db.session.commit()
        _refused(lambda: enter(_actor(worker.id), contest_id, worker.id), ALREADY)
        assert _status(entry_id) is EntryStatus.REJECTED and _count(Entry) == 1


def test_the_enterprise_quota_counts_pending_and_approved_entries(app, people, trade_id):
    ours, theirs = people.enterprise(), people.enterprise("宁波港务集团", "宁波市")
    first, second, third = (
        people.make(real_name=name, enterprise_id=ours) for name in ("甲一", "乙二", "丙三")
    )
    outsider, loner = people.make(real_name="丁四", enterprise_id=theirs), people.make()
    with app.app_context():
        contest_id = _open(trade_id, quota_per_enterprise=2)
        first_id = enter(_actor(), contest_id, first.id).id
        second_id = enter(_actor(), contest_id, second.id).id
        decide(_actor(), first_id, True, "")
        db.session.commit()
        message = "The enterprise has used its quota of 2 entries."
        _refused(lambda: enter(_actor(), contest_id, third.id), message, "enterprise_id")
        enter(_actor(), contest_id, outsider.id)  # another enterprise has its own quota
        enter(_actor(), contest_id, loner.id)  # no enterprise, no quota
        decide(_actor(), second_id, False, "材料不全")  # rejected entries do not count
        third_id = enter(_actor(), contest_id, third.id).id
        db.session.commit()
        _refused(lambda: decide(_actor(), second_id, True, ""), message)
        assert _status(second_id) is EntryStatus.REJECTED
        withdraw(_actor(), third_id)  # nor do withdrawn ones
        decide(_actor(), second_id, True, "补齐材料")
        db.session.commit()
        assert _status(second_id) is EntryStatus.APPROVED


def _team_contest(trade_id: int, **changes) -> int:
    return _open(trade_id, team_size=2, name="班组赛", **changes)


def test_an_enterprise_contact_enters_a_team_of_its_workers(app, people, trade_id):
    ours = people.enterprise()
    contact = people.make(Role.ENTERPRISE_CONTACT, real_name="联络员", enterprise_id=ours)
    captain, mate = (people.make(real_name=n, enterprise_id=ours) for n in ("队长甲", "队员乙"))
    with app.app_context():
        contest_id = _team_contest(trade_id, groups=("职工组",))
        group_id = _group_ids(contest_id)[0]
        entry = enter_team(
            _actor(contact.id), contest_id, ours, " 电工一队 ", [mate.id, captain.id], group_id
        )
        db.session.commit()
        assert (entry.team_name, entry.enterprise_id, entry.group_id) == (
            "电工一队",
            ours,
            group_id,
        )
        assert [(m.user_id, m.position) for m in entry.members] == [(mate.id, 1), (captain.id, 2)]
        assert entry.registered_by_id == contact.id and entry.status is EntryStatus.PENDING
        [audit] = _audits("contest.enter")
        assert audit.after["members"] == [mate.id, captain.id] and audit.after["released"] == {}


def _team_cases(people) -> tuple[int, dict, list]:
    """A team contest's enterprise with its contact and workers, and the refusals to try."""
    ours, theirs = people.enterprise(), people.enterprise("宁波港务集团", "宁波市")
    contact = people.make(Role.ENTERPRISE_CONTACT, real_name="联络员", enterprise_id=ours)
    other_contact = people.make(Role.ENTERPRISE_CONTACT, real_name="外联", enterprise_id=theirs)
    a, b, c = (people.make(real_name=n, enterprise_id=ours) for n in ("甲一", "乙二", "丙三"))
    stranger = people.make(real_name="丁四", enterprise_id=theirs)
    not_contact = "Only the enterprise's contact can enter its teams."
    cases = [
        (contact.id, ours, "二队", [c.id], "A team has exactly 2 members."),
        (contact.id, ours, "二队", [c.id, c.id], "Each member may appear only once."),
        (
            contact.id,
            ours,
            "二队",
            [c.id, stranger.id],
            "Every member must work for the team's enterprise.",
        ),
        (contact.id, ours, "二队", [c.id, 999_999], "Only an active worker can enter a contest."),
        (contact.id, ours, "二队", [c.id, a.id], "Already entered in this contest: 甲一."),
        (
            contact.id,
            ours,
            "一队",
            [c.id, contact.id],
            "Another team in this contest has this name.",
        ),
        (contact.id, ours, " ", [c.id, b.id], "Give the team a name of at most 60 characters."),
        (other_contact.id, ours, "二队", [c.id, contact.id], not_contact),
        (c.id, ours, "二队", [c.id, contact.id], not_contact),
        (contact.id, 999_999, "二队", [c.id, contact.id], "Choose an enterprise from the list."),
    ]
    return ours, {"contact": contact.id, "first": [a.id, b.id]}, cases


def test_team_rules_are_enforced(app, people, trade_id):
    ours, made, cases = _team_cases(people)
    with app.app_context():
        contest_id = _team_contest(trade_id)
        enter_team(_actor(made["contact"]), contest_id, ours, "一队", made["first"])
        db.session.commit()
        for actor_id, enterprise_id, name, members, message in cases:
            _refused(
                partial(enter_team, _actor(actor_id), contest_id, enterprise_id, name, members),
                message,
            )
        assert _count(Entry) == 1 and _count(EntryMember) == 2
        assert len(_audits("contest.enter")) == 1


def test_teams_and_individuals_keep_to_their_own_contests(app, people, trade_id):
    ours = people.enterprise()
    contact = people.make(Role.ENTERPRISE_CONTACT, real_name="联络员", enterprise_id=ours)
    worker = people.make(real_name="甲一", enterprise_id=ours)
    with app.app_context():
        team_contest, solo_contest = _team_contest(trade_id), _open(trade_id)
        _refused(
            lambda: enter(_actor(worker.id), team_contest, worker.id),
            "Teams enter this contest through their enterprise.",
        )
        _refused(
            lambda: enter_team(_actor(contact.id), solo_contest, ours, "一队", [worker.id]),
            "Workers enter this contest one by one.",
        )
        assert _count(Entry) == 0


def test_a_team_quota_and_an_organiser_entering_a_team(app, people, trade_id):
    ours = people.enterprise()
    organiser = people.make(Role.ORGANISER)
    a, b, c, d = (
        people.make(real_name=n, enterprise_id=ours) for n in ("甲一", "乙二", "丙三", "丁四")
    )
    with app.app_context():
        contest_id = _team_contest(trade_id, quota_per_enterprise=1)
        entry = enter_team(_actor(organiser.id), contest_id, ours, "一队", [a.id, b.id])
        db.session.commit()
        assert entry.registered_by_id == organiser.id
        _refused(
            lambda: enter_team(_actor(organiser.id), contest_id, ours, "二队", [c.id, d.id]),
            "The enterprise has used its quota of 1 entry.",
        )
        assert _count(Entry) == 1


def test_members_of_a_withdrawn_team_may_join_a_new_one(app, people, trade_id):
    ours = people.enterprise()
    contact = people.make(Role.ENTERPRISE_CONTACT, real_name="联络员", enterprise_id=ours)
    a, b, c = (people.make(real_name=n, enterprise_id=ours) for n in ("甲一", "乙二", "丙三"))
    with app.app_context():
        contest_id = _team_contest(trade_id)
        old_id = enter_team(_actor(contact.id), contest_id, ours, "一队", [a.id, b.id]).id
        withdraw(_actor(contact.id), old_id)
        db.session.commit()
        new = enter_team(_actor(contact.id), contest_id, ours, "一队", [c.id, a.id])
        db.session.commit()
        assert [m.user_id for m in new.members] == [c.id, a.id]
        db.session.expire_all()
        assert [m.user_id for m in db.session.get(Entry, old_id).members] == [b.id]
        assert _audits("contest.enter")[1].after["released"] == {str(old_id): [a.id]}


def test_a_refused_team_leaves_withdrawn_teams_as_they_were(app, people, trade_id, monkeypatch):
    ours = people.enterprise()
    contact = people.make(Role.ENTERPRISE_CONTACT, real_name="联络员", enterprise_id=ours)
    a, b, c = (people.make(real_name=n, enterprise_id=ours) for n in ("甲一", "乙二", "丙三"))
    with app.app_context():
        contest_id = _team_contest(trade_id)
        old_id = enter_team(_actor(contact.id), contest_id, ours, "一队", [a.id, b.id]).id
        withdraw(_actor(contact.id), old_id)
        enter_team(_actor(contact.id), contest_id, ours, "二队", [c.id, contact.id])
        db.session.commit()
        monkeypatch.setattr(registration, "active_entrants", lambda *args: set())
        _refused(
            lambda: enter_team(_actor(contact.id), contest_id, ours, "三队", [a.id, c.id]),
            "A member of this team has already entered this contest.",
        )
        db.session.expire_all()
        assert [m.user_id for m in db.session.get(Entry, old_id).members] == [a.id, b.id]
        assert _count(Entry) == 2 and _count(EntryMember) == 4


def test_withdrawing(app, people, trade_id):
    ours = people.enterprise()
    worker, other = people.make(enterprise_id=ours), people.make(real_name="李四")
    with app.app_context():
        contest_id = _open(trade_id)
        entry_id = enter(_actor(worker.id), contest_id, worker.id).id
        db.session.commit()
        _refused(
            lambda: withdraw(_actor(other.id), entry_id),
            "You can only withdraw your own entries.",
            "entry_id",
        )
        assert _status(entry_id) is EntryStatus.PENDING
        withdraw(_actor(worker.id), entry_id)
        db.session.commit()
        assert _status(entry_id) is EntryStatus.WITHDRAWN
        [audit] = _audits("contest.withdraw")
        assert audit.before["status"] == "pending" and audit.after["status"] == "withdrawn"
        _refused(
            lambda: withdraw(_actor(worker.id), entry_id),
            "Only a pending or approved entry can be withdrawn.",
        )
        _refused(lambda: withdraw(_actor(), 999_999), "There is no such entry.", "entry_id")
        assert len(_audits("contest.withdraw")) == 1


def test_an_organiser_approves_or_turns_down_entries(app, people, trade_id):
    organiser = people.make(Role.ORGANISER)
    worker, other = people.make(), people.make(real_name="李四")
    with app.app_context():
        contest_id = _open(trade_id)
        first = enter(_actor(worker.id), contest_id, worker.id).id
        second = enter(_actor(other.id), contest_id, other.id).id
        approved = decide(_actor(organiser.id), first, True, " 资格审核通过 ")
        decide(_actor(organiser.id), second, False, "非本工种从业人员")
        db.session.commit()
        assert approved.decided_by_id == organiser.id and approved.decided_at is not None
        assert approved.decision_note == "资格审核通过"
        assert _status(second) is EntryStatus.REJECTED
        audits = _audits("contest.decide")
        assert [a.after["status"] for a in audits] == ["approved", "rejected"]
        assert audits[0].actor_id == organiser.id and audits[0].before["status"] == "pending"


def test_decisions_are_refused_when_they_break_a_rule(app, people, trade_id):
    worker = people.make()
    with app.app_context():
        contest_id = _open(trade_id)
        entry_id = enter(_actor(worker.id), contest_id, worker.id).id
        db.session.commit()
        cases = [
            (_actor(worker.id), True, "", "Only an organiser may do this."),
            (_actor(), False, "  ", "Say why the entry is turned down."),
            (_actor(), True, "长" * 201, "A note has at most 200 characters."),
        ]
        for actor, approve, note, message in cases:
            _refused(partial(decide, actor, entry_id, approve, note), message)
        assert _status(entry_id) is EntryStatus.PENDING
        withdraw(_actor(worker.id), entry_id)
        db.session.commit()
        _refused(lambda: decide(_actor(), entry_id, True, ""), "This entry has been withdrawn.")
        assert _audits("contest.decide") == []


def test_nothing_about_an_entry_changes_once_lots_are_drawn(app, people, trade_id):
    worker = people.make()
    with app.app_context():
        contest_id = _open(trade_id)
        entry_id = enter(_actor(worker.id), contest_id, worker.id).id
        decide(_actor(), entry_id, True, "")
        db.session.commit()
        for stage in (Stage.DRAWN, Stage.FINAL):
            _set_stage(contest_id, stage)
            _refused(lambda: decide(_actor(), entry_id, False, "迟到"), FIXED, "stage")
            _refused(lambda: withdraw(_actor(worker.id), entry_id), FIXED, "stage")
        assert _status(entry_id) is EntryStatus.APPROVED
        assert _audits("contest.withdraw") == [] and len(_audits("contest.decide")) == 1


def test_entries_of_lists_a_contests_entries_by_status(app, people, trade_id):
    first, second = people.make(), people.make(real_name="李四")
    with app.app_context():
        contest_id, other_id = _open(trade_id), _open(trade_id, name="别的竞赛")
        one = enter(_actor(), contest_id, first.id).id
        two = enter(_actor(), contest_id, second.id).id
        enter(_actor(), other_id, first.id)
        decide(_actor(), two, True, "")
        db.session.commit()
        assert [entry.id for entry in entries_of(contest_id)] == [one, two]
        assert [entry.id for entry in entries_of(contest_id, EntryStatus.APPROVED)] == [two]
        assert entries_of(contest_id, EntryStatus.WITHDRAWN) == []


def _sheet_rows(data: bytes) -> tuple[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = book.worksheets[0]
    return sheet.title, [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_roster_lists_approved_entrants_with_masked_phones(app, people, trade_id):
    ours = people.enterprise("杭州新能电力有限公司")
    theirs = people.enterprise("宁波港务集团", "宁波市")
    a = people.make(real_name="张小三", enterprise_id=theirs, phone="13812345678")
    b = people.make(real_name="李四", enterprise_id=ours, phone="13987654321")
    c = people.make(real_name="王五", enterprise_id=ours, phone="13700001111")
    d = people.make(real_name="赵六", phone="13600002222")
    with app.app_context():
        contest_id = _open(trade_id, groups=("职工组", "学生组"))
        staff_group, student_group = _group_ids(contest_id)
        ids = [
            enter(_actor(), contest_id, a.id, staff_group).id,
            enter(_actor(), contest_id, b.id, student_group).id,
            enter(_actor(), contest_id, c.id, staff_group).id,
            enter(_actor(), contest_id, d.id, staff_group).id,
        ]
        for entry_id in ids[:3]:
            decide(_actor(), entry_id, True, "")
        db.session.commit()
        title, rows = _sheet_rows(roster_xlsx(contest_id))
        assert title == "花名册"
        assert rows == [
            ("序号", "组别", "单位", "姓名", "手机"),
            (1, "职工组", "宁波港务集团", "张小三", "138****5678"),
            (2, "职工组", "杭州新能电力有限公司", "王五", "137****1111"),
            (3, "学生组", "杭州新能电力有限公司", "李四", "139****4321"),
        ]


def test_a_team_roster_lists_every_member_with_the_captain_first(app, people, trade_id):
    ours = people.enterprise()
    contact = people.make(Role.ENTERPRISE_CONTACT, real_name="联络员", enterprise_id=ours)
    a = people.make(real_name="甲一", enterprise_id=ours, phone="13811112222")
    b = people.make(real_name="乙二", enterprise_id=ours, phone="13833334444")
    with app.app_context():
        contest_id = _team_contest(trade_id)
        entry_id = enter_team(_actor(contact.id), contest_id, ours, "=电工一队", [a.id, b.id]).id
        decide(_actor(), entry_id, True, "")
        db.session.commit()
        _, rows = _sheet_rows(roster_xlsx(contest_id))
        assert rows == [
            ("序号", "组别", "单位", "队名", "姓名", "队内角色", "手机"),
            (1, None, "杭州新能电力有限公司", "=电工一队", "甲一", "队长", "138****2222"),
            (1, None, "杭州新能电力有限公司", "=电工一队", "乙二", "队员", "138****4444"),
        ]


def test_an_empty_roster_has_its_header_only(app, trade_id):
    with app.app_context():
        _, rows = _sheet_rows(roster_xlsx(_open(trade_id)))
        assert rows == [("序号", "组别", "单位", "姓名", "手机")]
        with pytest.raises(Exception, match="There is no such contest"):
            roster_xlsx(999_999)
