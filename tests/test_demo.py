"""`demo load` fills online training: banks, a mock exam, a running campaign with standings."""

from flask import current_app
from sqlalchemy import func, select

from competitions.campaigns.models import (
    Campaign,
    CampaignDay,
    Standing,
    StandingCount,
    StandingMinuteCount,
    Tally,
)
from competitions.campaigns.services.campaigns import running_campaign
from competitions.campaigns.services.leaderboards import top_places
from competitions.campaigns.services.rebuild import rebuild_campaign
from competitions.contests.marking_models import JudgeScore
from competitions.contests.models import Contest, ContestStaff, EntryMember, StaffRole, Stage
from competitions.questions.models import Question, QuestionVersion
from competitions.questions.types import QuestionStatus, QuestionType
from competitions.training.models import ExamBlueprint, Mistake
from competitions.training.services.progress import streak
from guild.accounts.models import User
from guild.audit.labels import FIELD_LABELS, OBJECT_LABELS
from guild.audit.models import AuditEntry
from guild.audit.services import known_object_types
from guild.extensions import db
from guild.timeutil import local_day, utcnow
from guild.trades.models import Trade
from studios.challenge_models import Challenge, ChallengeClaim

# Spelled out rather than imported: competitions.demo must be loaded by create_app itself.
BLUEPRINT = "电工理论模拟（五级）"
CAMPAIGN = "2026年全省职工网上练兵（冬季赛）"
DEMO_WORKERS = 30


def test_demo_load_fills_online_training(runner, app):
    """One load (it takes seconds): accounts, banks, blueprint, campaign, standings, practice."""
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "13800000005" in result.output  # the five accounts and their passwords
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "already present" in again.output
    with app.app_context():
        accounts = select(func.count(User.id)).where(User.phone.like("138000000%"))
        assert db.session.scalar(accounts) == 5
        _check_banks_and_blueprint()
        campaign = _check_running_campaign()
        _check_rebuild(campaign)
        _check_own_practice()
        _check_contests()
        _check_challenges()
        _check_audited_objects_are_named()
        _check_audited_fields_are_named()


