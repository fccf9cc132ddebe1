"""Set-up shared by the training benchmarks: trades with banks, a campaign, workers, sessions.

Everything here runs in the benchmark's own process inside an app context, on the database
the gunicorn under test serves. Rows are made by the product's services where their cost is
small (trades' questions, campaigns, attempts) and by bulk inserts where the benchmark needs
thousands (workers, sessions). Sessions are opened by writing `user_sessions` rows and
signing the session cookie with the app's secret, as a sign-in through /account/login would
(without 1,000 scrypt hashes and the login rate limits).
"""

import json
import os
import random
import secrets
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰春海波宁斌飞"
CHOICES = ["甲方案", "乙方案", "丙方案", "丁方案"]
DUMMY_HASH = "benchmark$not-a-password-hash"  # nobody signs in with a password here


def open_app(env: dict[str, str]):
    """The Guild app configured as the gunicorn under test (same database and secret)."""
    os.environ.update(env)
    from guild import create_app

    return create_app()


def person_name(number: int) -> str:
    """A Chinese name of two or three characters, different for neighbouring numbers."""
    surname = SURNAMES[number % len(SURNAMES)]
    first = GIVEN[(number // len(SURNAMES)) % len(GIVEN)]
    if number % 3 == 0:
        return surname + first
    return surname + first + GIVEN[(number * 7 + 3) % len(GIVEN)]


def _question(trade_name: str, number: int, chapters: int):
    from competitions.questions.types import QuestionData, QuestionType

    kind = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE)[number % 3]
    options = [] if kind is QuestionType.TRUE_FALSE else CHOICES
    answer = {
        QuestionType.SINGLE: ["ABCD"[number % 4]],
        QuestionType.MULTIPLE: ["A", "C"] if number % 2 else ["B", "C", "D"],
        QuestionType.TRUE_FALSE: ["true" if number % 2 else "false"],
    }[kind]
    return QuestionData(
        type=kind,
        stem=f"{trade_name}第{number}题：作业前下列哪项做法符合安全规程？",
        options=list(options),
        answer=answer,
        explanation="依据安全操作规程。",
        difficulty=1 + number % 5,
        chapter=f"第{1 + number % chapters}章",
    )


def add_trades(count: int, questions: int, chapters: int = 10) -> list[int]:
    """Trades, each with a bank of single, multiple choice and true/false questions."""
    from competitions.questions.services.bank import create_question
    from guild.audit.services import Actor
    from guild.extensions import db
    from guild.trades.levels import SkillLevel
    from guild.trades.models import Trade

    trade_ids = []
    tag = secrets.token_hex(3)
    for number in range(count):
        name = f"工种{number + 1:03d}-{tag}"
        trade = Trade(name=name, category="电力能源", level_codes=[SkillLevel.L5.value])
        db.session.add(trade)
        db.session.flush()
        for index in range(questions):
            create_question(Actor(None, "bench"), trade, _question(trade.name, index, chapters))
        trade_ids.append(trade.id)
    db.session.commit()
    return trade_ids


def add_campaign(trade_ids: list[int], today: date, **rules):
    """A campaign running today over the trades (10 a day, 10 points each, cap 100)."""
    from competitions.campaigns.services.campaigns import CampaignFields, save_campaign
    from guild.audit.services import Actor
    from guild.extensions import db

    values = {
        "name": "全省职工网上练兵",
        "description": "每天十题，答对一题十分。",
        "starts_on": today - timedelta(days=29),
        "ends_on": today + timedelta(days=30),
        "trade_ids": tuple(trade_ids),
        **rules,
    }
    campaign = save_campaign(Actor(None, "bench"), None, CampaignFields(**values))
    db.session.commit()
    return campaign


def add_enterprises(count: int) -> list[tuple[int, str]]:
    """Enterprises spread over the configured cities: (id, city)."""
    from flask import current_app
    from sqlalchemy import select

    from guild.accounts.models import Enterprise
    from guild.bulk import insert_rows
    from guild.extensions import db

    cities = current_app.config["CITIES"]
    tag = secrets.token_hex(3)
    rows = [
        {"name": f"企业{n:05d}-{tag}", "city": cities[n % len(cities)], "created_at": _now()}
        for n in range(count)
    ]
    insert_rows(Enterprise.__table__, rows)
    db.session.commit()
    found = select(Enterprise.id, Enterprise.city).where(Enterprise.name.like(f"%-{tag}"))
    return [tuple(row) for row in db.session.execute(found.order_by(Enterprise.id))]


def add_workers(count: int, enterprises: list[tuple[int, str]], phone_base: int) -> list[int]:
    """Workers (role worker) in the enterprises, ten in a hundred without one; their ids."""
    from flask import current_app
    from sqlalchemy import select

    from guild.accounts.models import User, UserRole
    from guild.bulk import insert_rows
    from guild.extensions import db

    cities = current_app.config["CITIES"]
    rows = []
    for n in range(count):
        enterprise_id, city = enterprises[n % len(enterprises)] if n % 10 else (None, None)
        rows.append(
            {
                "phone": str(phone_base + n),
                "real_name": person_name(n),
                "password_hash": DUMMY_HASH,
                "city": city or cities[n % len(cities)],
                "enterprise_id": enterprise_id,
                "is_active": True,
                "created_at": _now(),
            }
        )
    insert_rows(User.__table__, rows)
    phones = (str(phone_base), str(phone_base + count - 1))
    ids = list(db.session.scalars(select(User.id).where(User.phone.between(*phones))))
    roles = [{"user_id": uid, "role": "worker", "granted_at": _now()} for uid in ids]
    insert_rows(UserRole.__table__, roles)
    db.session.commit()
    return ids


def add_organiser(phone: str) -> int:
    """An organiser account (for the statistics page); its id."""
    from guild.accounts.models import User, UserRole
    from guild.accounts.roles import Role
    from guild.extensions import db

    roles = [UserRole(role=Role.WORKER), UserRole(role=Role.ORGANISER)]
    user = User(
        phone=phone, real_name="陈秀英", password_hash=DUMMY_HASH, city="杭州市", roles=roles
    )
    db.session.add(user)
    db.session.commit()
    return user.id


def _now() -> datetime:
    from guild.timeutil import utcnow

    return utcnow()


def session_cookies(app, user_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Open a session for each user: {user_id: (Cookie header, CSRF token for X-CSRFToken)}.

    The `user_sessions` row and the signed cookie are what a sign-in leaves behind.
    """
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    from guild.accounts.models import UserSession
    from guild.bulk import insert_rows
    from guild.extensions import db

    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    now, rows, found = _now(), [], {}
    for user_id in user_ids:
        token = secrets.token_urlsafe(32)
        rows.append(
            {
                "token": token,
                "user_id": user_id,
                "created_at": now,
                "expires_at": now + timedelta(days=2),
            }
        )
        with app.test_request_context("/"):
            session["_user_id"], session["_fresh"] = f"{user_id}:{token}", True
            g.pop("csrf_token", None)  # cached per app context, which the caller may share
            csrf = generate_csrf()
            found[user_id] = (f"{name}={serializer.dumps(dict(session))}", csrf)
    insert_rows(UserSession.__table__, rows)
    db.session.commit()
    return found


def start_attempts(user_ids: list[int], trade_ids: list[int], mode_name: str) -> list[int]:
    """One fresh attempt per worker (trades taken in turn) through the product's service."""
    from competitions.training.models import Mode
    from competitions.training.services.attempts import start_attempt
    from competitions.training.views import clock
    from guild.accounts.models import User
    from guild.extensions import db
    from guild.trades.models import Trade

    attempt_ids = []
    for number, user_id in enumerate(user_ids):
        user = db.session.get(User, user_id)
        trade = db.session.get(Trade, trade_ids[number % len(trade_ids)])
        attempt = start_attempt(user, trade, Mode(mode_name), clock())
        attempt_ids.append(attempt.id)
        if number % 200 == 199:
            db.session.commit()
            db.session.expunge_all()
    db.session.commit()
    return attempt_ids


@dataclass(frozen=True)
class Planned:
    """One answer to send: whose, where, and the letters (right or wrong) as displayed."""

    user_id: int
    attempt_id: int
    position: int
    question_id: int
    response: list[str]

    @property
    def path(self) -> str:
        return f"/api/training/attempts/{self.attempt_id}/{self.position}/answer"

    @property
    def body(self) -> str:
        return json.dumps({"question_id": self.question_id, "response": self.response})


def _shown(kind: str, order: list[int], key: list[str], right: bool) -> list[str]:
    from competitions.training.grading import to_display_letters

    if kind == "true_false":
        return key if right else ["false" if key == ["true"] else "true"]
    letters = to_display_letters(order, key)
    if right:
        return letters
    return [next(letter for letter in "ABCD" if letter not in letters)]


def planned_answers(attempt_ids: list[int], right_share: float, seed: int = 7) -> list[Planned]:
    """Every question of the attempts, answered right at the given rate, position by position
    across all attempts (so requests sent together are for different workers)."""
    from sqlalchemy import select

    from competitions.questions.models import QuestionVersion
    from competitions.training.models import Attempt, AttemptItem
    from guild.extensions import db

    rng = random.Random(seed)
    query = (
        select(
            Attempt.user_id,
            AttemptItem.attempt_id,
            AttemptItem.position,
            AttemptItem.question_id,
            AttemptItem.option_order,
            QuestionVersion.type,
            QuestionVersion.answer,
        )
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.version_id)
    )
    plans = []
    for chunk in range(0, len(attempt_ids), 5000):
        part = query.where(AttemptItem.attempt_id.in_(attempt_ids[chunk : chunk + 5000]))
        for user_id, attempt_id, position, question_id, order, kind, key in db.session.execute(
            part
        ):
            shown = _shown(str(kind), order, key, rng.random() < right_share)
            plans.append(Planned(user_id, attempt_id, position, question_id, shown))
    plans.sort(key=lambda plan: (plan.position, plan.attempt_id))
    return plans
