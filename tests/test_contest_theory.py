"""A contest's theory paper: set and opened by organisers, sat by approved drawn entrants
inside its window through the training engine, graded on submission or at closing, out of
100, and never counted in a campaign. Runs on SQLite and on PostgreSQL."""

from dataclasses import dataclass
from datetime import UTC, timedelta, timezone

import pytest
from sqlalchemy import select

from competitions.campaigns.services.campaigns import running_campaign
from competitions.contests.models import Contest, Entry, EntryMember, StaffRole, Stage
from competitions.contests.services.contests import (
    ContestFields,
    create_contest,
    open_registration,
    update_contest,
)
from competitions.contests.services.draw import draw_lots
from competitions.contests.services.registration import decide, enter, enter_team
from competitions.contests.services.staff import appoint_staff
from competitions.contests.services.theory import (
    TheoryResult,
    close_theory,
    entry_theory,
    open_theory,
    set_theory,
    start_theory,
    theory_papers,
    theory_score,
    theory_seconds,
)
from competitions.questions.types import QuestionType
from competitions.training.models import Answer, Attempt, AttemptItem, ExamBlueprint, Mode
from competitions.training.services.answering import save_response, submit_exam
from competitions.training.services.attempts import start_attempt
from competitions.training.services.blueprints import Part, save_blueprint, trade_blueprints
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow
from guild.trades.models import Trade
from tests.test_training import (
    T0,
    add_question,
    at,
    count_rows,
    figures,
    items_of,
    new_campaign,
    new_trade,
    right,
    version_of,
    wrong,
)
from tests.test_training_concurrency import run_together

OPENS, CLOSES = T0, T0 + timedelta(hours=2)  # the paper's window; T0 is at(seconds=0)
WINDOW = 2 * 60 * 60  # seconds
MINUTES = 30  # the blueprint's time limit
POINTS = {"single": 3.0, "true_false": 2.0, "multiple": 4.0}  # 2 single, 1 each of the rest
FULL_MARKS = 2 * 3.0 + 2.0 + 4.0
NOT_OPEN = "The theory paper is not open now."
NOT_ENTRANT = "Only approved entrants of this contest sit its theory paper."


@dataclass
class Scene:
    """A contest with lots drawn and its paper set (not yet open)."""

    contest_id: int
    organiser: int
    blueprint_id: int
    trade_id: int
    entrants: list[int]  # members of approved entries, entry by entry
    entries: dict[int, int]  # user id → entry id, approved entries only
    refused: list[int]  # a rejected, a pending (individual contests) and an outside worker


@pytest.fixture
def app(make_app):
    """The app speaking English, so refusals are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def actor(user_id: int) -> Actor:
    """The actor of a user made for the test."""
    return Actor(db.session.get(User, user_id), "127.0.0.1")


def registration(contest: Contest, opens, closes) -> ContestFields:
    """The contest's fields with another registration window."""
    return ContestFields(
        contest.name,
        contest.trade_id,
        team_size=contest.team_size,
        registration_opens_at=opens,
        registration_closes_at=closes,
    )


def _blueprint(trade_id: int) -> int:
    parts = [
        Part(QuestionType.SINGLE, 0, 2, POINTS["single"]),
        Part(QuestionType.TRUE_FALSE, 0, 1, POINTS["true_false"]),
        Part(QuestionType.MULTIPLE, 0, 1, POINTS["multiple"]),
    ]
    trade = db.session.get(Trade, trade_id)
    return save_blueprint(Actor(None), None, trade, "竞赛理论卷", MINUTES, parts).id


