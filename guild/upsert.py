"""INSERT … ON CONFLICT for SQLite and PostgreSQL, which spell it the same way in SQLAlchemy."""

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from guild.extensions import db


def insert_for(table: Table):
    """An INSERT construct of the session's dialect, with on_conflict_do_* available."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


def add_to_counters(
    table: Table,
    keys: list[str],
    rows: list[dict],
    counters: list[str],
    replace: tuple[str, ...] | list[str] = (),
):
    """An upsert adding each row's counters to the stored ones (inserting missing rows).

    Columns named in `replace` take the new row's value.

    Rows are sorted by their keys first, so concurrent transactions lock them in one order
    and cannot deadlock each other on PostgreSQL.
    """
    rows = sorted(rows, key=lambda row: tuple(row[key] for key in keys))
    statement = insert_for(table).values(rows)
    return statement.on_conflict_do_update(
        index_elements=[table.c[key] for key in keys],
        set_={
            **{name: table.c[name] + statement.excluded[name] for name in counters},
            **{name: statement.excluded[name] for name in replace},
        },
    )
