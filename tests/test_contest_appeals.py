"""Publishing results, appeals in the publicity window, rulings that reopen an aspect, and
finalising, through the real services on a contest built by them. SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from competitions.contests.marking_models import Appeal, AppealStatus, Criterion, JudgeScore
from competitions.contests.models import Contest, Stage
from competitions.contests.services.appeals import (
    appeals_of,
    file_appeal,
    finalise,
    own_appeals,
    publish_results,
    rule_appeal,
)
from competitions.contests.services.locking import lock_criterion
from competitions.contests.services.marking import save_judge_score
from guild.accounts.models import User
from guild.audit.models import AuditEntry
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow
from tests.contest_scene import build_contest


@pytest.fixture
def app(make_app):
    """The app speaking English, so refusals are matched as the code words them."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


def actor(person) -> Actor:
    return Actor(db.session.get(User, person.id), "127.0.0.1")


def audits(action: str) -> list[AuditEntry]:
    query = db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def state(contest_id: int) -> tuple:
    """What a refused call must leave as it was."""
    db.session.expire_all()
    contest = db.session.get(Contest, contest_id)
    appeals = db.session.execute(
        db.select(Appeal.id, Appeal.status, Appeal.ruling).order_by(Appeal.id)
    ).all()
    locks = db.session.scalars(db.select(Criterion.locked_at).order_by(Criterion.id)).all()
    return contest.stage, contest.published_at, contest.finalised_at, appeals, locks


def refused(contest_id: int, call, message: str) -> None:
    """The call is refused with exactly the message and changes nothing."""
    before = state(contest_id)
    with pytest.raises(DomainError) as caught:
        call()
    assert str(caught.value) == message
    db.session.rollback()
    assert state(contest_id) == before


@pytest.fixture
def revealed(app, people, trade_id):
    return build_contest(app, people, trade_id, until=Stage.REVEALED)


@pytest.fixture
def published(app, people, trade_id):
    return build_contest(app, people, trade_id, until=Stage.PUBLICITY)


def test_publishing_opens_the_window_of_the_appeal_days(app, revealed):
    with app.app_context():
        worker, contest_id = revealed.workers[0], revealed.contest_id
        refused(
            contest_id,
            lambda: publish_results(actor(revealed.chief), contest_id),
            "Only an organiser may do this.",
        )
        refused(
            contest_id,
            lambda: file_appeal(actor(worker), contest_id, "复核"),
            "Appeals can only be filed while the results are in publicity.",
        )
        before = utcnow()
        contest = publish_results(actor(revealed.organiser), contest_id)
        db.session.commit()
        assert contest.stage is Stage.PUBLICITY and contest.published_at >= before
        assert contest.appeals_close_at == contest.published_at + timedelta(days=5)
        assert audits("contest.publish")[-1].actor_id == revealed.organiser.id
        refused(
            contest_id,
            lambda: publish_results(actor(revealed.organiser), contest_id),
            "Results are published once the codes are revealed.",
        )


def test_an_entrant_appeals_once_at_a_time_inside_the_window(app, published):
    with app.app_context():
        contest_id, worker = published.contest_id, published.workers[0]
        for reason, message in (
            ("", "Say what the appeal is about."),
            ("   ", "Say what the appeal is about."),
            (None, "Say what the appeal is about."),
            ("长" * 2001, "An appeal has at most 2000 characters."),
        ):
            refused(
                contest_id,
                lambda reason=reason: file_appeal(actor(worker), contest_id, reason),
                message,
            )
        for outsider in (published.judges[0], published.contact, published.organiser):
            refused(
                contest_id,
                lambda outsider=outsider: file_appeal(actor(outsider), contest_id, "复核"),
                "Only an entrant of this contest may appeal its results.",
            )
        appeal = file_appeal(actor(worker), contest_id, " 工艺美观评分偏低，请求复核 ")
        db.session.commit()
        assert appeal.reason == "工艺美观评分偏低，请求复核"
        assert appeal.entry_id == published.entries[worker.id]
        assert audits("contest.appeal")[-1].object_id == str(appeal.id)
        refused(
            contest_id,
            lambda: file_appeal(actor(worker), contest_id, "再次申诉"),
            "Your entry already has an appeal waiting for its ruling.",
        )
        assert [a.id for a in own_appeals(contest_id, worker.id)] == [appeal.id]
        assert own_appeals(contest_id, published.workers[1].id) == []