def _enter(boss: Actor, contest: Contest, workers: list[int], enterprise: int) -> list[int]:
    """Enter the workers (in pairs for a team contest); the last entry is rejected and, in an
    individual contest, the one before it is left pending."""
    if contest.is_team:
        pairs = [workers[i : i + 2] for i in range(0, len(workers), 2)]
        made = [
            enter_team(boss, contest.id, enterprise, f"第{n}队", pair).id
            for n, pair in enumerate(pairs, start=1)
        ]
        approved = made[:-1]
    else:
        made = [enter(actor(user_id), contest.id, user_id).id for user_id in workers]
        approved = made[:-2]
    for entry_id in approved:
        decide(boss, entry_id, True, "")
    decide(boss, made[-1], False, "名额已满")
    return approved


def build(app, people, trade_id: int, team_size: int = 1, theory: bool = True) -> Scene:
    """A contest of the trade through the real services, up to its drawn lots."""
    organiser = people.make(Role.ORGANISER, real_name="陈组织")
    officer = people.make(real_name="钱加密")
    enterprise = people.enterprise()
    workers = [people.make(real_name="张小三", enterprise_id=enterprise).id for _ in range(6)]
    outsider = people.make(real_name="路人甲", enterprise_id=enterprise).id
    with app.app_context():
        boss, now = actor(organiser.id), utcnow()
        contest = create_contest(
            boss, ContestFields("全省电工技能竞赛", trade_id, team_size=team_size)
        )
        update_contest(
            boss, contest.id, registration(contest, now - timedelta(days=1), now + timedelta(1))
        )
        open_registration(boss, contest.id)
        appoint_staff(boss, contest.id, officer.id, StaffRole.ENCRYPTION_OFFICER)
        approved = _enter(boss, contest, workers, enterprise)
        closed = registration(contest, now - timedelta(days=1), now - timedelta(seconds=1))
        update_contest(boss, contest.id, closed)
        draw_lots(boss, contest.id, 10)
        blueprint_id = _blueprint(trade_id)
        if theory:
            set_theory(boss, contest.id, blueprint_id, OPENS, CLOSES)
        db.session.commit()
        members = db.session.scalars(
            select(EntryMember)
            .where(EntryMember.entry_id.in_(approved))
            .order_by(EntryMember.entry_id, EntryMember.position)
        ).all()
        refused = [workers[-1], outsider] if team_size > 1 else [workers[-2], workers[-1], outsider]
        return Scene(
            contest.id,
            organiser.id,
            blueprint_id,
            trade_id,
            [member.user_id for member in members],
            {member.user_id: member.entry_id for member in members},
            refused,
        )


@pytest.fixture
def scene(app, people, trade_id) -> Scene:
    return build(app, people, trade_id)


@pytest.fixture
def teams(app, people, trade_id) -> Scene:
    return build(app, people, trade_id, team_size=2)


def opened(scene: Scene) -> None:
    """Open the scene's theory stage as its organiser, and commit."""
    open_theory(actor(scene.organiser), scene.contest_id)
    db.session.commit()


def start(scene: Scene, user_id: int, seconds: float = 60) -> Attempt:
    """Start the user's paper `seconds` after the window opens, and commit."""
    attempt = start_theory(user_id, scene.contest_id, at(seconds=seconds))
    db.session.commit()
    return attempt


def refused(call, message: str | None = None) -> DomainError:
    """The call is refused (with the message, when given); nothing it did is kept."""
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    if message is not None:
        assert str(caught.value) == message
    return caught.value


def by_kind(attempt_id: int) -> dict[str, list[AttemptItem]]:
    """The paper's questions by type, in paper order."""
    found: dict[str, list[AttemptItem]] = {}
    for item in items_of(attempt_id):
        found.setdefault(version_of(item).type.value, []).append(item)
    return found


def answer(user_id: int, attempt_id: int, item: AttemptItem, response, seconds: float) -> None:
    """Save an exam response through the training engine, and commit."""
    save_response(
        user_id, attempt_id, item.position, item.question_id, response, at(seconds=seconds)
    )
    db.session.commit()


