"""Locking a contest's criteria: only the chief judge, only complete and within the spread
limit, the contest locked with its last criterion; reopening an aspect, changes with a reason,
and the chief judge's progress. Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from decimal import Decimal

import pytest

from competitions.contests.marking_models import Criterion
from competitions.contests.models import Contest, Stage
from competitions.contests.services.locking import (
    criterion_progress,
    lock_criterion,
    reopen_aspect,
)
from competitions.contests.services.marking import save_agreed_mark, save_judge_score
from competitions.contests.services.sheet import marking_sheet
from guild.extensions import db
from tests import test_contest_marking as marking
from tests.test_contest_marking import (
    Scene,
    actor,
    agree,
    audits,
    marks_version,
    refused,
    score,
)

app, scene = marking.app, marking.scene  # the fixtures: English, a contest in the practical


def mark_criterion_a(scene: Scene, spread: bool = False) -> None:
    """Every mark of criterion A: A1.1 agreed; A1.2 by j1, j2 and the coal judge (not for coal)."""
    for number, entry in enumerate(scene.entries):
        agree(scene, entry, 20 + number)
        score(scene, scene.j1, entry, "A1.2", 2)
        score(scene, scene.j2, entry, "A1.2", 0 if spread and number == 0 else 2)
        if entry != scene.entries[2]:  # the coal judge is recused from the coal entry
            score(scene, scene.coal, entry, "A1.2", 3 if spread and number == 0 else 2)


def mark_criterion_b(scene: Scene) -> None:
    """Every mark of criterion B: B1.1 by j1 and j2."""
    for entry in scene.entries:
        score(scene, scene.j1, entry, "B1.1", 3)
        score(scene, scene.j2, entry, "B1.1", 2)


def lock(scene: Scene, code: str, user_id: int | None = None) -> Criterion:
    """Lock a criterion as the chief judge (or another user), and commit."""
    criterion = lock_criterion(
        actor(user_id or scene.chief), scene.contest_id, scene.criteria[code]
    )
    db.session.commit()
    return criterion


def stage(scene: Scene) -> Stage:
    """The contest's stage as committed."""
    db.session.expire_all()
    return db.session.get(Contest, scene.contest_id).stage


def test_only_the_chief_judge_locks(app, scene):
    with app.app_context():
        mark_criterion_a(scene)
        for user_id in (scene.organiser, scene.j1, scene.officer, None):
            refused(
                lambda user_id=user_id: lock_criterion(
                    actor(user_id), scene.contest_id, scene.criteria["A"]
                ),
                "Only the contest's chief judge may lock a criterion.",
            )


def test_an_incomplete_criterion_is_not_locked(app, scene):
    with app.app_context():
        mark_criterion_a(scene)
        score(scene, scene.j1, scene.entries[0], "B1.1", 3)
        refused(
            lambda: lock_criterion(actor(scene.chief), scene.contest_id, scene.criteria["B"]),
            "1 of 6 marks of criterion B are in: every entrant needs every mark before it is"
            " locked.",
            "criterion_id",
        )


def test_a_flagged_spread_blocks_locking_until_re_marked(app, scene):
    with app.app_context():
        mark_criterion_a(scene, spread=True)
        refused(
            lambda: lock_criterion(actor(scene.chief), scene.contest_id, scene.criteria["A"]),
            "In criterion A, the judges' scores of 1 mark are further apart than 1: re-mark it"
            " before locking.",
            "criterion_id",
        )
        progress = {p.code: p for p in criterion_progress(scene.contest_id)}
        assert (progress["A"].marked, progress["A"].expected, progress["A"].flagged) == (11, 11, 1)
        score(scene, scene.j2, scene.entries[0], "A1.2", 2, 1)
        score(scene, scene.coal, scene.entries[0], "A1.2", 2, 1)
        assert lock(scene, "A").locked_by_id == scene.chief


