"""Fixtures: an app per test on a shared schema, a client, a CLI runner, users made by services."""

import os
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from guild import create_app
from guild.accounts.roles import Role
from guild.config import Config
from guild.extensions import db
from guild.timeutil import local_day, utcnow

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "Secret2024x"


def union_today() -> date:
    """Today in the union's time zone, as the app counts days (not the machine's date:
    from 16:00 UTC on, Shanghai is already on the next day)."""
    return local_day(utcnow(), Config.BABEL_DEFAULT_TIMEZONE)


def test_config(database_url: str, tmp_path: Path, **overrides) -> dict:
    """The mapping that replaces all configuration in tests."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "DEMO_ACCOUNTS_FILE": str(tmp_path / "demo_accounts.txt"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing keeps the suite quick
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """PostgreSQL when TEST_DATABASE_URL is set, else a SQLite file for this run."""
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'guild-test.sqlite3'}"


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Create every table once per run."""
    app = create_app(test_config(database_url, tmp_path_factory.mktemp("schema")))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()


@pytest.fixture
def make_app(database_url, _schema, tmp_path):
    """Build apps on the test database with extra settings; rows are wiped afterwards."""
    built = []

    def build(**overrides):
        app = create_app(test_config(database_url, tmp_path, **overrides))
        built.append(app)
        return app

    yield build
    for app in built[:1]:
        with app.app_context():
            _wipe_tables()
    for app in built:
        with app.app_context():
            db.engine.dispose()


def _wipe_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class Person:
    """A user made for a test, with what is needed to sign in as them."""

    id: int
    phone: str
    password: str
    real_name: str


class People:
    """Makes users through the real registration service."""

    def __init__(self, app):
        self.app = app
        self.count = 0

    def make(
        self,
        *roles: Role,
        real_name: str = "张小三",
        city: str = "杭州市",
        enterprise_id: int | None = None,
        phone: str | None = None,
    ) -> Person:
        from guild.accounts.services.users import Registration, register_user

        self.count += 1
        phone = phone or f"139{self.count:08d}"
        with self.app.app_context():
            user = register_user(
                Registration(real_name, phone, PASSWORD, city, enterprise_id),
                roles=tuple({Role.WORKER, *roles}),
            )
            db.session.commit()
            return Person(user.id, phone, PASSWORD, real_name)

    def enterprise(self, name: str = "杭州新能电力有限公司", city: str = "杭州市") -> int:
        from guild.accounts.services.enterprises import create_enterprise
        from guild.audit.services import Actor

        with self.app.app_context():
            enterprise = create_enterprise(Actor(None, "test"), name, city, None)
            db.session.commit()
            return enterprise.id


@pytest.fixture
def people(app) -> People:
    return People(app)


def login(client, person: Person, remember: bool = False):
    """Sign in through the login form."""
    data = {"phone": person.phone, "password": person.password}
    if remember:
        data["remember"] = "y"
    response = client.post("/account/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def as_role(client, people):
    """Sign the test client in as a new user holding the given role."""

    def sign_in(role: Role | None = None, **kwargs) -> Person:
        person = people.make(*([role] if role else []), **kwargs)
        login(client, person)
        return person

    return sign_in


SECRET_EXPLANATION = "解析：停电、验电、挂接地线、悬挂标示牌。"


@pytest.fixture
def trade_id(app):
    """A trade, 电工, with a bank of six questions of every type."""
    from competitions.questions.services.bank import create_question
    from competitions.questions.types import QuestionData, QuestionType
    from guild.audit.services import Actor
    from guild.trades.levels import SkillLevel
    from guild.trades.services.catalogue import TradeFields, save_trade

    with app.app_context():
        trade = save_trade(Actor(None), None, TradeFields("电工", "电力能源", (SkillLevel.L5,)))
        for number in range(3):
            create_question(
                Actor(None),
                trade,
                QuestionData(
                    QuestionType.SINGLE,
                    f"安全电压第{number}题",
                    options=["36V", "24V", "12V", "6V"],
                    answer=["C"],
                    explanation=SECRET_EXPLANATION,
                    chapter="安全用电",
                ),
            )
        create_question(
            Actor(None),
            trade,
            QuestionData(
                QuestionType.TRUE_FALSE, "停电作业前必须验电。", answer=["true"], chapter="安全用电"
            ),
        )
        create_question(
            Actor(None),
            trade,
            QuestionData(
                QuestionType.MULTIPLE,
                "保证安全的技术措施有（ ）。",
                options=["停电", "验电", "装设接地线", "喝茶"],
                answer=["A", "B", "C"],
                chapter="技术措施",
            ),
        )
        create_question(
            Actor(None),
            trade,
            QuestionData(
                QuestionType.FILL_BLANK,
                "我国安全电压额定值最高为____V。",
                answer=["42"],
                chapter="安全用电",
            ),
        )
        db.session.commit()
        return trade.id


# Browser tests: Debian's Chromium driven by Playwright, on a phone-sized screen.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


LIVE_APPS: dict = {}  # base URL -> the app a live server serves, for database checks


@pytest.fixture
def live_server(make_app):
    """Serve the app (CSRF on, as in production) on a free loopback port."""
    app = make_app(WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    LIVE_APPS[base] = app
    yield base
    LIVE_APPS.pop(base, None)
    server.shutdown()
    thread.join()


@pytest.fixture
def phone_page():
    """A 375 px wide page in headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(  # a Chinese worker's phone: its language and clock
            viewport={"width": 375, "height": 740},
            device_scale_factor=2,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield page, errors
        context.close()
        browser.close()


def submit(page, button) -> None:
    """Click a button that posts a form, and wait until the page it leads to has loaded.

    `wait_for_load_state()` after a click can return at once, still on the old page,
    when the navigation has not started yet.
    """
    with page.expect_navigation():
        button.click()


def shot(page, name: str) -> None:
    """Save a full-page screenshot as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