def sit(user_id: int, attempt: Attempt, plan: dict[str, str], seconds: float) -> float:
    """Save responses by kind ("1" right, "0" wrong, "-" none, one mark per question of the
    kind); returns the points they earn by hand."""
    earned = 0.0
    for kind, marks in plan.items():
        for item, mark in zip(by_kind(attempt.id)[kind], marks, strict=True):
            if mark != "-":
                answer(user_id, attempt.id, item, (right if mark == "1" else wrong)(item), seconds)
                earned += POINTS[kind] if mark == "1" else 0.0
    return earned


# ---- setting the paper ---------------------------------------------------------------------


def test_set_theory_checks_blueprint_window_and_rights(app, people, trade_id):
    scene = build(app, people, trade_id, theory=False)
    with app.app_context():
        boss, cid, blueprint = actor(scene.organiser), scene.contest_id, scene.blueprint_id
        message = "Choose an active exam blueprint of the contest's trade."
        refused(lambda: set_theory(boss, cid, 999_999, OPENS, CLOSES), message)
        refused(lambda: set_theory(boss, cid, None, OPENS, CLOSES), message)
        refused(lambda: set_theory(boss, cid, "1", OPENS, CLOSES), message)
        order = "The theory paper must close after it opens."
        refused(lambda: set_theory(boss, cid, blueprint, CLOSES, OPENS), order)
        refused(lambda: set_theory(boss, cid, blueprint, OPENS, OPENS), order)
        both = "Set when the theory paper opens and when it closes."
        refused(lambda: set_theory(boss, cid, blueprint, "tomorrow", CLOSES), both)
        refused(lambda: set_theory(boss, cid, blueprint, OPENS, None), both)
        worker = actor(scene.entrants[0])
        refused(
            lambda: set_theory(worker, cid, blueprint, OPENS, CLOSES),
            "Only an organiser may do this.",
        )
        assert db.session.get(Contest, cid).theory_blueprint_id is None
        # Times with a zone are stored as naive UTC.
        beijing = timezone(timedelta(hours=8))
        set_theory(boss, cid, blueprint, OPENS.replace(tzinfo=UTC).astimezone(beijing), CLOSES)
        db.session.commit()
        contest = db.session.get(Contest, cid)
        assert (contest.theory_blueprint_id, contest.theory_opens_at) == (blueprint, OPENS)
        assert contest.theory_closes_at == CLOSES
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "contest.theory_set")
        ).all()
        assert len(rows) == 1 and rows[0].actor_id == scene.organiser
        assert rows[0].before["theory_blueprint_id"] is None
        assert rows[0].after == {
            "theory_blueprint_id": blueprint,
            "theory_opens_at": OPENS.isoformat(sep=" "),
            "theory_closes_at": CLOSES.isoformat(sep=" "),
        }


def test_the_blueprint_is_the_trades_and_active(ctx, scene):
    boss, cid = actor(scene.organiser), scene.contest_id
    message = "Choose an active exam blueprint of the contest's trade."
    other = new_trade("焊工", "机械制造")
    add_question(other, QuestionType.SINGLE)
    parts = [Part(QuestionType.SINGLE, 0, 1, 5.0)]
    foreign = save_blueprint(Actor(None), None, other, "焊工卷", 30, parts)
    db.session.commit()
    refused(lambda: set_theory(boss, cid, foreign.id, OPENS, CLOSES), message)
    db.session.get(ExamBlueprint, scene.blueprint_id).is_active = False
    db.session.commit()
    refused(lambda: set_theory(boss, cid, scene.blueprint_id, OPENS, CLOSES), message)
    refused(lambda: open_theory(boss, cid), message)  # deactivated after it was set
    assert db.session.get(Contest, cid).stage is Stage.DRAWN


