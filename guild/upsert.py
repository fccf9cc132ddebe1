"""INSERT … ON CONFLICT for SQLite and PostgreSQL, which spell it the same way in SQLAlchemy."""

from functools import cache
from operator import itemgetter

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


ROWS_PER_STATEMENT = 16  # a multi-row upsert per row count up to this, compiled once each


@cache
def _counter_upsert(
    table: Table, keys: tuple, counters: tuple, replace: tuple, count: int
) -> Statement:
    """INSERT of `count` rows … ON CONFLICT adding the counters; row i's values are "name_i"."""
    columns = keys + counters + replace

    def build(dialect: str):
        rows = [
            {name: bindparam(f"{name}_{index}", type_=table.c[name].type) for name in columns}
            for index in range(count)
        ]
        statement = insert_of(dialect, table).values(rows)
        return statement.on_conflict_do_update(
            index_elements=[table.c[key] for key in keys],
            set_={
                **{name: table.c[name] + statement.excluded[name] for name in counters},
                **{name: statement.excluded[name] for name in replace},
            },
        )

    return Statement(build)


@cache
def _parameter_names(columns: tuple[str, ...], count: int) -> tuple[tuple[str, ...], ...]:
    """The parameter names of each row of a `count`-row upsert: "name_i" for row i."""
    return tuple(tuple(f"{name}_{index}" for name in columns) for index in range(count))


def _merged(rows: list[dict], keys: list[str], counters: list[str]) -> list[dict]:
    """Rows with the same keys made one (counters summed, the last row's other values),
    sorted by their keys: one statement may not update a row twice."""
    key_of = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    merged: dict[tuple, dict] = {}
    for row in rows:
        key = key_of(row)
        if key in merged:
            sums = {name: merged[key][name] + row[name] for name in counters}
            merged[key] = {**row, **sums}
        else:
            merged[key] = row
    return [merged[key] for key in sorted(merged)]


def add_to_counters(
    table: Table,
    keys: list[str],
    rows: list[dict],
    counters: list[str],
    replace: tuple[str, ...] | list[str] = (),
) -> None:
    """Upsert rows, adding their counters to the stored ones (inserting missing rows).

    Columns named in `replace` take the new row's value. The rows go in multi-row
    statements of up to ROWS_PER_STATEMENT rows, each compiled once per dialect and row
    count, run on the driver. Rows are sorted by their keys first, so concurrent
    transactions lock them in one order and cannot deadlock each other on PostgreSQL.
    """
    rows = _merged(rows, keys, counters)
    columns = (*keys, *counters, *replace)
    cursor = session_cursor()
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        statement = _counter_upsert(table, tuple(keys), tuple(counters), tuple(replace), len(chunk))
        names = _parameter_names(columns, len(chunk))
        values = {
            parameter: row[name]
            for row, parameters in zip(chunk, names, strict=True)
            for name, parameter in zip(columns, parameters, strict=True)
        }
        statement.execute(cursor, values)
