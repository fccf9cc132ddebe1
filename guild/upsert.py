"""INSERT … ON CONFLICT for SQLite and PostgreSQL, which spell it the same way in SQLAlchemy."""

from functools import cache

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite

from guild.extensions import db
from guild.fastsql import Statement, session_cursor


def insert_of(dialect: str, table: Table):
    """An INSERT construct of a dialect (by name), with on_conflict_do_* available."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


def insert_for(table: Table):
    """An INSERT construct of the session's dialect, with on_conflict_do_* available."""
    return insert_of(db.session.get_bind().dialect.name, table)


def placeholders(table: Table, columns: list[str] | tuple[str, ...]) -> dict:
    """bindparam() placeholders named after the columns, typed as they are."""
    return {name: bindparam(name, type_=table.c[name].type) for name in columns}


@cache
def _counter_upsert(table: Table, keys: tuple, counters: tuple, replace: tuple) -> Statement:
    def build(dialect: str):
        statement = insert_of(dialect, table).values(placeholders(table, keys + counters + replace))
        return statement.on_conflict_do_update(
            index_elements=[table.c[key] for key in keys],
            set_={
                **{name: table.c[name] + statement.excluded[name] for name in counters},
                **{name: statement.excluded[name] for name in replace},
            },
        )

    return Statement(build)


def add_to_counters(
    table: Table,
    keys: list[str],
    rows: list[dict],
    counters: list[str],
    replace: tuple[str, ...] | list[str] = (),
) -> None:
    """Upsert rows, adding their counters to the stored ones (inserting missing rows).

    Columns named in `replace` take the new row's value. One single-row statement, compiled
    once per dialect, runs for all rows on the driver (executemany). Rows are sorted by their
    keys first, so concurrent transactions lock them in one order and cannot deadlock each
    other on PostgreSQL.
    """
    if not rows:
        return
    rows = sorted(rows, key=lambda row: tuple(row[key] for key in keys))
    statement = _counter_upsert(table, tuple(keys), tuple(counters), tuple(replace))
    statement.execute_many(session_cursor(), rows)