def test_a_contest_paper_is_not_a_mock_exam_to_practise(ctx, scene):
    """Set as a contest's paper, the blueprint leaves the mock exams and practice refuses it."""
    trade = db.session.get(Trade, scene.trade_id)
    assert trade_blueprints([trade.id])[trade.id] == []
    worker = db.session.get(User, scene.entrants[0])
    blueprint = db.session.get(ExamBlueprint, scene.blueprint_id)
    refused(
        lambda: start_attempt(worker, trade, Mode.EXAM, at(seconds=60), blueprint=blueprint),
        "This paper belongs to a skills contest: sit it from the contest's page.",
    )
    opened(scene)
    assert start(scene, scene.entrants[0]).blueprint_id == scene.blueprint_id  # the contest's


# ---- stages --------------------------------------------------------------------------------


def test_opening_needs_the_paper_and_drawn_lots(app, people, trade_id):
    bare = build(app, people, trade_id, theory=False)
    with app.app_context():
        refused(
            lambda: open_theory(actor(bare.organiser), bare.contest_id),
            "Set the theory paper first.",
        )
        contest = db.session.get(Contest, bare.contest_id)
        contest.stage = Stage.REGISTRATION  # as if lots were not drawn yet
        db.session.commit()
        boss = actor(bare.organiser)
        set_theory(boss, bare.contest_id, bare.blueprint_id, OPENS, CLOSES)  # may be set early
        db.session.commit()
        refused(lambda: open_theory(boss, bare.contest_id))
        assert db.session.get(Contest, bare.contest_id).theory_opens_at == OPENS


def test_stage_guards(app, people, trade_id):
    scene = build(app, people, trade_id)
    with app.app_context():
        boss, cid, late = actor(scene.organiser), scene.contest_id, at(seconds=WINDOW + 60)
        worker = actor(scene.entrants[0])
        organiser_only = "Only an organiser may do this."
        refused(lambda: open_theory(worker, cid), organiser_only)
        refused(lambda: close_theory(boss, cid, late))  # not at the theory stage yet
        opened(scene)
        assert db.session.get(Contest, cid).stage is Stage.THEORY
        changes = db.session.scalars(
            select(AuditEntry.after)
            .where(AuditEntry.action == "contest.stage")
            .order_by(AuditEntry.id)
        ).all()
        assert changes[-1] == {"stage": "theory"}
        refused(lambda: open_theory(boss, cid))  # twice
        fixed = "The theory paper cannot change once the theory stage has begun."
        refused(lambda: set_theory(boss, cid, scene.blueprint_id, OPENS, CLOSES), fixed)
        refused(lambda: close_theory(worker, cid, late), organiser_only)
        close_theory(boss, cid, late)
        db.session.commit()
        assert db.session.get(Contest, cid).stage is Stage.PRACTICAL
        refused(lambda: close_theory(boss, cid, late))
        refused(lambda: open_theory(boss, cid))
        refused(lambda: set_theory(boss, cid, scene.blueprint_id, OPENS, CLOSES), fixed)
        refused(lambda: start_theory(scene.entrants[0], cid, at(seconds=60)), NOT_OPEN)


# ---- sitting the paper ---------------------------------------------------------------------


def test_the_window_bounds_starting(ctx, scene):
    worker, cid = scene.entrants[0], scene.contest_id
    refused(lambda: start_theory(worker, cid, at(seconds=60)), NOT_OPEN)  # not opened yet
    opened(scene)
    refused(lambda: start_theory(worker, cid, at(seconds=-1)), NOT_OPEN)
    refused(lambda: start_theory(worker, cid, at(seconds=WINDOW)), NOT_OPEN)
    refused(lambda: start_theory(worker, cid, at(seconds=WINDOW + 3600)), NOT_OPEN)
    assert count_rows(Attempt) == 0
    attempt = start(scene, worker, seconds=0)  # the moment it opens
    assert attempt.started_at == OPENS
    last = start(scene, scene.entrants[1], seconds=WINDOW - 1)  # the last second
    assert last.deadline_at == CLOSES
    # Once the window has closed, even a paper already started is not handed out again.
    refused(lambda: start_theory(worker, cid, at(seconds=WINDOW)), NOT_OPEN)