def _today():
    return local_day(utcnow(), current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _trade(name: str) -> Trade:
    return db.session.scalars(select(Trade).where(Trade.name == name)).one()


def _bank_types(trade: Trade) -> dict[QuestionType, int]:
    rows = db.session.execute(
        select(QuestionVersion.type, func.count())
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(
            Question.trade_id == trade.id,
            Question.status == QuestionStatus.ACTIVE,
            QuestionVersion.is_current.is_(True),
        )
        .group_by(QuestionVersion.type)
    )
    return {QuestionType(kind): count for kind, count in rows}


def _rows(model, campaign_id: int) -> list[tuple]:
    """Every row a campaign has in a table, sorted; counts of nobody left out."""
    query = select(*model.__table__.columns).where(model.campaign_id == campaign_id)
    if model in (StandingCount, StandingMinuteCount):  # rows left at 0 count nobody
        query = query.where(model.participants != 0)
    return sorted(tuple(row) for row in db.session.execute(query))


def _check_banks_and_blueprint() -> None:
    """Three trades have banks; the 电工 bank holds 40+ questions of all four types."""
    electrician = _bank_types(_trade("电工"))
    assert sum(electrician.values()) >= 40
    assert set(electrician) == set(QuestionType)
    assert sum(_bank_types(_trade("焊工")).values()) >= 15
    assert sum(_bank_types(_trade("钳工")).values()) >= 15
    mock = select(ExamBlueprint).where(ExamBlueprint.name == BLUEPRINT)
    blueprint = db.session.scalars(mock).one()
    assert (blueprint.name, blueprint.trade_id) == (BLUEPRINT, _trade("电工").id)
    assert blueprint.question_count == 30


def _check_running_campaign() -> Campaign:
    """The campaign runs today, its board has every demo worker, names masked."""
    campaign = db.session.scalars(select(Campaign)).one()
    today = _today()
    assert campaign.name == CAMPAIGN
    assert campaign.is_open_on(today)
    assert running_campaign(_trade("电工").id, today).id == campaign.id
    places = top_places(campaign.id)
    assert len(places) >= DEMO_WORKERS
    assert all("*" in place.name for place in places)
    assert places[0].points > places[-1].points
    assert len({(place.points, place.seconds) for place in places}) > len(places) // 2
    return campaign


def _check_rebuild(campaign: Campaign) -> None:
    """Recomputing the standings from the recorded answers gives the same rows."""
    models = (Standing, StandingCount, StandingMinuteCount, Tally, CampaignDay)
    before = [_rows(model, campaign.id) for model in models]
    rebuild_campaign(campaign)
    db.session.flush()
    for model, rows in zip(models, before, strict=True):
        assert _rows(model, campaign.id) == rows, model.__name__


def _check_own_practice() -> None:
    """李小明 practised 电工 the last two days: a streak, points and mistakes to review."""
    worker = db.session.scalars(select(User).where(User.phone == "13800000001")).one()
    assert streak(worker.id, _today()) == 2
    mine = select(Mistake).where(Mistake.user_id == worker.id)
    assert db.session.scalars(mine).first() is not None
    points = select(Standing.points).where(Standing.user_id == worker.id, Standing.trade_id == 0)
    assert db.session.scalar(points) > 0


CONTESTS = {  # the contest demo's names and the stages they are left at
    "2026年全省电工职业技能竞赛（决赛）": Stage.PRACTICAL,
    "2026年杭州市电工技能比武": Stage.PUBLICITY,
    "2027年全省电工职业技能竞赛（预赛）": Stage.REGISTRATION,
}


def _check_contests() -> None:
    """Three contests; the demo judge and worker take part in the ones being judged."""
    contests = {c.name: c for c in db.session.scalars(select(Contest))}
    assert {name: c.stage for name, c in contests.items()} == CONTESTS
    judge = db.session.scalar(select(User.id).where(User.phone == "13800000002"))
    worker = db.session.scalar(select(User.id).where(User.phone == "13800000001"))
    for name in list(CONTESTS)[:2]:
        contest = contests[name]
        staff = select(ContestStaff.role).where(
            ContestStaff.contest_id == contest.id, ContestStaff.user_id == judge
        )
        assert set(db.session.scalars(staff)) == {StaffRole.CHIEF_JUDGE, StaffRole.JUDGE}
        member = select(EntryMember.user_id).where(EntryMember.contest_id == contest.id)
        assert worker in set(db.session.scalars(member))
    published = contests["2026年杭州市电工技能比武"]
    marks = select(func.count(JudgeScore.id)).where(JudgeScore.contest_id == published.id)
    assert db.session.scalar(marks) == 8 * 2 * 3  # 8 entrants, 2 judged aspects, 3 judges


def _check_challenges() -> None:
    """Challenges open, in delivery, finished with a result, and waiting for review."""
    states = sorted(str(state) for state in db.session.scalars(select(Challenge.state)))
    assert states == ["finished", "open", "selected", "submitted"]
    passed = select(func.count(ChallengeClaim.id)).where(ChallengeClaim.state == "passed")
    assert db.session.scalar(passed) == 1


def _check_audited_objects_are_named() -> None:
    """Every kind of object the demo's privileged actions audited has a readable name."""
    audited = known_object_types()
    assert len(audited) >= 10, audited
    assert [kind for kind in audited if kind not in OBJECT_LABELS] == []


def _check_audited_fields_are_named() -> None:
    """Every field the demo's audit rows record before or after an action has a name."""
    recorded = set()
    for before, after in db.session.execute(select(AuditEntry.before, AuditEntry.after)):
        for values in (before, after):
            recorded |= set(values) if isinstance(values, dict) else set()
    assert len(recorded) >= 100, recorded
    assert sorted(recorded - set(FIELD_LABELS)) == []
