"""INSERT … ON CONFLICT for SQLite and PostgreSQL, which spell it the same way in SQLAlchemy."""

from functools import cache

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from guild.extensions import db


def insert_for(table: Table):
    """An INSERT construct of the session's dialect, with on_conflict_do_* available."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


@cache
def _counter_upsert(table: Table, dialect: str, keys: tuple, counters: tuple, replace: tuple):
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c[key] for key in keys],
        set_={
            **{name: table.c[name] + statement.excluded[name] for name in counters},
            **{name: statement.excluded[name] for name in replace},
        },
    )


def add_to_counters(
    table: Table,
    keys: list[str],
    rows: list[dict],
    counters: list[str],
    replace: tuple[str, ...] | list[str] = (),
) -> None:
    """Upsert rows, adding their counters to the stored ones (inserting missing rows).

    Columns named in `replace` take the new row's value. One single-row statement runs for
    all rows (executemany): a multi-row VALUES statement has no cache key and would be
    compiled again on every answer. Rows are sorted by their keys first, so concurrent
    transactions lock them in one order and cannot deadlock each other on PostgreSQL.
    """
    if not rows:
        return
    rows = sorted(rows, key=lambda row: tuple(row[key] for key in keys))
    dialect = db.session.get_bind().dialect.name
    statement = _counter_upsert(table, dialect, tuple(keys), tuple(counters), tuple(replace))
    db.session.execute(statement, rows)
