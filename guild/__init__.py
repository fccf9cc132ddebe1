"""Guild: skills training, skills contests and innovation studios for a trade union."""

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from guild.config import load_config
from guild.extensions import MAX_ID
from guild.transactions import (
    BUSY_TIMEOUT_MS,
    WRITER_OPTION,
    begin_immediate,
    begin_writing_on_unsafe_methods,
)

ROOT = Path(__file__).resolve().parent.parent


class BoundedIntConverter(IntegerConverter):
    """<int:…> in URLs, refusing numbers no id column can hold (404, not a database error)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, hooks and commands."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    app.url_map.converters["int"] = BoundedIntConverter
    load_config(app, test_config)
    if app.config["PROXY_FIX_HOPS"]:
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from guild.security import install_security

    install_security(app)  # before the extensions: see install_security
    _init_extensions(app)
    _register_blueprints(app)

    from guild.access import check_every_route_has_a_rule, enforce_access
    from guild.errors import register_error_handlers
    from guild.security import refuse_json_on_form_pages
    from guild.templating import install_templating

    app.before_request(refuse_json_on_form_pages)  # after the extensions' CSRF check
    app.before_request(enforce_access)
    app.before_request(begin_writing_on_unsafe_methods)
    register_error_handlers(app)
    install_templating(app)
    _register_commands(app)
    check_every_route_has_a_rule(app)
    return app


def _init_extensions(app: Flask) -> None:
    from guild import models  # noqa: F401  (every table known to the metadata)
    from guild.accounts.session import init_login
    from guild.extensions import babel, csrf, db, limiter, migrate
    from guild.i18n import select_locale

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _make_sqlite_transactional(engine, app.config["SQLITE_SYNCHRONOUS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    init_login(app)


# SQLite copies the WAL back into the database every this many pages (about 40 MB), not
# every 1,000: an answer writes 11 pages, most of them the same hot ones (standings, counts,
# tallies), which a longer WAL copies back once instead of ten times.
WAL_CHECKPOINT_PAGES = 10_000


def _make_sqlite_transactional(engine, synchronous: str) -> None:
    """WAL, foreign keys, and real transactions on SQLite.

    The sqlite3 driver only opens a transaction before writes, so a SAVEPOINT taken before
    any write would start the transaction and its RELEASE would commit it: services' nested
    transactions would escape the request's rollback. SQLAlchemy's documented recipe: let
    the driver do nothing and emit BEGIN ourselves when SQLAlchemy begins. Writers begin
    IMMEDIATE (see guild.transactions).
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        # No mmap: after another connection's commit SQLite drops its whole mapping at the
        # next read and maps the file again, which cost each request 30 µs more than reading
        # its pages with pread (measured with two workers writing).
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        if connection.get_execution_options().get(WRITER_OPTION):
            begin_immediate(connection.connection.driver_connection)
        else:
            connection.exec_driver_sql("BEGIN")


def _register_blueprints(app: Flask) -> None:
    from competitions.campaigns.views import bp as campaigns_bp
    from competitions.contests.entry_views import bp as contest_entries_bp
    from competitions.contests.judging_views import bp as judging_bp
    from competitions.contests.results_views import bp as contest_results_bp
    from competitions.contests.views import bp as contests_bp
    from competitions.questions.routes import bp as banks_bp
    from competitions.training.api import bp as training_api_bp
    from competitions.training.attempt_views import bp as attempts_bp
    from competitions.training.blueprint_views import bp as blueprints_bp
    from competitions.training.views import bp as training_bp
    from competitions.views import bp as competitions_bp
    from guild.accounts.admin_views import bp as admin_bp
    from guild.accounts.enterprise_views import bp as enterprises_bp
    from guild.accounts.views import bp as auth_bp
    from guild.audit.views import bp as audit_bp
    from guild.main.views import bp as main_bp
    from guild.trades.views import bp as trades_bp
    from studios.challenge_views import bp as challenges_bp
    from studios.challenge_work_views import bp as challenge_work_bp
    from studios.courseware_views import bp as courseware_bp
    from studios.publication_views import bp as publications_bp
    from studios.report_views import bp as studio_reports_bp
    from studios.views import bp as studios_bp

    for blueprint in (
        main_bp,
        auth_bp,
        admin_bp,
        enterprises_bp,
        audit_bp,
        trades_bp,
        competitions_bp,
        banks_bp,
        training_bp,
        attempts_bp,
        blueprints_bp,
        training_api_bp,
        campaigns_bp,
        contests_bp,
        contest_entries_bp,
        judging_bp,
        contest_results_bp,
        studios_bp,
        publications_bp,
        courseware_bp,
        studio_reports_bp,
        challenges_bp,
        challenge_work_bp,
    ):
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    from guild.cli import register_commands

    register_commands(app)
