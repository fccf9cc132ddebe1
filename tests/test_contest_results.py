"""A contest's standings from its raw marks, built through the real services: figures checked
by hand, groups ranked apart, the cache keyed by the marks' version, and a worker's own
result only once published. Runs on SQLite and on PostgreSQL."""

from dataclasses import dataclass, replace
from datetime import timedelta

import pandas as pd
import pytest

from competitions.contests.marking_models import AgreedMark, Aspect
from competitions.contests.models import Entry, EntryStatus, StaffRole, Stage
from competitions.contests.scheme import Aspect as SchemeAspect
from competitions.contests.scheme import AspectKind, Criterion, Scheme, SubCriterion
from competitions.contests.services import results
from competitions.contests.services.contests import (
    ContestFields,
    advance,
    create_contest,
    get_contest,
    open_registration,
    update_contest,
)
from competitions.contests.services.draw import draw_lots
from competitions.contests.services.marking import save_agreed_mark, save_judge_score
from competitions.contests.services.panels import assign_judge
from competitions.contests.services.registration import decide, enter, enter_team
from competitions.contests.services.scheme_store import save_scheme
from competitions.contests.services.staff import appoint_staff
from competitions.training.models import Attempt, Mode
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow

DESCRIPTORS = ("未完成", "基本完成", "较好", "优秀")
SCHEME = Scheme(
    (
        Criterion(
            "A",
            "电气安装",
            (
                SubCriterion(
                    "A1",
                    "线路敷设",
                    (
                        SchemeAspect("A1.1", "接线电阻", AspectKind.MEASUREMENT, "40"),
                        SchemeAspect("A1.2", "工艺美观", AspectKind.JUDGEMENT, "60", DESCRIPTORS),
                    ),
                ),
            ),
        ),
    )
)
# Per worker: group (0 甲组, 1 乙组), theory paper (points of 50, seconds; None: not sat),
# the agreed mark of A1.1 (of 40), and the three judges' scores of A1.2 (None: not marked).
PLAN = {
    "甲一": (0, (45, 1800), "38", (3, 3, 3)),
    "甲二": (0, (40, 2400), "30", (2, 2, 2)),
    "甲三": (0, (33, 2000), "36", (2, 2, 2)),
    "乙一": (1, None, "40", (3, 3, 3)),
    "乙二": (1, (50, 3000), "20", (3, 1, 2)),
    "乙三": (1, (25, 3600), "10", None),
}
FIELDS = ContestFields(
    "全省电工职业技能竞赛",
    0,  # the trade, set by the fixture
    groups=("甲组", "乙组"),
    theory_weight=0.3,
    prize_quotas=(0.34, 0.34, 0.32),  # 3 entrants in a group: one first, one second, no third
    prize_minimum=72.0,
    title_name="技术能手",
    title_count=1,
    tie_break=("theory", "practical", "time"),
)


@dataclass
class Scene:
    """A contest at its practical stage with every planned mark saved."""

    contest_id: int
    organiser: int
    judges: list[int]
    workers: dict[str, int]  # user ids by name
    entries: dict[str, int]  # entry ids by name
    aspects: dict[str, int]  # aspect ids by code


