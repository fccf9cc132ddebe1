"""Generated benchmark databases kept between runs.

A generator writes its facts (sizes, ids, a fingerprint of the code that made it) into a
bench_meta table as its last step, so a database whose generation was cut off has none and
is made again; so is one made by other migrations or generator code.
"""

import hashlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path("/tmp/guild-bench-cache")


def fingerprint(generator: str, *sizes, sources: tuple[str, ...] = ()) -> str:
    """What a cached database must have been made by: this generator at these sizes, these
    migrations (edited in place before a release) and the other `sources` files named."""
    digest = hashlib.sha256(" ".join(map(str, (generator, *sizes))).encode())
    for name in sources:
        digest.update((ROOT / name).read_bytes())
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def move_sequences(tables: tuple[str, ...]) -> None:
    """On PostgreSQL, move each table's id sequence past the ids the generator inserted."""
    from sqlalchemy import text

    from guild.extensions import db

    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        last = f"(SELECT max(id) FROM {table})"  # noqa: S608 - our table names
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})"))
    db.session.commit()


def analyse(sqlite: bool = True) -> None:
    """Fresh planner statistics: VACUUM ANALYZE on PostgreSQL, and ANALYZE on SQLite
    unless `sqlite` is False (the benchmarks whose SQLite figures were measured without)."""
    from sqlalchemy import text

    from guild.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    elif sqlite:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def write_meta(meta: dict) -> None:
    """Record a generated database's facts, and commit: the generator's last step."""
    from sqlalchemy import text

    from guild.extensions import db

    db.session.execute(text("CREATE TABLE bench_meta (key varchar(40) primary key, value text)"))
    for key, value in meta.items():
        db.session.execute(
            text("INSERT INTO bench_meta VALUES (:k, :v)"), {"k": key, "v": str(value)}
        )
    db.session.commit()


def stored_meta(url: str) -> dict | None:
    """The key/value rows of a generated database's bench_meta table; None when missing."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT key, value FROM bench_meta")).all()
    except Exception:  # no table: not generated, or interrupted
        return None
    finally:
        engine.dispose()
    return dict(rows)


def cached_app(url: str, folder: Path, schema: str, regenerate: bool, generate: Callable):
    """The app (English, not testing) on the database at `url`, whose tables are made
    again and filled by `generate(app)` unless they were made with this `schema`.

    The generator ends with `write_meta({"schema": schema, ...})`.
    """
    from sqlalchemy import text

    from guild import create_app
    from guild.extensions import db
    from tests.conftest import test_config

    app = create_app(test_config(url, folder, TESTING=False, BABEL_DEFAULT_LOCALE="en"))
    stored = stored_meta(url) or {}
    if stored.get("schema") == schema and not regenerate:
        print(f"using the generated database {url}")
        return app
    print(f"generating the database {url}")
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS bench_meta"))
        db.session.commit()
        db.create_all()
        db.session.remove()
    generate(app)
    return app
