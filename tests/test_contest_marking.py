"""Judges' panels and marks: recusal at both points, optimistic saves, races for a first mark,
refusals that change nothing, audit rows and the marks version, and the judge's sheet of
codes. Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

import json
import threading
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func

from competitions.contests.marking_models import AgreedMark, Aspect, JudgeScore, PanelJudge
from competitions.contests.marking_models import Criterion as CriterionRow
from competitions.contests.models import Contest, Entry, StaffRole, Stage
from competitions.contests.scheme import Aspect as SchemeAspect
from competitions.contests.scheme import AspectKind, Criterion, Scheme, SubCriterion
from competitions.contests.services.contests import (
    ContestFields,
    advance,
    create_contest,
    get_contest,
    open_registration,
    update_contest,
)
from competitions.contests.services.draw import draw_lots
from competitions.contests.services.marking import (
    StaleMark,
    save_agreed_mark,
    save_judge_score,
)
from competitions.contests.services.panels import assign_judge, unassign_judge
from competitions.contests.services.registration import decide, enter
from competitions.contests.services.scheme_store import save_scheme
from competitions.contests.services.sheet import marking_sheet
from competitions.contests.services.staff import appoint_staff
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow
from guild.transactions import begin_writing

NAMES = ("张小三", "李大明", "王五六", "赵不来")
LEVELS = ("未完成", "基本完成", "完成较好", "完成出色")


def _judged(code: str, mark: str) -> SchemeAspect:
    return SchemeAspect(code, f"评价项{code}", AspectKind.JUDGEMENT, Decimal(mark), LEVELS)


SCHEME = Scheme(
    (
        Criterion(
            "A",
            "安装",
            (
                SubCriterion(
                    "A1",
                    "元器件安装",
                    (
                        SchemeAspect("A1.1", "接地电阻", AspectKind.MEASUREMENT, Decimal(30)),
                        _judged("A1.2", "20"),
                    ),
                ),
            ),
        ),
        Criterion("B", "工艺", (SubCriterion("B1", "布线工艺", (_judged("B1.1", "50"),)),)),
    )
)


@dataclass
class Scene:
    """A contest in the practical: three entries drawn (power, steel, coal), one pending.

    Panels: A1.1 (measurement) j1; A1.2 j1, j2 and coal (a judge from the coal enterprise,
    seated before the coal entry was approved); B1.1 j1 and j2.
    """

    contest_id: int
    organiser: int
    chief: int
    officer: int
    j1: int
    j2: int
    coal: int  # a judge whose enterprise's entry was approved after they were seated
    steel: int  # a judge of an enterprise with an entrant, never seated
    workers: list[int]
    entries: list[int]  # drawn: power, steel, coal
    pending: int
    aspects: dict[str, int]
    criteria: dict[str, int]


@pytest.fixture
def app(make_app):
    """The app speaking English, so refusals are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


def actor(user_id: int | None) -> Actor:
    """The actor of a user made for the test (None: the system)."""
    return Actor(db.session.get(User, user_id) if user_id else None, "127.0.0.1")


def _window(contest: Contest, opens, closes) -> ContestFields:
    return ContestFields(
        contest.name, contest.trade_id, registration_opens_at=opens, registration_closes_at=closes
    )


def _staff(people, power: int, steel: int, coal: int) -> dict[str, int]:
    return {
        "organiser": people.make(Role.ORGANISER, real_name="陈组织").id,
        "chief": people.make(Role.JUDGE, real_name="裁判长").id,
        "officer": people.make(real_name="钱加密").id,
        "j1": people.make(Role.JUDGE, real_name="一号裁判").id,
        "j2": people.make(Role.JUDGE, real_name="二号裁判").id,
        "coal": people.make(Role.JUDGE, real_name="煤矿裁判", enterprise_id=coal).id,
        "steel": people.make(Role.JUDGE, real_name="钢厂裁判", enterprise_id=steel).id,
    }


