"""Inserting many rows at once, for imports measured in hundreds of thousands of rows."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Table, insert

from guild.extensions import db


def insert_rows(table: Table, rows: list[dict]) -> None:
    """INSERT the rows through the driver (COPY on PostgreSQL), in the session's transaction.

    SQLAlchemy's executemany spends more on per-row parameter bookkeeping than the database
    spends writing a 100,000-row import. Here the statement is compiled once and each value
    goes through its column type's own bind processor, so what is stored is exactly what
    SQLAlchemy would store. Every row must have the same keys.
    """
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    if dialect.name == "postgresql":
        _copy_rows(connection, table, names, rows)
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    processors = {name: table.c[name].type._cached_bind_processor(dialect) for name in names}
    converters = [(name, processors[name]) for name in names]
    if compiled.positiontup:  # qmark/format drivers (sqlite3) take sequences
        order = [names.index(key) for key in compiled.positiontup]
        parameters = [_converted(row, converters, order) for row in rows]
    else:  # pyformat drivers (psycopg) take mappings
        parameters = [
            {name: convert(row[name]) if convert else row[name] for name, convert in converters}
            for row in rows
        ]
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(compiled.string, parameters)
    finally:
        cursor.close()


def _copy_rows(connection, table: Table, names: list[str], rows: list[dict]) -> None:
    """PostgreSQL: COPY the rows in (psycopg's executemany sends them one by one)."""
    dialect = connection.dialect
    converters = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    target = dialect.identifier_preparer.format_table(table)
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        convert(row[n]) if convert else row[n]
                        for n, convert in zip(names, converters, strict=True)
                    ]
                )
    finally:
        cursor.close()


def _converted(row: dict, converters: list, order: list[int]) -> tuple:
    values = [convert(row[name]) if convert else row[name] for name, convert in converters]
    return tuple(values[index] for index in order)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects.

    Creating 100,000 rows of dicts triggers repeated full collections that cost as much as
    the work itself; nothing built here forms cycles, so reference counting frees it all.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
