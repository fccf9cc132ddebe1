"""Generating and caching the 1,000,000-participant campaign the leaderboard benchmarks read.

See leaderboard.py for what is generated and where it is kept.
"""

import sqlite3
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _cached_db import CACHE, fingerprint, stored_meta, write_meta  # noqa: E402
from _leaderboard_rows import (  # noqa: E402
    attempt_rows,
    make_attempts,
    make_users,
    standing_rows,
    tally_rows,
)
from _server import flask, scratch_env  # noqa: E402
from _training_data import (  # noqa: E402
    add_campaign,
    add_enterprises,
    add_organiser,
    add_trades,
    open_app,
)

GENERATOR = "leaderboard generator 2"  # change when the generated rows change
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
from _leaderboard_rows import CHAPTERS, PER_ATTEMPT, QUESTIONS, TRADES  # noqa: E402

ORGANISER_PHONE = "19900000001"
BOARDS = ("whole", "trade", "enterprise", "city")


class Loader:
    """Bulk writes on a connection of its own: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.postgres = url.startswith("postgresql")
        if self.postgres:
            import psycopg

            self.conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
            self.conn.execute("SET synchronous_commit = off")
            # The rows are consistent by construction: skip the foreign-key triggers (four
            # lookups per answer), as SQLite's loader connection does (foreign_keys off).
            self.conn.execute("SET session_replication_role = replica")
        else:
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            for pragma in ("synchronous=OFF", "cache_size=-1000000", "temp_store=MEMORY"):
                self.conn.execute(f"PRAGMA {pragma}")
            self.conn.execute("BEGIN")

    def rows(self, table: str, frame: pd.DataFrame) -> None:
        """Append a frame's rows to a table (columns named as the frame's)."""
        columns = list(frame.columns)
        if self.postgres:
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv, NULL '\\N')"
            with self.conn.cursor().copy(statement) as copy:
                for start in range(0, len(frame), 500_000):
                    part = frame.iloc[start : start + 500_000]
                    copy.write(part.to_csv(header=False, index=False, na_rep="\\N").encode())
            return
        marks = ", ".join("?" * len(columns))
        values = zip(*(_plain(frame[name]) for name in columns), strict=True)
        self.conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608 - our names
            values,
        )

    def execute(self, sql: str, parameters: tuple = ()) -> None:
        self.conn.execute(sql, parameters)

    def commit(self) -> None:
        if self.postgres:
            self.conn.commit()
        else:
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN")

    def finish(self) -> None:
        """Commit, then VACUUM ANALYZE (PostgreSQL) or checkpoint the WAL (SQLite)."""
        if self.postgres:
            self.conn.commit()
            self.conn.autocommit = True
            self.conn.execute("VACUUM ANALYZE")
        else:
            self.conn.execute("COMMIT")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()


def _plain(column: pd.Series) -> list:
    """A column as Python values sqlite3 binds (None for missing)."""
    if column.dtype == "Int64":
        return [None if value is pd.NA else int(value) for value in column]
    return column.tolist()


def _progress(message: str, started: float) -> None:
    print(f"  [{time.perf_counter() - started:6.0f} s] {message}", flush=True)


ANSWERS_SQL = {
    "sqlite": """
INSERT INTO answers (attempt_id, position, user_id, question_id, version_id, response, score,
                     is_correct, seconds, answered_at)
SELECT a.id, p.n, a.user_id,
       b.qbase + (a.id * 13 + p.n * 31) % {q}, b.vbase + (a.id * 13 + p.n * 31) % {q},
       CASE WHEN (p.n * 7 + a.id) % 10 < a.correct_count THEN '["A"]' ELSE '["B"]' END,
       CASE WHEN (p.n * 7 + a.id) % 10 < a.correct_count THEN 1.0 ELSE 0.0 END,
       (p.n * 7 + a.id) % 10 < a.correct_count,
       3 + (a.id * 37 + p.n * 11) % 40,
       datetime(a.started_at, '+' || (p.n * 30) || ' seconds')
FROM attempts AS a CROSS JOIN bench_trade_base AS b CROSS JOIN bench_positions AS p
WHERE a.id BETWEEN ? AND ? AND b.trade_id = a.trade_id""",
    "postgresql": """
INSERT INTO answers (attempt_id, position, user_id, question_id, version_id, response, score,
                     is_correct, seconds, answered_at)
SELECT a.id, p.n, a.user_id,
       b.qbase + (a.id * 13 + p.n * 31) %% {q}, b.vbase + (a.id * 13 + p.n * 31) %% {q},
       CASE WHEN (p.n * 7 + a.id) %% 10 < a.correct_count THEN '["A"]'::json ELSE '["B"]'::json END,
       CASE WHEN (p.n * 7 + a.id) %% 10 < a.correct_count THEN 1.0 ELSE 0.0 END,
       (p.n * 7 + a.id) %% 10 < a.correct_count,
       3 + (a.id * 37 + p.n * 11) %% 40,
       a.started_at + p.n * interval '30 seconds'