@pytest.fixture
def scene(app, people, trade_id) -> Scene:
    power, steel = people.enterprise(), people.enterprise("宁波钢铁有限公司", "宁波市")
    coal = people.enterprise("淮南煤业有限公司", "淮南市")
    staff = _staff(people, power, steel, coal)
    workers = [
        people.make(real_name=name, enterprise_id=firm).id
        for name, firm in zip(NAMES, (power, steel, coal, power), strict=True)
    ]
    with app.app_context():
        boss, now = actor(staff["organiser"]), utcnow()
        contest = create_contest(boss, ContestFields("全省电工技能竞赛", trade_id))
        update_contest(boss, contest.id, _window(contest, now - timedelta(1), now + timedelta(1)))
        open_registration(boss, contest.id)
        roles = {"chief": StaffRole.CHIEF_JUDGE, "officer": StaffRole.ENCRYPTION_OFFICER}
        for name in ("chief", "officer", "j1", "j2", "coal", "steel"):
            appoint_staff(boss, contest.id, staff[name], roles.get(name, StaffRole.JUDGE))
        save_scheme(boss, contest.id, SCHEME)
        aspects = {a.code: a.id for a in db.session.scalars(db.select(Aspect))}
        for code, judges in {"A1.1": "j1", "A1.2": "j1 j2 coal", "B1.1": "j1 j2"}.items():
            for name in judges.split():
                assign_judge(boss, contest.id, aspects[code], staff[name])
        entries = [enter(actor(user_id), contest.id, user_id).id for user_id in workers]
        for entry_id in entries[:3]:
            decide(boss, entry_id, True, "")
        closed = _window(contest, now - timedelta(1), now - timedelta(seconds=1))
        update_contest(boss, contest.id, closed)
        draw_lots(boss, contest.id, 5)
        advance(contest, Stage.DRAWN, Stage.THEORY)
        advance(contest, Stage.THEORY, Stage.PRACTICAL)
        db.session.commit()
        criteria = {row.code: row.id for row in db.session.scalars(db.select(CriterionRow))}
        return Scene(
            contest.id,
            workers=workers,
            entries=entries[:3],
            pending=entries[3],
            aspects=aspects,
            criteria=criteria,
            **staff,
        )


def count(model) -> int:
    """How many rows the table holds."""
    return db.session.scalar(db.select(func.count()).select_from(model))


def audits(action: str) -> list[AuditEntry]:
    """The audit rows of an action, oldest first."""
    query = db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def state() -> tuple:
    """Everything a refused save must leave as it was."""
    db.session.expire_all()
    scores = db.session.execute(
        db.select(JudgeScore.id, JudgeScore.score, JudgeScore.version).order_by(JudgeScore.id)
    ).all()
    agreed = db.session.execute(
        db.select(AgreedMark.id, AgreedMark.mark, AgreedMark.version).order_by(AgreedMark.id)
    ).all()
    versions = db.session.scalars(db.select(Contest.marks_version)).all()
    return scores, agreed, versions, count(AuditEntry)


def refused(call, message: str, field: str | None = None) -> DomainError:
    """Expect a refusal with exactly this message that changed nothing."""
    before = state()
    with pytest.raises(DomainError) as caught:
        call()
    assert str(caught.value) == message
    if field is not None:
        assert caught.value.field == field
    db.session.rollback()
    assert state() == before
    return caught.value


def score(scene: Scene, judge: int, entry: int, code: str, value, version=None, reason=""):
    """Save a judge's score through the service, and commit."""
    row = save_judge_score(
        actor(judge), scene.contest_id, entry, scene.aspects[code], value, version, reason
    )
    db.session.commit()
    return row


def agree(scene: Scene, entry: int, value, version=None, judge=None, reason=""):
    """Save A1.1's agreed mark through the service (by j1), and commit."""
    row = save_agreed_mark(
        actor(judge or scene.j1),
        scene.contest_id,
        entry,
        scene.aspects["A1.1"],
        value,
        version,
        reason,
    )
    db.session.commit()
    return row


