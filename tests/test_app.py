"""The factory: configuration, the database rules, migrations, start-up checks."""

import os
import uuid
from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from guild import create_app
from guild.access import check_every_route_has_a_rule
from guild.accounts.models import User
from guild.extensions import db
from guild.timeutil import local_midnight_utc, utcnow
from studios.search_models import include_object

SERVER_URL = (
    os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1/postgres"
)


def test_config_layers(monkeypatch, tmp_path):
    """Defaults, then instance/config.py, then GUILD_* variables; DATABASE_URL picks psycopg."""
    app = Flask("probe", instance_path=str(tmp_path), instance_relative_config=True)
    (tmp_path / "config.py").write_text("PAGE_SIZE = 7\nCITIES = ('甲市',)\n")
    monkeypatch.setenv("GUILD_PAGE_SIZE", "9")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/guild")
    from guild.config import load_config

    load_config(app, None)
    assert app.config["PAGE_SIZE"] == 9
    assert app.config["CITIES"] == ("甲市",)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/guild"
    assert len(app.config["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_test_mapping_replaces_the_environment(monkeypatch, make_app):
    """Tests get exactly their mapping: no environment variable leaks in."""
    monkeypatch.setenv("GUILD_PAGE_SIZE", "9")
    assert make_app().config["PAGE_SIZE"] == 30


def test_sqlite_runs_in_wal_with_foreign_keys(make_app, database_url):
    """The embedded database uses WAL, enforces foreign keys, reads pages without mmap and
    checkpoints every 10,000 WAL pages (guild/__init__.py says why)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite pragmas are checked on the SQLite run")
    with make_app().app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA mmap_size")).scalar() == 0
        assert db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 10_000


def test_foreign_keys_are_enforced(make_app):
    """A user pointing at a missing enterprise is refused by the database."""
    from sqlalchemy.exc import IntegrityError

    with make_app().app_context():
        db.session.add(
            User(
                phone="13900000000",
                real_name="甲乙",
                password_hash="x",
                city="杭州市",
                enterprise_id=424242,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_timestamps_are_naive_utc(make_app, people):
    """The one time rule: stored timestamps are naive and in UTC."""
    before = datetime.now(UTC).replace(tzinfo=None)
    person = people.make()
    with make_app().app_context():
        created = db.session.get(User, person.id).created_at
    assert created.tzinfo is None
    assert before <= created <= utcnow()


def test_local_days_convert_to_utc():
    """Midnight in Shanghai is 16:00 UTC the day before."""
    assert local_midnight_utc(date(2026, 1, 2), "Asia/Shanghai") == datetime(2026, 1, 1, 16, 0)


def test_a_route_without_an_access_rule_stops_start_up():
    """Registering a view without a rule is caught when the app is built."""
    app = Flask("probe")
    app.add_url_rule("/open", "open", lambda: "x")
    with pytest.raises(RuntimeError, match="open"):
        check_every_route_has_a_rule(app)


def _assert_migrations_match_models(url: str, tmp_path) -> None:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "UPLOAD_FOLDER": str(tmp_path)}
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            options = {"include_object": include_object}  # as migrations/env.py compares
            diff = compare_metadata(
                MigrationContext.configure(connection, opts=options), db.metadata
            )
            tables = set(inspect(connection).get_table_names())
        db.engine.dispose()
    assert diff == []
    assert {table.name for table in db.metadata.sorted_tables} <= tables


def test_migrations_match_models_on_sqlite(tmp_path):
    """`flask db upgrade` on an empty SQLite file builds exactly the models' schema."""
    _assert_migrations_match_models(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", tmp_path)


@pytest.mark.postgres
def test_migrations_match_models_on_postgresql(tmp_path):
    """The same on a fresh PostgreSQL database."""
    server = make_url(SERVER_URL)
    try:
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        admin.connect().close()
    except Exception as error:
        pytest.skip(f"no PostgreSQL server at {server.host}: {error.__class__.__name__}")
    name = f"guild_migrations_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _assert_migrations_match_models(server.set(database=name).render_as_string(False), tmp_path)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _create_admin(runner, password: str):
    arguments = ["--phone", "13800001111", "--name", "管理员", "--city", "杭州市"]
    return runner.invoke(args=["users", "create-admin", *arguments, "--password", password])


def test_create_admin_command(runner, app):
    """`users create-admin` makes an administrator and refuses a weak password."""
    assert _create_admin(runner, "weak").exit_code != 0
    result = _create_admin(runner, "Admin2024x")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.phone == "13800001111"))
        assert "admin" in {role.value for role in user.role_set}


def test_a_rollback_undoes_nested_service_writes(make_app, people):
    """Services' savepoints stay inside the request's transaction (SQLite included)."""
    from guild.accounts.models import Enterprise
    from guild.accounts.services.enterprises import create_enterprise
    from guild.audit.models import AuditEntry
    from guild.audit.services import Actor

    app = make_app()
    with app.app_context():
        create_enterprise(Actor(None), "回滚测试有限公司", "杭州市", None)
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count(Enterprise.id))) == 0
        assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0


def test_create_admin_refuses_bad_fields(runner):
    """The command checks phone, name and city like the sign-up form does."""
    for phone, name, city in (
        ("not-a-phone", "管理员", "杭州市"),
        ("13800001111", "<b>x</b>", "杭州市"),
        ("13800001111", "管理员", "火星"),
    ):
        arguments = ["--phone", phone, "--name", name, "--city", city, "--password", "Admin2024x"]
        result = runner.invoke(args=["users", "create-admin", *arguments])
        assert result.exit_code != 0, (phone, name, city)


def test_sqlite_writers_wait_for_the_write_lock_in_short_naps(tmp_path):
    """A writer waits for another's write lock and gets it soon after its release; one that
    waits past its patience fails; SQLite's own busy timeout is back afterwards."""
    import sqlite3
    import threading
    import time

    from guild.transactions import BUSY_TIMEOUT_MS, begin_immediate

    path = tmp_path / "lock.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    waiter = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        begin_immediate(waiter, patience=0.05)
    assert waiter.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
    released = threading.Timer(0.05, holder.execute, args=("COMMIT",))
    released.start()
    started = time.monotonic()
    begin_immediate(waiter, patience=5)
    waited = time.monotonic() - started
    released.join()
    assert 0.04 <= waited < 1.0
    waiter.execute("CREATE TABLE written (id INTEGER)")  # it holds the write lock now
    waiter.execute("COMMIT")
    holder.close()
    waiter.close()