def test_only_approved_drawn_entrants_sit(ctx, scene):
    opened(scene)
    for user_id in [*scene.refused, scene.organiser]:
        refused(lambda user_id=user_id: start(scene, user_id), NOT_ENTRANT)
    refused(lambda: start_theory(scene.entrants[0], 999_999, at(seconds=60)))
    assert count_rows(Attempt) == 0


def test_one_paper_per_entrant(ctx, scene):
    opened(scene)
    worker = scene.entrants[0]
    first = start(scene, worker, seconds=60)
    again = start(scene, worker, seconds=120)
    assert again.id == first.id and again.started_at == at(seconds=60).now
    assert db.session.get(Entry, scene.entries[worker]).theory_attempt_id == first.id
    submit_exam(worker, first.id, at(seconds=300))
    db.session.commit()
    after = start(scene, worker, seconds=400)  # submitted: the same paper, not a new one
    assert after.id == first.id and after.is_finished
    other = start(scene, scene.entrants[1])
    assert other.id != first.id
    assert db.session.get(Entry, scene.entries[scene.entrants[1]]).theory_attempt_id == other.id
    assert count_rows(Attempt) == 2


def test_two_starts_at_once_make_one_paper(ctx, scene):
    opened(scene)
    worker, cid = scene.entrants[0], scene.contest_id

    def begin(index: int) -> int:
        attempt = start_theory(worker, cid, at(seconds=60 + index))
        db.session.commit()
        return attempt.id

    ids = run_together(ctx, begin, count=2)
    assert len(set(ids)) == 1
    assert count_rows(Attempt) == 1
    assert db.session.get(Entry, scene.entries[worker]).theory_attempt_id == ids[0]
    assert count_rows(AttemptItem, AttemptItem.attempt_id == ids[0]) == 4


def test_team_starts_at_once_make_one_paper_a_member(ctx, teams):
    opened(teams)
    first, second = teams.entrants[:2]  # the members of one team
    users = [first, second, first, second]

    def begin(index: int) -> int:
        attempt = start_theory(users[index], teams.contest_id, at(seconds=60 + index))
        db.session.commit()
        return attempt.id

    ids = run_together(ctx, begin, count=len(users))
    assert ids[0] == ids[2] and ids[1] == ids[3] and ids[0] != ids[1]
    assert count_rows(Attempt) == 2
    papers = theory_papers(db.session.get(Contest, teams.contest_id))
    assert sorted(paper.id for paper in papers[teams.entries[first]]) == sorted(ids[:2])
    assert db.session.get(Entry, teams.entries[first]).theory_attempt_id is None


def test_the_deadline_is_the_time_limit_capped_by_the_window(ctx, scene):
    opened(scene)
    early, late = scene.entrants[:2]
    paper = start(scene, early, seconds=60)
    assert paper.deadline_at == at(seconds=60 + MINUTES * 60).now
    capped = start(scene, late, seconds=WINDOW - 600)  # ten minutes before the close
    assert capped.deadline_at == CLOSES
    item = items_of(capped.id)[0]
    answer(late, capped.id, item, right(item), WINDOW)  # exactly at the close: in time
    refused(
        lambda: answer(late, capped.id, item, right(item), WINDOW + 1),
        "Time is up: answers after the deadline are not accepted.",
    )