def marks_version(scene: Scene) -> int:
    """The contest's marks version as committed."""
    db.session.expire_all()
    return get_contest(scene.contest_id).marks_version


# Panels ----------------------------------------------------------------------------------


def test_organisers_and_the_chief_judge_seat_judges_and_it_is_audited(app, people, scene):
    with app.app_context():
        b11 = scene.aspects["B1.1"]
        seats = {(s.aspect_id, s.user_id) for s in db.session.scalars(db.select(PanelJudge))}
        assert (scene.aspects["A1.2"], scene.coal) in seats and len(seats) == 6
        unassign_judge(actor(scene.chief), scene.contest_id, b11, scene.j2)
        assign_judge(actor(scene.chief), scene.contest_id, b11, scene.j2)
        db.session.commit()
        assert (b11, scene.j2) in {
            (s.aspect_id, s.user_id) for s in db.session.scalars(db.select(PanelJudge))
        }
        last = audits("contest.panel_assign")[-1]
        assert last.actor_id == scene.chief
        assert last.after == {"aspect_id": b11, "aspect": "B1.1", "user_id": scene.j2}
        gone = audits("contest.panel_unassign")[-1]
        assert gone.before == last.after and gone.after is None


def test_panel_changes_are_refused_when_they_break_a_rule(app, people, scene):
    outsider = people.make(Role.JUDGE, real_name="外来裁判").id
    with app.app_context():
        b11, a11 = scene.aspects["B1.1"], scene.aspects["A1.1"]
        for user_id in (scene.j1, scene.workers[0], scene.officer):
            refused(
                lambda user_id=user_id: assign_judge(actor(user_id), scene.contest_id, b11, 1),
                "Only organisers or the chief judge may change the panels.",
            )
        boss = actor(scene.organiser)
        only_judges = "Only a judge appointed to this contest can sit on its panels."
        for user_id in (outsider, scene.officer, scene.workers[0], 2**40, "1"):
            refused(
                lambda user_id=user_id: assign_judge(boss, scene.contest_id, b11, user_id),
                only_judges,
                "user_id",
            )
        refused(
            lambda: assign_judge(boss, scene.contest_id, b11, scene.j1),
            "This judge is already on the panel of this aspect.",
            "user_id",
        )
        for aspect_id in (999_999, 2**40, None):
            refused(
                lambda aspect_id=aspect_id: assign_judge(
                    boss, scene.contest_id, aspect_id, scene.j1
                ),
                "There is no such aspect in this contest.",
                "aspect_id",
            )
        refused(
            lambda: unassign_judge(boss, scene.contest_id, a11, scene.j1),
            "A measurement aspect needs at least one judge: put another one on first.",
        )
        refused(
            lambda: unassign_judge(boss, scene.contest_id, a11, scene.j2),
            "This judge is not on the panel of this aspect.",
        )


def test_recusal_when_seating_a_judge_whose_enterprise_has_an_entrant(app, scene):
    """Steel and coal have drawn entries now: neither judge may join any panel."""
    message = (
        "This judge's enterprise has an entrant in the contest, and a panel marks every"
        " entrant: choose another judge."
    )
    with app.app_context():
        for judge in (scene.steel, scene.coal):
            refused(
                lambda judge=judge: assign_judge(
                    actor(scene.organiser), scene.contest_id, scene.aspects["B1.1"], judge
                ),
                message,
                "user_id",
            )


def test_a_judge_who_has_marked_stays_on_the_panel(app, scene):
    with app.app_context():
        score(scene, scene.j2, scene.entries[0], "B1.1", 2)
        refused(
            lambda: unassign_judge(
                actor(scene.organiser), scene.contest_id, scene.aspects["B1.1"], scene.j2
            ),
            "This judge has marked this aspect already, so they stay on its panel.",
        )


