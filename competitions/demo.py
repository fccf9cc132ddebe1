"""Demo data for online training: three question banks, a mock exam and a running campaign.

Registered with the shell's `demo load` when this module is imported. Everything goes through
the real services; a seeded random generator makes each worker's right and wrong answers and
time taken repeatable (the questions drawn are not: the services draw them at random).
"""

import random
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from competitions.campaigns.models import Campaign
from competitions.campaigns.services.campaigns import CampaignFields, save_campaign
from competitions.questions.models import QuestionVersion
from competitions.questions.services.importing import import_rows, read_file
from competitions.questions.types import FALSE, OPTION_LETTERS, TRUE, QuestionType
from competitions.training.grading import to_display_letters
from competitions.training.models import AttemptItem, Mode
from competitions.training.services.answering import answer_question
from competitions.training.services.attempts import Clock, choose_trades, start_attempt
from competitions.training.services.blueprints import Part, save_blueprint
from guild.accounts.models import Enterprise, User
from guild.accounts.roles import Role
from guild.accounts.services.users import Registration, register_user
from guild.audit.services import Actor
from guild.demo import DEMO_ENTERPRISES, register_demo_loader
from guild.extensions import db
from guild.timeutil import local_day, local_midnight_utc, utcnow
from guild.trades.models import Trade

DATA = Path(__file__).parent / "questions" / "data"
BANKS = {"电工": "demo_electrician.csv", "焊工": "demo_welder.csv", "钳工": "demo_fitter.csv"}
BLUEPRINT = "电工理论模拟（五级）"
CAMPAIGN = "2026年全省职工网上练兵（冬季赛）"
CAMPAIGN_TEXT = (
    "面向全省职工的线上岗位练兵：电工、焊工、钳工三个工种，每天 10 道题，答对一题得 10 分，"
    "每日最高 100 分，当天全部答对再奖励 20 分。积分相同按用时排名，设个人榜、企业榜和城市榜。"
)
PRACTICE_DAYS = 6  # the campaign's days before today, on which the demo workers practised
SEED = 2026
PHONE_PREFIX = "1370000"
# Nobody knows the demo workers' random passwords, so a cheap hash loses nothing and saves
# a third of a second of scrypt per account.
THROWAWAY_HASH = "pbkdf2:sha256:1000"

# (name, index into DEMO_ENTERPRISES or None, city when without an enterprise, trade)
WORKERS = (
    ("王伟", 0, "", "电工"),
    ("张丽娟", 0, "", "电工"),
    ("刘洋", 0, "", "电工"),
    ("陈静", 0, "", "电工"),
    ("杨帆", 0, "", "钳工"),
    ("黄志强", 0, "", "电工"),
    ("周建华", 1, "", "电工"),
    ("吴海波", 1, "", "钳工"),
    ("徐晓燕", 1, "", "电工"),
    ("孙立新", 1, "", "焊工"),
    ("胡军", 1, "", "钳工"),
    ("朱国庆", 2, "", "钳工"),
    ("高明", 2, "", "焊工"),
    ("林小红", 2, "", "钳工"),
    ("何伟东", 2, "", "焊工"),
    ("郭振华", 2, "", "钳工"),
    ("马晓峰", 3, "", "电工"),
    ("罗丹", 3, "", "电工"),
    ("梁宏伟", 3, "", "焊工"),
    ("宋佳", 3, "", "电工"),
    ("郑浩", 3, "", "焊工"),
    ("谢春梅", 4, "", "电工"),
    ("韩磊", 4, "", "钳工"),
    ("唐文斌", 4, "", "电工"),
    ("冯秀兰", 4, "", "电工"),
    ("于洋", 4, "", "钳工"),
    ("董建军", None, "湖州市", "焊工"),
    ("程晓丽", None, "金华市", "电工"),
    ("曹永刚", None, "台州市", "钳工"),
    ("袁芳", None, "衢州市", "电工"),
)
# The demo worker's own two days of daily practice: the positions he gets wrong each day.
OWN_MISSES = ({3, 7}, {5})


@dataclass(frozen=True)
class Trainee:
    """A demo worker, the trade they train in, how often they are right and show up."""

    user: User
    trade: Trade
    skill: float
    diligence: float


def load_training_demo(actor: Actor, accounts_by_role: dict[str, User]) -> None:
    """Banks, a mock exam blueprint, a running campaign and its first days of practice."""
    trades = {name: _trade(name) for name in BANKS}
    for name, filename in BANKS.items():
        _import_bank(actor, trades[name], filename)
    _save_blueprint(actor, trades["电工"])
    today = local_day(utcnow(), _zone())
    _save_campaign(actor, trades, today)
    rng = random.Random(SEED)  # noqa: S311  (repeatable demo data, not secrets)
    for day, trainee in _schedule(rng, _register_workers(rng, trades), today):
        _daily(rng, trainee.user, trainee.trade, day, lambda _position, t=trainee: t.skill)
    _own_practice(rng, accounts_by_role[Role.WORKER.value], trades["电工"], today)


