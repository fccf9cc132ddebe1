"""The sample data, built once into a snapshot database, and a fresh copy of it per test."""

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.bad_input.crawl import _crawl
from tests.bad_input.plans import STAGES, Plan, _choose, _plans, _related_first
from tests.bad_input.viewers import Viewer, _insiders, _role_holders, _stage_contest
from tests.conftest import People
from tests.test_access import _sample_values


class Store:
    """The snapshot's database, and a fresh copy of it per test: SQLite files, or PostgreSQL
    databases made from the snapshot as a template (on the server of TEST_DATABASE_URL)."""

    def __init__(self, database_url: str, folder: Path):
        url = make_url(database_url)
        self.postgres = url.get_backend_name() == "postgresql"
        if not self.postgres:
            self.base = make_url(f"sqlite:///{folder / 'snapshot.sqlite3'}")
            return
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.base = url.set(database=f"{url.database}_sweep_base{worker}")
        self.copy = url.set(database=f"{url.database}_sweep_copy{worker}")
        self._run(f'DROP DATABASE IF EXISTS "{self.base.database}" WITH (FORCE)')
        self._run(f'CREATE DATABASE "{self.base.database}"')

    @property
    def base_url(self) -> str:
        return self.base.render_as_string(hide_password=False)

    def _run(self, *statements: str) -> None:
        with self.admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))

    def clone(self, folder: Path) -> str:
        """A fresh copy of the snapshot; its URL."""
        if self.postgres:
            self._run(
                f'DROP DATABASE IF EXISTS "{self.copy.database}" WITH (FORCE)',
                f'CREATE DATABASE "{self.copy.database}" TEMPLATE "{self.base.database}"',
            )
            return self.copy.render_as_string(hide_password=False)
        target = folder / "sweep.sqlite3"
        with (
            contextlib.closing(sqlite3.connect(self.base.database)) as source,
            contextlib.closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
        return f"sqlite:///{target}"

    def drop(self) -> None:
        if self.postgres:
            for database in (self.copy, self.base):
                self._run(f'DROP DATABASE IF EXISTS "{database.database}" WITH (FORCE)')
            self.admin.dispose()


@dataclass
class Snapshot:
    store: Store
    uploads: Path
    plans: dict[str, Plan]


def _build(app) -> dict[str, Plan]:
    """The sample data and contests at earlier stages; every case's plan, from a crawl."""
    people = People(app)
    values = _sample_values(app, people)
    stages = {
        stage.value: _stage_contest(app, people, values["trade_id"], stage) for stage in STAGES
    }
    viewers = [*_insiders(app), *_role_holders(app, people), Viewer(None)]
    admin = next(v for v in viewers if v.person and v.person.real_name == "管理员")
    for _values, insiders in stages.values():
        insiders.append(admin)
    plans = _plans(app, values, stages, viewers)
    seen = _crawl(app, plans)
    for plan in plans.values():
        _choose(plan, seen)
    for plan in plans.values():
        _related_first(plan, plans)
    return plans