def test_panels_are_fixed_once_marks_are_locked(app, scene):
    with app.app_context():
        db.session.get(Contest, scene.contest_id).stage = Stage.LOCKED
        db.session.commit()
        refused(
            lambda: assign_judge(
                actor(scene.organiser), scene.contest_id, scene.aspects["B1.1"], scene.chief
            ),
            "Staff cannot change once marks are locked.",
        )


# Saving marks ------------------------------------------------------------------------------


def test_a_first_mark_then_a_change_bump_versions_and_leave_audit_rows(app, scene):
    with app.app_context():
        entry = scene.entries[0]
        first = score(scene, scene.j1, entry, "B1.1", 2)
        assert (first.score, first.version, first.judge_id) == (Decimal(2), 1, scene.j1)
        assert marks_version(scene) == 1
        changed = score(scene, scene.j1, entry, "B1.1", Decimal("3.0"), 1)
        assert (changed.id, changed.score, changed.version) == (first.id, Decimal(3), 2)
        assert marks_version(scene) == 2
        mark = agree(scene, entry, 27.5)
        assert (mark.mark, mark.version, mark.entered_by_id) == (Decimal("27.5"), 1, scene.j1)
        assert agree(scene, entry, "28.25", 1).mark == Decimal("28.25")
        assert marks_version(scene) == 4
        saved, changes = audits("contest.mark_save"), audits("contest.mark_change")
        assert [row.object_type for row in saved] == ["JudgeScore", "AgreedMark"]
        assert saved[0].after == {
            "entry_id": entry,
            "aspect_id": scene.aspects["B1.1"],
            "score": "2",
            "version": 1,
        }
        assert saved[0].before is None and saved[0].actor_id == scene.j1
        assert changes[0].before == {"score": "2", "version": 1}
        assert changes[0].after["score"] == "3" and changes[0].after["version"] == 2
        assert changes[1].before == {"mark": "27.5", "version": 1}
        assert changes[1].after["mark"] == "28.25"


def test_saving_the_mark_already_there_changes_nothing(app, scene):
    with app.app_context():
        entry = scene.entries[0]
        score(scene, scene.j1, entry, "B1.1", 2)
        before = state()
        again = score(scene, scene.j1, entry, "B1.1", 2)  # a double click of the first save
        assert again.version == 1
        assert score(scene, scene.j1, entry, "B1.1", 2, 1).version == 1
        assert state() == before


def test_two_tabs_read_version_one_and_the_second_save_is_refused(app, scene):
    """Two sessions read the same mark at version 1; the first save wins, the second is
    refused with the mark now saved, and nothing is overwritten."""
    with app.app_context():
        agree(scene, scene.entries[1], 20)
        read = {
            cell.entry_id: cell
            for cell in marking_sheet(actor(scene.j1), scene.contest_id).marks
            if cell.aspect_code == "A1.1"
        }
        version = read[scene.entries[1]].version
        assert version == 1
    with app.app_context():
        agree(scene, scene.entries[1], 25, version)
    with app.app_context():
        with pytest.raises(StaleMark) as caught:
            save_agreed_mark(
                actor(scene.j1),
                scene.contest_id,
                scene.entries[1],
                scene.aspects["A1.1"],
                22,
                version,
            )
        db.session.rollback()
        assert (caught.value.current, caught.value.version) == (Decimal(25), 2)
        assert str(caught.value) == (
            "This mark was changed meanwhile (by another judge or in another window):"
            " it is now 25. Check it and save again."
        )
        assert caught.value.field == "version"
        row = db.session.scalar(db.select(AgreedMark))
        assert (row.mark, row.version) == (Decimal(25), 2)
        assert marks_version(scene) == 2