def _zone() -> str:
    """The time zone whose calendar days the practice counts in."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _trade(name: str) -> Trade:
    """A trade of the seeded catalogue, by its name."""
    return db.session.scalars(select(Trade).where(Trade.name == name)).one()


def _import_bank(actor: Actor, trade: Trade, filename: str) -> None:
    """Load a bank from the Chinese import template through the real importer."""
    report = read_file((DATA / filename).read_bytes(), filename)
    if not report.ok or report.warnings:
        problems = "; ".join(f"{p.where}: {p.message}" for p in report.errors + report.warnings)
        raise RuntimeError(f"{filename}: {problems}")
    import_rows(actor, trade, report)


def _save_blueprint(actor: Actor, trade: Trade) -> None:
    """A 30-question, 100-point theory paper drawn from the bank."""
    parts = [
        Part(QuestionType.SINGLE, 0, 10, 2),
        Part(QuestionType.MULTIPLE, 0, 5, 4),
        Part(QuestionType.TRUE_FALSE, 0, 10, 2),
        Part(QuestionType.FILL_BLANK, 0, 5, 4),
    ]
    save_blueprint(actor, None, trade, BLUEPRINT, 30, parts)


def _save_campaign(actor: Actor, trades: dict[str, Trade], today: date) -> Campaign:
    """The campaign over the three trades: started PRACTICE_DAYS ago, a month still to run."""
    fields = CampaignFields(
        CAMPAIGN,
        CAMPAIGN_TEXT,
        starts_on=today - timedelta(days=PRACTICE_DAYS),
        ends_on=today + timedelta(days=30),
        trade_ids=tuple(trade.id for trade in trades.values()),
        daily_count=10,
        points_per_correct=10,
        daily_points_cap=100,
        perfect_day_bonus=20,
    )
    return save_campaign(actor, None, fields)


def _register_workers(rng: random.Random, trades: dict[str, Trade]) -> list[Trainee]:
    """The demo workers, with random passwords nobody knows, and their habits."""
    names = [name for name, _ in DEMO_ENTERPRISES]
    found = db.session.scalars(select(Enterprise).where(Enterprise.name.in_(names)))
    by_name = {enterprise.name: enterprise for enterprise in found}
    enterprises = [by_name[name] for name in names]
    trainees = []
    for number, (name, index, city, trade) in enumerate(WORKERS, start=1):
        enterprise = enterprises[index] if index is not None else None
        with _throwaway_hashing():
            user = register_user(
                Registration(
                    real_name=name,
                    phone=f"{PHONE_PREFIX}{number:04d}",
                    password=secrets.token_urlsafe(24) + "a1",
                    city=enterprise.city if enterprise else city,
                    enterprise_id=enterprise.id if enterprise else None,
                )
            )
        skill, diligence = rng.uniform(0.45, 0.95), rng.uniform(0.05, 0.25)
        trainees.append(Trainee(user, trades[trade], skill, diligence))
    db.session.flush()
    return trainees


@contextmanager
def _throwaway_hashing() -> Iterator[None]:
    """Hash passwords with THROWAWAY_HASH for a moment (see there)."""
    config = current_app.config
    kept = config["PASSWORD_HASH_METHOD"]
    config["PASSWORD_HASH_METHOD"] = THROWAWAY_HASH
    try:
        yield
    finally:
        config["PASSWORD_HASH_METHOD"] = kept


def _schedule(
    rng: random.Random, trainees: list[Trainee], today: date
) -> list[tuple[date, Trainee]]:
    """Who practised on which past day of the campaign (at least once each), in day order."""
    days = [today - timedelta(days=back) for back in range(PRACTICE_DAYS, 0, -1)]
    plan = []
    for trainee in trainees:
        chosen = [day for day in days if rng.random() < trainee.diligence] or [rng.choice(days)]
        plan += [(day, trainee) for day in chosen]
    return sorted(plan, key=lambda entry: entry[0])


def _own_practice(rng: random.Random, user: User, trade: Trade, today: date) -> None:
    """The demo worker trains in 电工: two days in a row, a few mistakes, today still open."""
    choose_trades(user.id, [trade.id])
    for back, misses in zip((2, 1), OWN_MISSES, strict=True):
        day = today - timedelta(days=back)
        _daily(rng, user, trade, day, lambda position, m=misses: 0.0 if position in m else 1.0)


def _daily(
    rng: random.Random, user: User, trade: Trade, day: date, skill: Callable[[int], float]
) -> None:
    """A daily practice from 07:00–21:00, 20–90 s an answer, right with chance skill(position)."""
    now = local_midnight_utc(day, _zone()) + timedelta(seconds=rng.randint(7 * 3600, 21 * 3600))
    attempt = start_attempt(user, trade, Mode.DAILY, Clock(now, day))
    for item in attempt.items:
        now += timedelta(seconds=rng.randint(20, 90))
        right = rng.random() < skill(item.position)
        version = db.session.get(QuestionVersion, item.version_id)
        shown = _response(version, item, right)
        answer_question(
            user.id, attempt.id, item.position, item.question_id, shown, Clock(now, day)
        )


def _response(version: QuestionVersion, item: AttemptItem, right: bool) -> list[str]:
    """What a worker picks or types, in display terms: the answer, or a plausible mistake."""
    if version.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        letters = to_display_letters(item.option_order, version.answer)
        if right:
            return letters
        if version.type is QuestionType.MULTIPLE:
            return letters[:-1]  # one right option left out: 少选, no points
        count = len(item.option_order)
        return [OPTION_LETTERS[(OPTION_LETTERS.index(letters[0]) + 1) % count]]
    if version.type is QuestionType.TRUE_FALSE:
        return list(version.answer) if right else [FALSE if version.answer == [TRUE] else TRUE]
    return [version.answer[0]] if right else ["不知道"]


@register_demo_loader
def load_competitions_demo(actor: Actor, accounts_by_role: dict[str, User]) -> None:
    """Training first, then the contests, whose entrants are training's workers: in that
    order whatever order their modules were imported in."""
    from competitions.contests.demo import load_contest_demo  # it imports this module

    load_training_demo(actor, accounts_by_role)
    load_contest_demo(actor, accounts_by_role)