@pytest.fixture
def app(make_app):
    """The app speaking English, so refusals are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


def actor(user_id: int) -> Actor:
    """The actor of a user made for the test."""
    return Actor(db.session.get(User, user_id), "127.0.0.1")


def sit_theory_paper_directly(entry_id: int, user_id: int, trade_id: int, paper) -> None:
    """Test helper, not a service: a submitted theory paper of 50 points, linked to the entry.

    Sitting a real paper (blueprint, window, answers) is the theory service's test; here
    only its outcome matters: the points earned of 50 and the seconds taken.
    """
    points, seconds = paper
    started = utcnow() - timedelta(hours=2)
    attempt = Attempt(
        user_id=user_id,
        trade_id=trade_id,
        mode=Mode.EXAM,
        day=started.date(),
        started_at=started,
        deadline_at=started + timedelta(hours=2),
        submitted_at=started + timedelta(seconds=seconds),
        score=float(points),
        max_score=50.0,
    )
    db.session.add(attempt)
    db.session.flush()
    db.session.get(Entry, entry_id).theory_attempt_id = attempt.id


def _enter_everyone(contest_id: int, workers: dict[str, int], organiser: int) -> dict:
    """Each planned worker enters their group through the service and is approved."""
    groups = [group.id for group in get_contest(contest_id).groups]
    entries = {}
    for name, (group, *_rest) in PLAN.items():
        entry = enter(actor(workers[name]), contest_id, workers[name], groups[group])
        decide(actor(organiser), entry.id, approve=True)
        entries[name] = entry.id
    db.session.commit()
    return entries


def _mark_everything(scene: Scene) -> None:
    """Every planned mark, saved by the judges through the marking service."""
    for name, (_group, _paper, agreed, scores) in PLAN.items():
        entry_id = scene.entries[name]
        save_agreed_mark(
            actor(scene.judges[0]), scene.contest_id, entry_id, scene.aspects["A1.1"], agreed, None
        )
        for judge, score in zip(scene.judges, scores or (), strict=False):
            save_judge_score(
                actor(judge), scene.contest_id, entry_id, scene.aspects["A1.2"], score, None
            )
    db.session.commit()


@pytest.fixture
def scene(app, people, trade_id) -> Scene:
    organiser = people.make(Role.ORGANISER, real_name="陈组织")
    judges = [people.make(Role.JUDGE, real_name=f"裁判{n}").id for n in range(1, 4)]
    workers = {
        name: people.make(real_name=name, enterprise_id=people.enterprise(f"{name}电力公司")).id
        for name in PLAN
    }
    with app.app_context():
        now = utcnow()
        fields = replace(
            FIELDS, trade_id=trade_id, registration_opens_at=now - timedelta(hours=1),
            registration_closes_at=now + timedelta(hours=1),
        )  # fmt: skip
        contest_id = create_contest(actor(organiser.id), fields).id
        save_scheme(actor(organiser.id), contest_id, SCHEME)
        open_registration(actor(organiser.id), contest_id)
        for judge in judges:
            appoint_staff(actor(organiser.id), contest_id, judge, StaffRole.JUDGE)
        db.session.commit()
        entries = _enter_everyone(contest_id, workers, organiser.id)
        closed = replace(
            fields,
            registration_opens_at=now - timedelta(hours=2),
            registration_closes_at=now - timedelta(minutes=1),
        )
        update_contest(actor(organiser.id), contest_id, closed)
        rows = db.session.scalars(db.select(Aspect).where(Aspect.contest_id == contest_id))
        aspects = {row.code: row.id for row in rows}
        for judge in judges:
            assign_judge(actor(organiser.id), contest_id, aspects["A1.2"], judge)
        assign_judge(actor(organiser.id), contest_id, aspects["A1.1"], judges[0])
        draw_lots(actor(organiser.id), contest_id, len(PLAN))
        for name, (_group, paper, _agreed, _scores) in PLAN.items():
            if paper is not None:
                sit_theory_paper_directly(entries[name], workers[name], trade_id, paper)
        contest = get_contest(contest_id, lock=True)
        advance(contest, Stage.DRAWN, Stage.THEORY)
        advance(contest, Stage.THEORY, Stage.PRACTICAL)
        db.session.commit()
        built = Scene(contest_id, organiser.id, judges, workers, entries, aspects)
        _mark_everything(built)
        results.clear_cache()
        return built


def by_name(scene: Scene, table) -> dict:
    """The standings' rows as dicts, by worker name."""
    names = {entry_id: name for name, entry_id in scene.entries.items()}
    return {names[entry_id]: row for entry_id, row in table.to_dict("index").items()}