def test_a_first_mark_saved_twice_with_no_version_is_settled_by_the_unique_constraint(app, scene):
    with app.app_context():
        score(scene, scene.j2, scene.entries[0], "A1.2", 1)
        error = refused(
            lambda: save_judge_score(
                actor(scene.j2), scene.contest_id, scene.entries[0], scene.aspects["A1.2"], 3, None
            ),
            "This mark was changed meanwhile (by another judge or in another window):"
            " it is now 1. Check it and save again.",
        )
        assert (error.current, error.version) == (Decimal(1), 1)
        refused(
            lambda: save_judge_score(
                actor(scene.j2), scene.contest_id, scene.entries[1], scene.aspects["A1.2"], 3, 1
            ),
            "This mark has not been saved yet: reload the marking sheet.",
        )


def _together(app, work, count: int) -> list:
    """Run work(i) in threads released at once, each with its own session; results or errors."""
    db.session.commit()
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                begin_writing()  # as a POST request begins, before the user is loaded
                results[index] = work(index)
                db.session.commit()
            except Exception as error:  # a refusal, or a failure the test reports
                db.session.rollback()
                results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_first_marks_racing_leave_one_row_and_refuse_the_others(app, scene):
    """Eight judges' tabs enter the first agreed mark at once, each a different value."""
    values = [Decimal(value) for value in ("10", "11", "12.5", "13", "14", "15", "16", "17")]

    def save(index: int):
        row = save_agreed_mark(
            actor(scene.j1),
            scene.contest_id,
            scene.entries[2],
            scene.aspects["A1.1"],
            values[index],
            None,
        )
        return row.mark

    with app.app_context():
        results = _together(app, save, len(values))
        won = [result for result in results if isinstance(result, Decimal)]
        lost = [result for result in results if isinstance(result, StaleMark)]
        assert len(won) + len(lost) == len(values), results
        assert len(won) == 1 and len(lost) == len(values) - 1
        assert all(error.current == won[0] and error.version == 1 for error in lost)
        db.session.expire_all()
        rows = db.session.scalars(db.select(AgreedMark)).all()
        assert [(row.mark, row.version) for row in rows] == [(won[0], 1)]
        assert marks_version(scene) == 1
        assert len(audits("contest.mark_save")) == 1


def test_changes_racing_from_the_same_version_let_one_win(app, scene):
    with app.app_context():
        score(scene, scene.j1, scene.entries[0], "B1.1", 0)

        def change(index: int):
            return save_judge_score(
                actor(scene.j1),
                scene.contest_id,
                scene.entries[0],
                scene.aspects["B1.1"],
                index + 1,
                1,
            ).score

        results = _together(app, change, 3)
        won = [result for result in results if isinstance(result, Decimal)]
        assert len(won) == 1
        assert all(isinstance(r, StaleMark) for r in results if r is not won[0])
        db.session.expire_all()
        row = db.session.scalar(db.select(JudgeScore))
        assert (row.score, row.version) == (won[0], 2)
        assert marks_version(scene) == 2


SCORE_WORDS = "A judge's score is a whole number from 0 to 3."


@pytest.mark.parametrize(
    "value", [4, -1, 1.5, Decimal("2.5"), "abc", "", True, None, float("nan"), float("inf"), [2]]
)
def test_a_judges_score_out_of_range_is_refused(app, scene, value):
    with app.app_context():
        refused(
            lambda: save_judge_score(
                actor(scene.j1),
                scene.contest_id,
                scene.entries[0],
                scene.aspects["B1.1"],
                value,
                None,
            ),
            SCORE_WORDS,
            "score",
        )