def test_an_aspect_nobody_judges_blocks_locking(app, scene):
    with app.app_context():
        mark_criterion_b(scene)
        db.session.execute(
            db.text("DELETE FROM contest_panel_judges WHERE aspect_id = :a"),
            {"a": scene.aspects["B1.1"]},
        )
        db.session.commit()
        refused(
            lambda: lock_criterion(actor(scene.chief), scene.contest_id, scene.criteria["B"]),
            "Aspect B1.1 has no judge on its panel.",
        )


def test_locking_every_criterion_locks_the_contest_and_is_audited(app, scene):
    """The coal judge's missing mark for the coal entry is not expected: they are recused."""
    with app.app_context():
        mark_criterion_a(scene)
        mark_criterion_b(scene)
        version = marks_version(scene)
        a = lock(scene, "A")
        assert a.locked_at is not None and a.locked_by_id == scene.chief
        assert stage(scene) is Stage.PRACTICAL
        refused(
            lambda: lock_criterion(actor(scene.chief), scene.contest_id, scene.criteria["A"]),
            "This criterion is already locked.",
        )
        lock(scene, "B")
        assert stage(scene) is Stage.LOCKED
        rows = audits("contest.criterion_lock")
        assert [row.after["criterion"] for row in rows] == ["A", "B"]
        assert rows[0].after["marks"] == 11 and rows[0].actor_id == scene.chief
        assert audits("contest.stage")[-1].after == {"stage": "locked"}
        assert marks_version(scene) == version  # locking changes no mark


def test_a_locked_criterion_refuses_marks(app, scene):
    with app.app_context():
        mark_criterion_a(scene)
        lock(scene, "A")
        refused(
            lambda: save_agreed_mark(
                actor(scene.j1), scene.contest_id, scene.entries[0], scene.aspects["A1.1"], 5, 1
            ),
            "Criterion A is locked: its marks cannot change.",
        )
        refused(
            lambda: save_judge_score(
                actor(scene.j2), scene.contest_id, scene.entries[0], scene.aspects["A1.2"], 3, 1
            ),
            "Criterion A is locked: its marks cannot change.",
        )
        cells = marking_sheet(actor(scene.j1), scene.contest_id).marks
        assert not any(cell.open for cell in cells if cell.aspect_code.startswith("A"))
        assert all(cell.open for cell in cells if cell.aspect_code.startswith("B"))


def test_reopening_an_aspect_lets_changes_in_with_a_reason_then_locks_again(app, scene):
    with app.app_context():
        mark_criterion_a(scene)
        lock(scene, "A")
        boss = actor(scene.organiser)
        for user_id in (scene.chief, scene.j1):
            refused(
                lambda user_id=user_id: reopen_aspect(
                    actor(user_id), scene.contest_id, scene.aspects["A1.1"], "复核"
                ),
                "Only an organiser may do this.",
            )
        for reason in ("", "   ", None):
            refused(
                lambda reason=reason: reopen_aspect(
                    boss, scene.contest_id, scene.aspects["A1.1"], reason
                ),
                "Give the reason for reopening the aspect.",
                "reason",
            )
        refused(
            lambda: reopen_aspect(boss, scene.contest_id, scene.aspects["A1.1"], "长" * 201),
            "A reason has at most 200 characters.",
            "reason",
        )
        refused(
            lambda: reopen_aspect(boss, scene.contest_id, scene.aspects["B1.1"], "复核"),
            "This aspect's criterion is not locked.",
            "aspect_id",
        )
        reopen_aspect(boss, scene.contest_id, scene.aspects["A1.1"], " 复核测量记录 ")
        db.session.commit()
        row = audits("contest.aspect_reopen")[-1]
        assert row.after["reason"] == "复核测量记录" and row.after["aspect"] == "A1.1"
        _change_with_reason(scene)
        lock(scene, "A")
        assert db.session.get(Criterion, scene.criteria["A"]).locked_at is not None