def test_submit_exam_grades_the_paper_out_of_100(ctx, scene):
    opened(scene)
    half, full, none = scene.entrants[:3]
    papers = {user_id: start(scene, user_id, seconds=60) for user_id in (half, full, none)}
    earned = sit(half, papers[half], {"single": "10", "true_false": "1", "multiple": "-"}, 120)
    assert earned == 3.0 + 2.0
    sit(full, papers[full], {"single": "11", "true_false": "1", "multiple": "1"}, 120)
    sit(none, papers[none], {"single": "00", "true_false": "0", "multiple": "0"}, 120)
    assert count_rows(Answer) == 0  # nothing graded before submission
    for user_id, paper in papers.items():
        submit_exam(user_id, paper.id, at(seconds=600))
    db.session.commit()
    graded = {user_id: db.session.get(Attempt, paper.id) for user_id, paper in papers.items()}
    assert graded[half].score == 5.0 and graded[half].max_score == FULL_MARKS
    assert theory_score(graded[half]) == pytest.approx(5.0 / 12.0 * 100, abs=1e-6)
    assert theory_score(graded[full]) == 100.0
    assert theory_score(graded[none]) == 0.0
    assert theory_seconds(graded[half]) == 600 - 60
    results = entry_theory(scene.contest_id)
    assert results[scene.entries[half]].score == pytest.approx(41.666667, abs=1e-6)
    assert results[scene.entries[half]].seconds == 540
    assert results[scene.entries[scene.entrants[3]]] == TheoryResult(0.0, None)  # never sat
    assert set(results) == set(scene.entries.values())  # approved entries only


def test_close_theory_grades_open_papers_at_their_deadline(ctx, scene):
    opened(scene)
    done, open_, timed_out, absent = scene.entrants
    boss, cid = actor(scene.organiser), scene.contest_id
    submitted = start(scene, done, seconds=60)
    sit(done, submitted, {"single": "11", "true_false": "-", "multiple": "-"}, 90)
    submit_exam(done, submitted.id, at(seconds=600))
    db.session.commit()
    late = start(scene, open_, seconds=WINDOW - 600)  # due at the close
    earned = sit(open_, late, {"single": "01", "true_false": "1", "multiple": "0"}, WINDOW - 300)
    early = start(scene, timed_out, seconds=60)  # due long before the close, never submitted
    item = by_kind(early.id)["multiple"][0]
    answer(timed_out, early.id, item, right(item), 120)
    # Not before the window and the auto-submit grace are over.
    not_yet = "The theory paper's window has not closed yet."
    refused(lambda: close_theory(boss, cid, at(seconds=WINDOW - 1)), not_yet)
    refused(lambda: close_theory(boss, cid, at(seconds=WINDOW + 5)), not_yet)
    close_theory(boss, cid, at(seconds=WINDOW + 6))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Contest, cid).stage is Stage.PRACTICAL
    late, early = db.session.get(Attempt, late.id), db.session.get(Attempt, early.id)
    assert (late.submitted_at, late.score, late.answered_count) == (CLOSES, earned, 4)
    assert earned == 3.0 + 2.0
    assert theory_seconds(late) == 600
    deadline = at(seconds=60 + MINUTES * 60).now
    assert (early.submitted_at, early.score) == (deadline, 4.0)
    stamps = db.session.scalars(select(Answer.answered_at).where(Answer.attempt_id == late.id))
    assert set(stamps) == {CLOSES}
    kept = db.session.get(Attempt, submitted.id)
    assert (kept.submitted_at, kept.score) == (at(seconds=600).now, 6.0)
    row = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "contest.theory_close"))
    assert row.after == {"graded": 2}
    results = entry_theory(cid)
    assert results[scene.entries[open_]].score == pytest.approx(500 / 12, abs=1e-6)
    assert results[scene.entries[timed_out]] == TheoryResult(pytest.approx(400 / 12), 1800)
    assert results[scene.entries[done]].score == 50.0
    assert results[scene.entries[absent]] == TheoryResult(0.0, None)
    refused(lambda: answer(open_, late.id, items_of(late.id)[0], [], WINDOW + 7))