def test_figures_checked_by_hand(app, scene):
    with app.app_context():
        table = results.standings(scene.contest_id).table
    rows = by_name(scene, table)
    # total = 0.3 × theory + 0.7 × practical; theory = points of 50 × 2.
    expected = {  # theory, practical, total, rank, prize, title, missing, flagged
        "甲一": (90.0, 98.0, 95.6, 1, 1, True, 0, 0),
        "甲二": (80.0, 70.0, 73.0, 2, 2, False, 0, 0),  # ties 甲三: theory decides first
        "甲三": (66.0, 76.0, 73.0, 3, 0, False, 0, 0),  # beyond the second prize's place
        "乙一": (0.0, 100.0, 70.0, 2, 0, False, 0, 0),  # no paper; under the minimum of 72
        "乙二": (100.0, 60.0, 72.0, 1, 1, True, 0, 1),  # judges 3, 1, 2: spread 2 flagged
        "乙三": (50.0, 10.0, 22.0, 3, 0, False, 1, 0),  # A1.2 not marked: counts 0
    }
    for name, (theory, practical, total, rank, prize, title, missing, flagged) in expected.items():
        row = rows[name]
        assert row["theory"] == pytest.approx(theory), name
        assert row["practical"] == pytest.approx(practical), name
        assert row["total"] == pytest.approx(total), name
        assert (row["rank"], row["prize"], row["title"]) == (rank, prize, title), name
        assert (row["missing"], row["flagged"]) == (missing, flagged), name
    assert rows["甲一"]["time"] == 1800 and pd.isna(rows["乙一"]["time"])
    assert rows["乙二"]["scaled"] == pytest.approx(700 + 30 * 2 / (1.4826 * 2))
    assert rows["甲二"]["scaled"] == 700  # half the group on the median: no spread to scale


def test_groups_are_ranked_apart_in_group_order(app, scene):
    with app.app_context():
        current = results.standings(scene.contest_id)
        groups = [group.id for group in get_contest(scene.contest_id).groups]
    table = current.table
    assert list(table["group_id"]) == [groups[0]] * 3 + [groups[1]] * 3
    assert list(table["rank"]) == [1, 2, 3, 1, 2, 3]
    assert (current.missing_marks, current.flagged_spreads) == (1, 1)
    assert len(current.marks) == 11 and list(current.aspects["code"]) == ["A1.1", "A1.2"]


def test_cache_hit_on_an_unchanged_version_and_recompute_after_a_mark_change(app, scene):
    with app.app_context():
        first = results.standings(scene.contest_id)
        # 6 agreed marks and 5 × 3 scores, each save bumping the counter once
        assert first.marks_version == get_contest(scene.contest_id).marks_version == 21
        db.session.commit()  # a new request
        assert results.standings(scene.contest_id) is first
        assert results.cache_info() == {"hits": 1, "misses": 1}
        mark = db.session.scalar(
            db.select(AgreedMark).where(AgreedMark.entry_id == scene.entries["甲三"])
        )
        judge, aspect = actor(scene.judges[0]), scene.aspects["A1.1"]
        save_agreed_mark(judge, scene.contest_id, mark.entry_id, aspect, "40", mark.version)
        db.session.commit()
        again = results.standings(scene.contest_id)
    assert again is not first and again.marks_version == first.marks_version + 1
    assert results.cache_info() == {"hits": 1, "misses": 2}
    rows = by_name(scene, again.table)
    assert rows["甲三"]["practical"] == pytest.approx(80.0)
    assert rows["甲三"]["total"] == pytest.approx(75.8)  # now ahead of 甲二 on the total
    assert (rows["甲三"]["rank"], rows["甲三"]["prize"]) == (2, 2)
    assert (rows["甲二"]["rank"], rows["甲二"]["prize"]) == (3, 0)
    assert by_name(scene, first.table)["甲三"]["rank"] == 3  # what was returned stays as it was


def test_a_rule_change_recomputes_too(app, scene):
    with app.app_context():
        first = results.standings(scene.contest_id)
        fields = replace(FIELDS, trade_id=get_contest(scene.contest_id).trade_id, title_count=2)
        contest = get_contest(scene.contest_id)
        fields = replace(
            fields,
            registration_opens_at=contest.registration_opens_at,
            registration_closes_at=contest.registration_closes_at,
        )
        update_contest(actor(scene.organiser), scene.contest_id, fields)
        db.session.commit()
        again = results.standings(scene.contest_id)
    assert again.marks_version == first.marks_version and again is not first
    assert int(again.table["title"].sum()) == 3  # 甲一, 甲二; 乙二 (乙一 is under 72)


def test_nothing_is_cached_before_the_theory_closes(app, scene):
    with app.app_context():
        entry = db.session.get(Entry, scene.entries["乙一"])
        assert entry.status is EntryStatus.APPROVED
        contest = get_contest(scene.contest_id, lock=True)
        contest.stage = Stage.THEORY  # papers may still be graded: no counter says so
        db.session.commit()
        results.standings(scene.contest_id)
        results.standings(scene.contest_id)
    assert results.cache_info() == {"hits": 0, "misses": 0}