def test_whole_scores_come_as_numbers_or_text(app, scene):
    with app.app_context():
        for entry, value in zip(scene.entries, (0, 3.0, " 2 "), strict=True):
            assert score(scene, scene.j1, entry, "B1.1", value).score == Decimal(
                value.strip() if isinstance(value, str) else value
            )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("30.01"), "The mark is a number from 0 to 30."),
        (31, "The mark is a number from 0 to 30."),
        (-0.5, "The mark is a number from 0 to 30."),
        ("三十", "The mark is a number from 0 to 30."),
        (None, "The mark is a number from 0 to 30."),
        (False, "The mark is a number from 0 to 30."),
        (12.345, "A mark has at most two decimals."),
        ("0.001", "A mark has at most two decimals."),
    ],
)
def test_an_agreed_mark_out_of_range_is_refused(app, scene, value, message):
    with app.app_context():
        refused(
            lambda: save_agreed_mark(
                actor(scene.j1),
                scene.contest_id,
                scene.entries[0],
                scene.aspects["A1.1"],
                value,
                None,
            ),
            message,
            "mark",
        )


def test_boundary_marks_are_accepted(app, scene):
    with app.app_context():
        assert agree(scene, scene.entries[0], 30).mark == Decimal(30)
        assert agree(scene, scene.entries[1], "0").mark == Decimal(0)
        assert agree(scene, scene.entries[2], 0.01).mark == Decimal("0.01")


@pytest.mark.parametrize("version", [0, -1, "1", True, 1.0, 2**40])
def test_a_version_that_is_no_version_is_refused(app, scene, version):
    with app.app_context():
        refused(
            lambda: save_judge_score(
                actor(scene.j1),
                scene.contest_id,
                scene.entries[0],
                scene.aspects["B1.1"],
                1,
                version,
            ),
            "The version of this mark is not valid: reload the marking sheet.",
            "version",
        )


def test_only_the_aspects_panel_marks_it(app, scene):
    with app.app_context():
        for user_id in (scene.organiser, scene.officer, scene.workers[0], None):
            refused(
                lambda user_id=user_id: save_judge_score(
                    actor(user_id),
                    scene.contest_id,
                    scene.entries[0],
                    scene.aspects["B1.1"],
                    1,
                    None,
                ),
                "Only a judge of this contest may enter its marks.",
            )
        refused(
            lambda: save_agreed_mark(
                actor(scene.j2), scene.contest_id, scene.entries[0], scene.aspects["A1.1"], 1, None
            ),
            "You are not on the panel of this aspect.",
            "aspect_id",
        )
        refused(
            lambda: save_judge_score(
                actor(scene.chief),
                scene.contest_id,
                scene.entries[0],
                scene.aspects["B1.1"],
                1,
                None,
            ),
            "You are not on the panel of this aspect.",
            "aspect_id",
        )


def test_the_kind_of_mark_must_fit_the_aspect(app, scene):
    with app.app_context():
        refused(
            lambda: save_judge_score(
                actor(scene.j1), scene.contest_id, scene.entries[0], scene.aspects["A1.1"], 1, None
            ),
            "This aspect takes one agreed mark, not judges' scores.",
            "aspect_id",
        )
        refused(
            lambda: save_agreed_mark(
                actor(scene.j1), scene.contest_id, scene.entries[0], scene.aspects["B1.1"], 1, None
            ),
            "This aspect is scored by each judge, not with one agreed mark.",
            "aspect_id",
        )


