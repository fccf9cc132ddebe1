"""Bad-input sweep: every route, reached by a user its rule lets in, is sent hostile query
strings, path ids, forms, files, spreadsheets and bodies; none may answer 500 or raise.

The product rule: bad input gets a clear message and changes nothing; no input gives a 500.

The sample data (tests.test_access._sample_values, plus contests at earlier stages) is built
once per run into a snapshot database, and every page is read from it as each user the
route's rule lets in, to collect the forms (and who is shown them). Each route's test then
runs on a fresh copy of the snapshot (a SQLite file copy, or a PostgreSQL database made from
it as a template), signed in as the user who was shown the route's form (else who saw its
page best, else the first an empty POST does not turn away), and fails with every request
that raised or answered 5xx, grouped by cause with one traceback each.

Run it on PostgreSQL too, which refuses NUL characters SQLite stores:
    TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/sweep_pg \
        .venv/bin/pytest -q -p no:logging tests/test_bad_input_sweep.py
"""

import shutil

import pytest

import tests.conftest as conftest  # a module: its test_config, imported, would run as a test
from guild import create_app
from guild.extensions import db
from tests.bad_input.plans import CASES
from tests.bad_input.report import Failure, _report
from tests.bad_input.sending import _fire, _follow_ups, _shots, _signed_in, _signed_out
from tests.bad_input.snapshot import Snapshot, Store, _build
from tests.conftest import login

# Limits no sweep reaches: a 429 would stop it reaching the sign-in and sign-up views. Not
# RATELIMIT_ENABLED=False: the limiter is one object for every app, and once disabled it
# stays disabled for the rest of the run (init_app keeps its current setting as default).
NO_LIMITS = {
    "LOGIN_LIMIT_PER_ACCOUNT": "1000000 per minute",
    "LOGIN_LIMIT_PER_IP": "1000000 per minute",
    "REGISTER_LIMIT_PER_IP": "1000000 per minute",
}


@pytest.fixture(scope="module")
def snapshot(database_url, tmp_path_factory):
    """The sample data, built once, with every case's plan."""
    folder = tmp_path_factory.mktemp("sweep")
    store = Store(database_url, folder)
    try:
        app = create_app(conftest.test_config(store.base_url, folder, **NO_LIMITS))
        with app.app_context():
            db.create_all()
        try:
            plans = _build(app)
        finally:
            with app.app_context():
                db.engine.dispose()
        yield Snapshot(store, folder / "uploads", plans)
    finally:
        store.drop()


@pytest.fixture
def sweep_app(snapshot, tmp_path):
    """An app on a fresh copy of the snapshot, letting exceptions out to the test.

    Not conftest's make_app: it would wipe the copy's tables afterwards, which costs a
    PostgreSQL run a third of a second a test, for a copy that is dropped anyway."""
    url = snapshot.store.clone(tmp_path)
    shutil.copytree(snapshot.uploads, tmp_path / "uploads")
    config = conftest.test_config(url, tmp_path, PROPAGATE_EXCEPTIONS=True, **NO_LIMITS)
    app = create_app(config)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("case", CASES)
def test_no_input_gives_a_server_error(snapshot, sweep_app, case):
    """Hostile query strings, path ids, forms, files and bodies never give a 500."""
    plan = snapshot.plans[case]
    adapter = sweep_app.url_map.bind("localhost")
    failures: list[Failure] = []
    client = _signed_in(sweep_app, plan, failures)
    for shot in _shots(plan, client):
        response = _fire(client, shot, failures)
        for follow_up in _follow_ups(shot, adapter, plan.endpoint):
            response = _fire(client, follow_up, failures)
        if _signed_out(response, plan):
            login(client, plan.viewer.person)
    if failures:
        pytest.fail(_report(case, failures), pytrace=False)