def test_no_campaign_figure_moves_while_a_campaign_runs(ctx, scene):
    trade = db.session.get(Trade, scene.trade_id)
    campaign = new_campaign([trade])
    assert running_campaign(trade.id, at().day).id == campaign.id
    opened(scene)
    first, second = scene.entrants[:2]
    one, two = start(scene, first), start(scene, second)
    assert one.campaign_id is None and two.campaign_id is None
    sit(first, one, {"single": "10", "true_false": "1", "multiple": "0"}, 120)
    sit(second, two, {"single": "11", "true_false": "0", "multiple": "1"}, 120)
    submit_exam(first, one.id, at(seconds=600))
    db.session.commit()
    close_theory(actor(scene.organiser), scene.contest_id, at(seconds=WINDOW + 60))
    db.session.commit()
    assert count_rows(Answer) == 8
    empty = {"standings": [], "counts": [], "minutes": [], "tallies": [], "days": []}
    assert figures(campaign.id) == empty
    # An ordinary mock exam of the trade still counts in the campaign.
    parts = [Part(QuestionType.SINGLE, 0, 2, 5.0)]
    blueprint = save_blueprint(Actor(None), None, trade, "模拟卷", MINUTES, parts)
    mock = start_attempt(
        db.session.get(User, first), trade, Mode.EXAM, at(seconds=900), blueprint=blueprint
    )
    db.session.commit()
    assert mock.campaign_id == campaign.id
    assert mock.deadline_at == at(seconds=900 + MINUTES * 60).now
    assert figures(campaign.id)["days"] == [(first, at().day)]


# ---- teams ---------------------------------------------------------------------------------


def test_team_members_each_sit_and_the_team_scores_their_mean(ctx, teams):
    opened(teams)
    (a, b), (c, d) = teams.entrants[:2], teams.entrants[2:4]
    for user_id in teams.refused:
        refused(lambda user_id=user_id: start(teams, user_id), NOT_ENTRANT)
    papers = {user_id: start(teams, user_id, seconds=60) for user_id in (a, b, c)}
    assert start(teams, a, seconds=99).id == papers[a].id  # one paper a member
    sit(a, papers[a], {"single": "11", "true_false": "1", "multiple": "1"}, 120)
    sit(b, papers[b], {"single": "10", "true_false": "0", "multiple": "-"}, 120)
    submit_exam(a, papers[a].id, at(seconds=660))
    submit_exam(b, papers[b].id, at(seconds=1260))
    db.session.commit()
    close_theory(actor(teams.organiser), teams.contest_id, at(seconds=WINDOW + 60))
    db.session.commit()
    entry_ab, entry_cd = teams.entries[a], teams.entries[c]
    assert teams.entries[b] == entry_ab and teams.entries[d] == entry_cd
    assert {db.session.get(Entry, entry).theory_attempt_id for entry in (entry_ab, entry_cd)} == {
        None
    }
    results = entry_theory(teams.contest_id)
    # By hand: a has 12 of 12 (100), b 3 of 12 (25): mean 62.5; times 600 and 1200 s.
    assert results[entry_ab] == TheoryResult(62.5, 900)
    # c sat nothing (graded at the deadline, 30 minutes) and d never started: 0.
    assert results[entry_cd] == TheoryResult(0.0, MINUTES * 60)
    assert set(results) == {entry_ab, entry_cd}


# ---- the score -----------------------------------------------------------------------------


def test_theory_score_and_seconds_by_hand():
    started = T0
    paper = Attempt(score=5.0, max_score=12.0, started_at=started, last_activity_at=started)
    assert theory_seconds(paper) is None  # not submitted
    assert theory_score(paper) == round(500 / 12, 6)
    paper.submitted_at = started + timedelta(seconds=754)
    assert theory_seconds(paper) == 754
    assert theory_score(Attempt(score=0.0, max_score=0.0)) == 0.0
    # Points summed in floats never lift a full paper past 100.
    assert theory_score(Attempt(score=0.1 + 0.2, max_score=0.3)) == 100.0
    assert theory_score(Attempt(score=12.0, max_score=12.0)) == 100.0