FROM attempts AS a JOIN bench_trade_base AS b ON b.trade_id = a.trade_id
     CROSS JOIN generate_series(1, {per}) AS p(n)
WHERE a.id BETWEEN %s AND %s ORDER BY a.id, p.n""",
}


def question_bases(trade_ids: list[int]) -> pd.DataFrame:
    """Each trade's first question and version id: the generator counts on them running on."""
    from sqlalchemy import func, select

    from competitions.questions.models import Question, QuestionVersion
    from guild.extensions import db

    rows = db.session.execute(
        select(Question.trade_id, func.min(Question.id), func.max(Question.id))
        .where(Question.trade_id.in_(trade_ids))
        .group_by(Question.trade_id)
    ).all()
    bases = []
    for trade_id, first, last in rows:
        versions = db.session.execute(
            select(func.min(QuestionVersion.id), func.max(QuestionVersion.id)).where(
                QuestionVersion.question_id.between(first, last)
            )
        ).one()
        assert last - first + 1 == QUESTIONS == versions[1] - versions[0] + 1, (first, last)
        bases.append({"trade_id": trade_id, "qbase": first, "vbase": versions[0]})
    return pd.DataFrame(bases)


def insert_answers(loader: Loader, bases: pd.DataFrame, attempts: int, started: float) -> None:
    """Ten answers per attempt, made by the database from the attempts (nothing crosses
    the driver but the statement): right exactly `correct_count` times, a question of the
    trade each, distinct within the attempt."""
    loader.execute(
        "CREATE TABLE bench_trade_base (trade_id integer primary key, qbase integer, vbase integer)"
    )
    loader.rows("bench_trade_base", bases)
    engine = "postgresql" if loader.postgres else "sqlite"
    if not loader.postgres:
        loader.execute("CREATE TABLE bench_positions (n integer primary key)")
        loader.rows("bench_positions", pd.DataFrame({"n": range(1, PER_ATTEMPT + 1)}))
    sql = ANSWERS_SQL[engine].format(q=QUESTIONS, per=PER_ATTEMPT)
    step = 100_000
    for first in range(1, attempts + 1, step):
        loader.execute(sql, (first, min(first + step - 1, attempts)))
        loader.commit()
        done = min(first + step - 1, attempts) * PER_ATTEMPT
        if first == 1 or (first // step) % 10 == 9 or done == attempts * PER_ATTEMPT:
            _progress(f"answers {done:,}", started)
    loader.execute("DROP TABLE bench_trade_base")
    if not loader.postgres:
        loader.execute("DROP TABLE bench_positions")


def _setup_rows(env: dict[str, str], participants: int) -> dict:
    """Through the app: trades with their banks, the campaign, enterprises."""
    from guild.extensions import db
    from guild.timeutil import local_day, utcnow

    app = open_app(env)
    with app.app_context():
        today = local_day(utcnow(), app.config["BABEL_DEFAULT_TIMEZONE"])
        trade_ids = add_trades(TRADES, QUESTIONS, CHAPTERS)
        campaign = add_campaign(trade_ids, today)
        setup = {
            "trade_ids": trade_ids,
            "bases": question_bases(trade_ids),
            "campaign_id": campaign.id,
            "starts_on": campaign.starts_on,
            "enterprises": add_enterprises(max(10, participants // 200)),
            "cities": list(app.config["CITIES"]),
        }
        db.session.remove()
        db.engine.dispose()
    return setup


def generate(url: str, env: dict[str, str], participants: int, answers: int) -> None:
    """Fill an empty (migrated) database with the campaign; prints progress."""
    started = time.perf_counter()
    setup = _setup_rows(env, participants)
    _progress("trades, banks, campaign, enterprises", started)
    rng = np.random.default_rng(2026)
    loader = Loader(url)
    users = make_users(rng, participants, setup["enterprises"], setup["cities"])
    loader.rows("users", users)
    roles = pd.DataFrame(
        {"user_id": users["id"], "role": "worker", "granted_at": users["created_at"]}
    )
    loader.rows("user_roles", roles)
    loader.commit()
    _progress(f"users {participants:,}", started)
    attempts = answers // PER_ATTEMPT
    frame = make_attempts(rng, users, attempts, setup["trade_ids"], setup["starts_on"])
    del users, roles
    loader.rows("attempts", attempt_rows(frame, setup["campaign_id"]))
    loader.commit()
    _progress(f"attempts {attempts:,}", started)
    insert_answers(loader, setup["bases"], attempts, started)
    campaign_id, starts_on = setup["campaign_id"], setup["starts_on"]
    standings = standing_rows(frame, campaign_id, starts_on)
    loader.rows("standings", standings)
    counts = standings.groupby(["trade_id", "points"]).size().rename("participants")
    loader.rows("standing_counts", counts.reset_index().assign(campaign_id=campaign_id))
    minutes = standings.assign(minute=standings["seconds"] // 60)
    minutes = minutes.groupby(["trade_id", "points", "minute"]).size().rename("participants")
    loader.rows("standing_minute_counts", minutes.reset_index().assign(campaign_id=campaign_id))
    days = frame[["user_id"]].assign(
        campaign_id=campaign_id, day=[d.isoformat() for d in frame["day"]]
    )
    loader.rows("campaign_days", days)
    loader.rows("campaign_tallies", tally_rows(frame, campaign_id, setup["trade_ids"], starts_on))
    loader.commit()
    _progress(f"standings {len(standings):,}, days, tallies", started)
    if loader.postgres:
        for table in ("users", "attempts"):  # ids were given: move the sequences past them
            last = f"(SELECT max(id) FROM {table})"  # noqa: S608 - our table names
            loader.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})")
    loader.finish()
    _progress("VACUUM ANALYZE" if loader.postgres else "WAL checkpoint", started)
    _write_meta(env, campaign_id, time.perf_counter() - started)


def _write_meta(env: dict[str, str], campaign_id: int, seconds: float) -> None:
    """The organiser account, then what a re-run needs, written last: the data is complete."""
    from guild.extensions import db

    app = open_app(env)
    with app.app_context():
        organiser = add_organiser(ORGANISER_PHONE)
        meta = {"campaign_id": campaign_id, "organiser_id": organiser, "seconds": round(seconds)}
        write_meta(meta | {"schema": fingerprint(GENERATOR)})
        db.session.remove()
        db.engine.dispose()


def read_meta(env: dict[str, str]) -> dict | None:
    """The generated campaign's facts; None when the database is missing, incomplete, or
    made by other migrations (they are edited in place before a release) or generator."""
    rows = stored_meta(env["DATABASE_URL"])
    if rows is None:
        return None
    meta = {key: value if key == "schema" else int(value) for key, value in rows.items()}
    if meta.get("schema") != fingerprint(GENERATOR):
        print("the cached database was made by other migrations or generator code")
        return None
    return meta


def _pg_database(name: str, regenerate: bool) -> str:
    """The URL of database `name` on the local server, created (empty) when missing."""
    import psycopg

    server = PG_SERVER.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(server + "/postgres", autocommit=True) as admin:
        if regenerate:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if (
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            is None
        ):
            admin.execute(f"CREATE DATABASE {name}")
    return f"{PG_SERVER}/{name}"


def prepare_database(engine: str, participants: int, answers: int, regenerate: bool) -> tuple:
    """The environment of a Guild process on the generated database, and its facts.

    Reuses the cached database unless `regenerate`; an incomplete one is made again.
    """
    if engine == "postgresql":
        name = f"guild_bench_lb_{participants}_{answers}"
        env = scratch_env(_pg_database(name, regenerate))
        if (meta := read_meta(env)) is None:
            env = scratch_env(_pg_database(name, True))
    else:
        CACHE.mkdir(exist_ok=True)
        path = CACHE / f"leaderboard-{participants}-{answers}.sqlite3"
        if regenerate:
            path.unlink(missing_ok=True)
        env = scratch_env(f"sqlite:///{path}")
        meta = read_meta(env) if path.exists() else None
        if meta is None:
            path.unlink(missing_ok=True)
    if meta is None:
        print(f"generating {participants:,} participants and {answers:,} answers ({engine})")
        partial = _partial(env) if engine == "sqlite" else env
        flask(partial, "db", "upgrade")
        generate(partial["DATABASE_URL"], partial, participants, answers)
        if engine == "sqlite":
            _promote(partial, env)
        meta = read_meta(env)
    return env, meta


def _partial(env: dict[str, str]) -> dict[str, str]:
    """SQLite: generate beside the cached name, renamed only when complete."""
    partial = dict(env)
    partial["DATABASE_URL"] = env["DATABASE_URL"] + ".partial"
    for suffix in ("", "-wal", "-shm"):
        Path(partial["DATABASE_URL"].removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    return partial


def _promote(partial: dict[str, str], env: dict[str, str]) -> None:
    source = Path(partial["DATABASE_URL"].removeprefix("sqlite:///"))
    source.rename(env["DATABASE_URL"].removeprefix("sqlite:///"))
    for suffix in ("-wal", "-shm"):
        Path(str(source) + suffix).unlink(missing_ok=True)