def _change_with_reason(scene: Scene) -> None:
    """A change in a reopened criterion: refused without a reason, saved and audited with one."""
    entry, a11 = scene.entries[0], scene.aspects["A1.1"]
    cell = next(
        c
        for c in marking_sheet(actor(scene.j1), scene.contest_id).marks
        if (c.aspect_code, c.entry_id) == ("A1.1", entry)
    )
    assert cell.open and cell.reason_needed
    refused(
        lambda: save_agreed_mark(actor(scene.j1), scene.contest_id, entry, a11, 19, 1),
        "A mark changed after its criterion was locked needs a reason.",
        "reason",
    )
    version = marks_version(scene)
    changed = agree(scene, entry, 19, 1, reason="测量仪器校准后复测")
    assert (changed.mark, changed.version) == (Decimal(19), 2)
    assert marks_version(scene) == version + 1
    row = audits("contest.mark_change")[-1]
    assert row.before == {"mark": "20", "version": 1}
    assert row.after["reason"] == "测量仪器校准后复测" and row.after["mark"] == "19"


def test_an_appeal_reopens_an_aspect_while_results_are_in_publicity(app, scene):
    with app.app_context():
        mark_criterion_a(scene)
        mark_criterion_b(scene)
        lock(scene, "A")
        lock(scene, "B")
        boss = actor(scene.organiser)
        refused(
            lambda: reopen_aspect(boss, scene.contest_id, scene.aspects["A1.1"], "申诉"),
            "An aspect is reopened during the practical, or on appeal in publicity.",
            "stage",
        )
        db.session.get(Contest, scene.contest_id).stage = Stage.PUBLICITY
        db.session.commit()
        reopen_aspect(boss, scene.contest_id, scene.aspects["A1.1"], "申诉成立，复测")
        db.session.commit()
        _change_with_reason(scene)
        refused(
            lambda: save_judge_score(
                actor(scene.j1), scene.contest_id, scene.entries[0], scene.aspects["B1.1"], 1, 1
            ),
            "Criterion B is locked: its marks cannot change.",
        )
        lock(scene, "A")
        assert stage(scene) is Stage.PUBLICITY


def test_locks_wait_for_the_practical(app, scene):
    with app.app_context():
        mark_criterion_a(scene)
        for moved in (Stage.THEORY, Stage.REVEALED):
            db.session.get(Contest, scene.contest_id).stage = moved
            db.session.commit()
            refused(
                lambda: lock_criterion(actor(scene.chief), scene.contest_id, scene.criteria["A"]),
                "Criteria are locked during the practical, or again after an appeal.",
                "stage",
            )


def test_an_unknown_criterion_is_refused(app, scene):
    with app.app_context():
        for criterion_id in (999_999, 2**40, None, "1"):
            refused(
                lambda criterion_id=criterion_id: lock_criterion(
                    actor(scene.chief), scene.contest_id, criterion_id
                ),
                "There is no such criterion in this contest.",
                "criterion_id",
            )


def test_the_chief_judges_sheet_shows_progress_per_criterion(app, scene):
    with app.app_context():
        empty = marking_sheet(actor(scene.chief), scene.contest_id)
        assert empty.marks == []  # the chief judge sits on no panel here
        assert [(p.code, p.marked, p.expected, p.flagged) for p in empty.progress] == [
            ("A", 0, 11, 0),
            ("B", 0, 6, 0),
        ]
        mark_criterion_a(scene, spread=True)
        lock_b = marking_sheet(actor(scene.chief), scene.contest_id).progress
        a, b = lock_b
        assert (a.marked, a.expected, a.flagged, a.complete, a.locked) == (11, 11, 1, True, False)
        assert (b.name, b.unpanelled, b.complete) == ("工艺", (), False)


@pytest.mark.parametrize("spread_limit", [2.0, 3.0])
def test_a_wider_spread_limit_lets_the_same_marks_lock(app, scene, spread_limit):
    with app.app_context():
        db.session.get(Contest, scene.contest_id).spread_limit = spread_limit
        db.session.commit()
        mark_criterion_a(scene, spread=True)
        progress = {p.code: p for p in criterion_progress(scene.contest_id)}
        assert progress["A"].flagged == (1 if spread_limit < 3 else 0)
        if spread_limit == 3.0:
            assert lock(scene, "A").locked_at is not None