def test_judge_deviations(app, scene):
    with app.app_context():
        deviations = results.judge_deviations(scene.contest_id)
    first, second, third = scene.judges
    # Only 乙二's panel disagrees (3, 1, 2 around a mean of 2): ±1 over five marks each.
    assert deviations.loc[first, "deviation"] == pytest.approx(0.2)
    assert deviations.loc[second, "deviation"] == pytest.approx(-0.2)
    assert deviations.loc[third, "deviation"] == pytest.approx(0.0)
    assert list(deviations["marks"]) == [5, 5, 5] and list(deviations["flagged"]) == [1, 1, 1]
    assert deviations.loc[first, "name"] == "裁判1"


def test_entrant_result_only_once_published(app, scene):
    with app.app_context():
        with pytest.raises(DomainError, match="Results are not published yet"):
            results.entrant_result(scene.contest_id, scene.workers["甲一"])
        contest = get_contest(scene.contest_id, lock=True)
        # Locking and the reveal have services and tests of their own; here only the stage.
        for before, after in ((Stage.PRACTICAL, Stage.LOCKED), (Stage.LOCKED, Stage.REVEALED)):
            advance(contest, before, after)
        with pytest.raises(DomainError, match="Results are not published yet"):
            results.entrant_result(scene.contest_id, scene.workers["甲一"])
        advance(contest, Stage.REVEALED, Stage.PUBLICITY)
        db.session.commit()
        own = results.entrant_result(scene.contest_id, scene.workers["甲一"])
        last = results.entrant_result(scene.contest_id, scene.workers["乙三"])
        with pytest.raises(DomainError, match="You have no result in this contest"):
            results.entrant_result(scene.contest_id, scene.judges[0])
    assert (own.rank, own.entrants, own.prize, own.title) == (1, 3, 1, True)
    assert (own.theory, own.practical, own.total) == pytest.approx((90.0, 98.0, 95.6))
    assert [(mark.code, mark.mark) for mark in own.marks] == [("A1.1", 38.0), ("A1.2", 60.0)]
    assert [(mark.code, mark.mark) for mark in last.marks] == [("A1.1", 10.0), ("A1.2", None)]
    assert last.entry_id == scene.entries["乙三"] and last.code is not None


def test_a_contest_with_nothing_yet_has_empty_standings(app, people, trade_id):
    organiser = people.make(Role.ORGANISER)
    with app.app_context():
        contest = create_contest(actor(organiser.id), replace(FIELDS, trade_id=trade_id))
        db.session.commit()
        current = results.standings(contest.id)
        with pytest.raises(DomainError, match="There is no such contest"):
            results.standings(contest.id + 1)
    assert current.table.empty and current.marks.empty and current.marks_version == 0
    assert list(current.table.columns) == list(results.TABLE_COLUMNS)


def test_a_team_takes_its_theory_from_the_theory_service(app, people, trade_id):
    organiser = people.make(Role.ORGANISER)
    enterprise = people.enterprise("宁波钢铁有限公司", "宁波市")
    members = [
        people.make(real_name=name, enterprise_id=enterprise).id for name in ("钱队长", "孙队员")
    ]
    with app.app_context():
        now = utcnow()
        fields = replace(
            FIELDS, trade_id=trade_id, team_size=2, groups=(),
            registration_opens_at=now - timedelta(hours=1),
            registration_closes_at=now + timedelta(hours=1),
        )  # fmt: skip
        contest_id = create_contest(actor(organiser.id), fields).id
        save_scheme(actor(organiser.id), contest_id, SCHEME)
        open_registration(actor(organiser.id), contest_id)
        entry = enter_team(actor(organiser.id), contest_id, enterprise, "钢铁一队", members)
        decide(actor(organiser.id), entry.id, approve=True)
        db.session.commit()
        update_contest(
            actor(organiser.id),
            contest_id,
            replace(fields, registration_closes_at=now - timedelta(minutes=1)),
        )
        draw_lots(actor(organiser.id), contest_id, 1)
        db.session.commit()
        table = results.standings(contest_id).table
    row = table.loc[entry.id]
    assert (row["theory"], row["practical"], row["total"]) == (0.0, 0.0, 0.0)  # no paper set
    assert (row["rank"], row["missing"], row["prize"]) == (1, 2, 0)
    assert pd.isna(row["group_id"]) and pd.isna(row["time"])
