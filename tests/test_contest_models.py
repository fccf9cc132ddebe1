"""The contest tables' own guarantees: what the database refuses whatever a service does.

The services of skills contests come in later steps; these rules hold beneath them.
Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL).
"""

from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from competitions.contests.marking_models import Aspect, Criterion, JudgeScore, SubCriterion
from competitions.contests.models import Contest, Entry, EntryMember, Stage
from competitions.contests.scheme import AspectKind
from guild.accounts.roles import Role
from guild.extensions import db


def _contest(trade_id: int, name: str = "全省电工职业技能竞赛") -> Contest:
    contest = Contest(name=name, trade_id=trade_id)
    db.session.add(contest)
    db.session.flush()
    return contest


def _entry(contest: Contest, user_id: int, **fields) -> Entry:
    entry = Entry(contest_id=contest.id, registered_by_id=user_id, **fields)
    db.session.add(entry)
    db.session.flush()
    db.session.add(EntryMember(entry_id=entry.id, user_id=user_id, contest_id=contest.id))
    db.session.flush()
    return entry


def test_a_new_contest_has_the_usual_rules(app, trade_id):
    with app.app_context():
        first, second = _contest(trade_id), _contest(trade_id, "第二届")
        db.session.commit()
        assert first.stage is Stage.DRAFT and not first.is_team
        assert first.theory_weight == 0.3 and first.spread_limit == 1.0
        assert first.prize_quotas == [0.10, 0.20, 0.30]
        assert first.tie_break == ["practical", "theory", "time"]
        first.prize_quotas.append(0.4)  # each contest has its own list, not a shared default
        assert second.prize_quotas == [0.10, 0.20, 0.30]


def test_a_worker_enters_a_contest_once(app, people, trade_id):
    worker = people.make()
    with app.app_context():
        contest, other = _contest(trade_id), _contest(trade_id, "第二届")
        _entry(contest, worker.id)
        _entry(other, worker.id)  # another contest is fine
        with pytest.raises(IntegrityError):
            _entry(contest, worker.id)


def test_entry_codes_and_stations_are_unique_within_a_contest(app, people, trade_id):
    first, second = people.make(), people.make(real_name="李四")
    with app.app_context():
        contest, other = _contest(trade_id), _contest(trade_id, "第二届")
        _entry(contest, first.id, code="KXR-472", station="01")
        _entry(other, second.id, code="KXR-472", station="01")
        db.session.commit()
        with pytest.raises(IntegrityError):
            _entry(contest, second.id, code="KXR-472", station="02")
        db.session.rollback()
        with pytest.raises(IntegrityError):
            _entry(contest, second.id, code="BCD-234", station="01")


def test_a_judge_scores_an_entry_on_an_aspect_once(app, people, trade_id):
    worker, judge = people.make(), people.make(Role.JUDGE, real_name="王裁判")
    with app.app_context():
        contest = _contest(trade_id)
        entry = _entry(contest, worker.id)
        criterion = Criterion(contest_id=contest.id, code="A", name="安全文明生产")
        db.session.add(criterion)
        db.session.flush()
        sub = SubCriterion(contest_id=contest.id, criterion_id=criterion.id, code="A1", name="着装")
        db.session.add(sub)
        db.session.flush()
        aspect = Aspect(
            contest_id=contest.id,
            criterion_id=criterion.id,
            sub_criterion_id=sub.id,
            code="A1.1",
            description="工装整洁",
            kind=AspectKind.JUDGEMENT,
            max_mark=Decimal("3.50"),
            descriptors=["差", "一般", "良好", "优秀"],
        )
        db.session.add(aspect)
        db.session.flush()
        score = {"contest_id": contest.id, "entry_id": entry.id, "aspect_id": aspect.id}
        db.session.add(JudgeScore(**score, judge_id=judge.id, score=Decimal(2)))
        db.session.commit()
        assert db.session.get(Aspect, aspect.id).max_mark == Decimal("3.50")
        db.session.add(JudgeScore(**score, judge_id=judge.id, score=Decimal(3)))
        with pytest.raises(IntegrityError):
            db.session.flush()
