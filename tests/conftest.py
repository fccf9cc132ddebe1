"""Fixtures: an app per test on a shared schema, a client, a CLI runner, users made by services."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from guild import create_app
from guild.accounts.roles import Role
from guild.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "Secret2024x"


def test_config(database_url: str, tmp_path: Path, **overrides) -> dict:
    """The mapping that replaces all configuration in tests."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
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