def test_marks_are_for_drawn_approved_entries_of_the_contest(app, people, scene, trade_id):
    with app.app_context():
        other = create_contest(actor(scene.organiser), ContestFields("另一个竞赛", trade_id))
        db.session.commit()
        b11 = scene.aspects["B1.1"]
        refused(
            lambda: save_judge_score(
                actor(scene.j1), scene.contest_id, scene.pending, b11, 1, None
            ),
            "Marks are entered only for approved entries that have drawn lots.",
            "entry_id",
        )
        for entry_id in (999_999, 2**40, "1", None):
            refused(
                lambda entry_id=entry_id: save_judge_score(
                    actor(scene.j1), scene.contest_id, entry_id, b11, 1, None
                ),
                "There is no such entry in this contest.",
                "entry_id",
            )
        refused(
            lambda: save_judge_score(actor(scene.j1), other.id, scene.entries[0], b11, 1, None),
            "Only a judge of this contest may enter its marks.",
        )
        refused(
            lambda: save_judge_score(actor(scene.j1), 999_999, scene.entries[0], b11, 1, None),
            "There is no such contest.",
        )


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        (Stage.REGISTRATION, "Marks are entered once the practical has begun."),
        (Stage.DRAWN, "Marks are entered once the practical has begun."),
        (Stage.THEORY, "Marks are entered once the practical has begun."),
        (Stage.LOCKED, "Marks are locked: they change only when an appeal reopens an aspect."),
        (Stage.REVEALED, "Marks are locked: they change only when an appeal reopens an aspect."),
        (Stage.FINAL, "Marks are locked: they change only when an appeal reopens an aspect."),
    ],
)
def test_marks_are_entered_in_the_practical_only(app, scene, stage, message):
    with app.app_context():
        db.session.get(Contest, scene.contest_id).stage = stage
        db.session.commit()
        refused(
            lambda: save_judge_score(
                actor(scene.j1), scene.contest_id, scene.entries[0], scene.aspects["B1.1"], 1, None
            ),
            message,
            "stage",
        )


def test_recusal_when_saving_a_mark_for_an_entrant_of_the_judges_enterprise(app, scene):
    """The coal judge was seated before the coal entry was approved: the save refuses it."""
    with app.app_context():
        coal_entry = scene.entries[2]
        assert db.session.get(Entry, coal_entry).enterprise_id is not None
        refused(
            lambda: save_judge_score(
                actor(scene.coal), scene.contest_id, coal_entry, scene.aspects["A1.2"], 2, None
            ),
            "You cannot mark an entrant of your own enterprise.",
            "entry_id",
        )
        assert score(scene, scene.coal, scene.entries[0], "A1.2", 2).judge_id == scene.coal


# The marking sheet -------------------------------------------------------------------------


def test_a_judges_sheet_has_codes_and_their_own_marks_but_no_names(app, scene):
    with app.app_context():
        score(scene, scene.j1, scene.entries[0], "B1.1", 3)
        score(scene, scene.j2, scene.entries[0], "B1.1", 1)
        agree(scene, scene.entries[1], 18.5)
        sheet = marking_sheet(actor(scene.j1), scene.contest_id)
        codes = {e.id: e.code for e in db.session.scalars(db.select(Entry)) if e.code}
        assert sheet.progress is None and sheet.marks_version == 3
        assert [(c.aspect_code, c.code) for c in sheet.marks] == [
            (aspect, code) for aspect in ("A1.1", "A1.2", "B1.1") for code in sorted(codes.values())
        ]
        cells = {(c.aspect_code, c.entry_id): c for c in sheet.marks}
        own = cells[("B1.1", scene.entries[0])]
        assert (own.value, own.version, own.open, own.reason_needed) == (Decimal(3), 1, True, False)
        assert cells[("A1.1", scene.entries[1])].value == Decimal("18.5")
        assert cells[("A1.2", scene.entries[0])].version is None
        assert all(cell.code == codes[cell.entry_id] for cell in sheet.marks)
        text = json.dumps([vars(cell) for cell in sheet.marks], default=str, ensure_ascii=False)
        assert not any(name in text for name in NAMES)


def test_a_recused_judges_sheet_leaves_their_enterprises_entry_out(app, scene):
    with app.app_context():
        sheet = marking_sheet(actor(scene.coal), scene.contest_id)
        assert {cell.aspect_code for cell in sheet.marks} == {"A1.2"}
        assert {cell.entry_id for cell in sheet.marks} == set(scene.entries[:2])


def test_only_judges_see_the_sheet(app, scene):
    with app.app_context():
        for user_id in (scene.organiser, scene.officer, scene.workers[0], None):
            refused(
                lambda user_id=user_id: marking_sheet(actor(user_id), scene.contest_id),
                "Only the judges of this contest see its marking sheet.",
            )