def test_no_appeal_after_the_window(app, published):
    with app.app_context():
        contest = db.session.get(Contest, published.contest_id)
        late = contest.appeals_close_at + timedelta(seconds=1)
        refused(
            contest.id,
            lambda: file_appeal(actor(published.workers[1]), contest.id, "迟到的申诉", now=late),
            "Appeals can only be filed while the results are in publicity.",
        )


def test_an_upheld_ruling_reopens_an_aspect_until_it_is_re_marked_and_locked(app, published):
    with app.app_context():
        contest_id, worker = published.contest_id, published.workers[0]
        boss = actor(published.organiser)
        appeal = file_appeal(actor(worker), contest_id, "工艺美观评分偏低")
        db.session.commit()
        aspect = published.aspects["A1.2"]
        refused(contest_id, lambda: rule_appeal(boss, appeal.id, True, " "), "Write the ruling.")
        refused(
            contest_id,
            lambda: rule_appeal(boss, appeal.id, False, "驳回", reopen_aspect_id=aspect),
            "Only an upheld appeal reopens an aspect.",
        )
        refused(
            contest_id,
            lambda: rule_appeal(actor(published.chief), appeal.id, True, "复核"),
            "Only an organiser may do this.",
        )
        refused(
            contest_id, lambda: rule_appeal(boss, 10**6, True, "复核"), "There is no such appeal."
        )
        rule_appeal(boss, appeal.id, True, "同意复核工艺美观", reopen_aspect_id=aspect)
        db.session.commit()
        ruled = db.session.get(Appeal, appeal.id)
        assert (ruled.status, ruled.reopened_aspect_id) == (AppealStatus.UPHELD, aspect)
        assert db.session.get(Criterion, published.criteria["A"]).locked_at is None
        reopened = audits("contest.aspect_reopen")[-1]
        assert reopened.after["reason"] == f"#{appeal.id}: 同意复核工艺美观"
        assert audits("contest.ruling")[-1].after["status"] == "upheld"
        refused(
            contest_id,
            lambda: rule_appeal(boss, appeal.id, False, "再裁"),
            "This appeal has already been ruled on.",
        )
        # The window is over: still not final while the criterion is open.
        after = db.session.get(Contest, contest_id).appeals_close_at + timedelta(minutes=1)
        refused(
            contest_id,
            lambda: finalise(boss, contest_id, now=after),
            "A reopened criterion must be locked again before results are final.",
        )
        entry = published.entries[worker.id]
        judge = published.judges[0]
        row = db.session.scalar(
            db.select(JudgeScore).where(
                JudgeScore.entry_id == entry, JudgeScore.aspect_id == aspect,
                JudgeScore.judge_id == judge.id,
            )
        )  # fmt: skip
        save_judge_score(actor(judge), contest_id, entry, aspect, 3, row.version, "申诉复核")
        lock_criterion(actor(published.chief), contest_id, published.criteria["A"])
        db.session.commit()
        finalise(boss, contest_id, now=after)
        db.session.commit()
        contest = db.session.get(Contest, contest_id)
        assert contest.stage is Stage.FINAL and contest.finalised_at == after
        assert audits("contest.finalise")[-1].actor_id == published.organiser.id


def test_finalising_waits_for_the_window_and_every_ruling(app, published):
    with app.app_context():
        contest_id, boss = published.contest_id, actor(published.organiser)
        appeal = file_appeal(actor(published.workers[2]), contest_id, "理论成绩有误")
        db.session.commit()
        refused(
            contest_id,
            lambda: finalise(boss, contest_id),
            "Results are made final once the appeal window has closed.",
        )
        after = db.session.get(Contest, contest_id).appeals_close_at
        refused(
            contest_id,
            lambda: finalise(boss, contest_id, now=after),
            "Rule on every appeal before making the results final.",
        )
        rule_appeal(boss, appeal.id, False, "经核查成绩无误，驳回")
        db.session.commit()
        assert [a.status for a in appeals_of(contest_id)] == [AppealStatus.DISMISSED]
        refused(
            contest_id,
            lambda: finalise(actor(published.chief), contest_id, now=after),
            "Only an organiser may do this.",
        )
        finalise(boss, contest_id, now=after)
        db.session.commit()
        assert db.session.get(Contest, contest_id).stage is Stage.FINAL
        refused(
            contest_id,
            lambda: rule_appeal(boss, appeal.id, True, "x"),
            "This appeal has already been ruled on.",
        )


def test_a_contest_built_to_final(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.FINAL)
    with app.app_context():
        contest = db.session.get(Contest, scene.contest_id)
        assert contest.stage is Stage.FINAL and contest.finalised_at is not None
