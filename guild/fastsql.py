"""Hot statements straight on the driver: a Core statement compiled once per dialect.

SQLAlchemy's execution layer (cache key, execution context, result object) costs more than
a small indexed statement itself. A `Statement` keeps the SQL of each dialect with the type
processors of its parameters and columns, and runs it on a DBAPI cursor: the session
connection's (`session_cursor`, inside the request's transaction) or any other.
Nothing is flushed first: run these only where no pending ORM change matters.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from psycopg.pq import TransactionStatus
from sqlalchemy import Dialect
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeEngine

from guild.extensions import db

_IDLE = TransactionStatus.IDLE


@dataclass
class Prepared:
    """A statement's SQL for one dialect, and how its values go in and its rows come out."""

    dialect: Dialect
    sql: str
    names: tuple[str, ...] | None  # parameter order for positional drivers, None for named
    defaults: dict[str, Any]  # values bound in the statement itself (literals)
    binds: tuple[tuple[str, Callable], ...]  # parameters whose values the type converts
    columns: tuple[TypeEngine, ...]  # the types of the columns it returns
    # (position, conversion) of the returned columns that need one, once rows came
    conversions: tuple[tuple[int, Callable], ...] | None = None
    # Positional values taken out in C, not a Python loop: an upsert of many rows has a
    # hundred parameters. None for drivers taking named ones.
    in_order: Callable[[Mapping[str, Any]], tuple] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.in_order = _getter(self.names) if self.names is not None else None

    def parameters(self, values: Mapping[str, Any]) -> tuple | dict:
        """The driver's parameters for named values (plus the statement's own literals)."""
        if self.defaults or self.binds:
            values = {**self.defaults, **values}
            for name, process in self.binds:
                values[name] = process(values[name])
        if self.in_order is None:
            return values
        return self.in_order(values)

    def row(self, cursor: Any, raw: tuple | None) -> tuple | None:
        """A row fetched from the cursor, each column converted as its type would."""
        if self.conversions is None:  # some conversions depend on the driver's column type
            processors = (
                kind.result_processor(self.dialect, described[1])
                for kind, described in zip(self.columns, cursor.description, strict=True)
            )
            self.conversions = tuple(
                (position, process)
                for position, process in enumerate(processors)
                if process is not None
            )
        if raw is None or not self.conversions:
            return raw
        row = list(raw)
        for position, process in self.conversions:
            row[position] = process(row[position])
        return tuple(row)


def _getter(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple]:
    """A function taking the named values out of a mapping as a tuple, in order."""
    if len(names) == 1:
        only = names[0]
        return lambda values: (values[only],)
    return itemgetter(*names) if names else lambda _values: ()


def _prepare(statement: Executable, dialect: Dialect) -> Prepared:
    compiled = statement.compile(dialect=dialect)
    named = compiled.bind_names.items()  # each bindparam and its name in the SQL
    defaults = {name: bind.effective_value for bind, name in named if not bind.required}
    binds = {  # by name: a parameter used twice is converted once
        name: process
        for bind, name in named
        if (process := bind.type.dialect_impl(dialect).bind_processor(dialect))
    }
    columns = tuple(
        column.type.dialect_impl(dialect) for column in getattr(statement, "exported_columns", ())
    )
    names = tuple(compiled.positiontup) if compiled.positiontup is not None else None
    return Prepared(dialect, compiled.string, names, defaults, tuple(binds.items()), columns)


class Statement:
    """A Core statement with bindparam() placeholders, run on a DBAPI cursor.

    Give the statement, or a function making it for a dialect name (INSERT … ON CONFLICT
    is built by each dialect's own insert()).
    """

    def __init__(self, statement: Executable | Callable[[str], Executable]) -> None:
        self._build = statement if callable(statement) else lambda _name: statement
        self._prepared: dict[str, Prepared] = {}

    def prepared(self, dialect: Dialect) -> Prepared:
        """The statement compiled for a dialect (once)."""
        found = self._prepared.get(dialect.name)
        if found is None:
            statement = self._build(dialect.name)
            found = self._prepared[dialect.name] = _prepare(statement, dialect)
        return found

    def execute(self, cursor: "Cursor", values: Mapping[str, Any]) -> Prepared:
        """Run the statement with named values."""
        prepared = self.prepared(cursor.dialect)
        cursor.raw.execute(prepared.sql, prepared.parameters(values))
        return prepared

    def first(self, cursor: "Cursor", values: Mapping[str, Any]) -> tuple | None:
        """The first row the statement returns, converted, or None."""
        prepared = self.execute(cursor, values)
        return prepared.row(cursor.raw, cursor.raw.fetchone())

    def all(self, cursor: "Cursor", values: Mapping[str, Any]) -> list[tuple]:
        """Every row the statement returns, converted."""
        prepared = self.execute(cursor, values)
        return [prepared.row(cursor.raw, raw) for raw in cursor.raw.fetchall()]

    def first_later(
        self, cursor: "Cursor", values: Mapping[str, Any]
    ) -> Callable[[], tuple | None]:
        """Run the statement now; its first row when asked.

        Inside a `pipeline` the statement runs on a cursor of its own and its row comes
        once the pipeline has been sent: ask after the block.
        """
        if cursor.dialect.name == "postgresql":
            own = Cursor(cursor.raw.connection.cursor(), cursor.dialect)
            prepared = self.execute(own, values)
            return lambda: prepared.row(own.raw, own.raw.fetchone())
        prepared = self.execute(cursor, values)
        row = prepared.row(cursor.raw, cursor.raw.fetchone())
        return lambda: row

    def execute_many(self, cursor: "Cursor", rows: Iterable[Mapping[str, Any]]) -> None:
        """Run the statement once per row of values (the driver's executemany)."""
        prepared = self.prepared(cursor.dialect)
        cursor.raw.executemany(prepared.sql, [prepared.parameters(row) for row in rows])


@dataclass(frozen=True)
class Cursor:
    """A DBAPI cursor and the dialect its connection speaks."""

    raw: Any
    dialect: Dialect


@contextmanager
def pipeline(cursor: Cursor) -> Iterator[None]:
    """Send the statements run inside to PostgreSQL together, in one round trip.

    psycopg's pipeline mode queues each statement instead of waiting for its reply; fetching
    a row waits for what was queued before it. Only driver statements may run inside (the
    ORM reads cursor descriptions before results arrive). SQLite runs in-process: there the
    statements simply run one by one.
    """
    if cursor.dialect.name != "postgresql":
        yield
        return
    with cursor.raw.connection.pipeline():
        yield


class DriverTransaction:
    """A transaction begun and ended on the driver, see `driver_transaction`."""

    def __init__(self, cursor: Cursor | None) -> None:
        self._cursor = cursor  # None: the session's transaction, left to the session

    def begin(self) -> None:
        """Queue BEGIN (inside a pipeline, before the transaction's first statement)."""
        if self._cursor is not None:
            self._cursor.raw.execute("BEGIN", prepare=False)

    def commit(self) -> None:
        """Queue COMMIT (inside the pipeline of the transaction's last statements)."""
        if self._cursor is not None:
            self._cursor.raw.execute("COMMIT", prepare=False)


@contextmanager
def driver_transaction(cursor: Cursor) -> Iterator[DriverTransaction]:
    """On PostgreSQL, the session's transaction begun and ended by us on the driver.

    psycopg sends BEGIN and COMMIT as round trips of their own; here they go in the
    pipelines of the first and last statements, two round trips fewer. It holds only while
    the session has sent nothing on its connection yet, and SQLAlchemy's commit then finds
    the connection idle and sends nothing. A block left before its COMMIT ran (an error, a
    refusal, a repeat) ends the transaction: rolled back after an error, else committed
    (it only read). Elsewhere (SQLite, a transaction already under way) `begin` and
    `commit` do nothing and the session commits as usual.
    """
    connection = cursor.raw.connection if cursor.dialect.name == "postgresql" else None
    if connection is None or connection.info.transaction_status != _IDLE:
        yield DriverTransaction(None)
        return
    connection.autocommit = True  # psycopg sends no BEGIN of its own
    failed = False
    try:
        yield DriverTransaction(cursor)
    except BaseException:
        failed = True
        raise
    finally:
        try:
            if connection.info.transaction_status != _IDLE:
                connection.rollback() if failed else connection.commit()
        finally:  # never back to the pool in autocommit, whatever the end raised
            connection.autocommit = False


def conflict_error(cursor: Cursor) -> type[Exception]:
    """The driver's exception for a broken unique (or other integrity) constraint."""
    return cursor.dialect.loaded_dbapi.IntegrityError


@contextmanager
def reading_cursor() -> Iterator[Cursor]:
    """A pooled connection's cursor outside any transaction, for reads on their own.

    On PostgreSQL the connection reads in autocommit: no BEGIN and ROLLBACK round trips
    around one SELECT. SQLite connections only open transactions where we BEGIN them.
    """
    connection = db.engine.raw_connection()
    driver = connection.driver_connection
    postgres = db.engine.dialect.name == "postgresql"
    try:
        if postgres:
            driver.autocommit = True
        cursor = Cursor(connection.cursor(), db.engine.dialect)
        yield cursor
        cursor.raw.close()
    finally:
        if postgres:
            driver.autocommit = False
        connection.close()  # back to the pool


def session_cursor() -> Cursor:
    """A cursor on the session's connection: statements run in the session's transaction.

    One cursor serves a whole transaction (an answer runs several statements); asking the
    session for its connection each time costs more than a small statement.
    """
    session = db.session()
    transaction = session.get_transaction()
    cached = session.info.get(_CURSOR_KEY)
    if transaction is not None and cached is not None and cached[0] is transaction:
        return cached[1]
    connection = session.connection()
    cursor = Cursor(connection.connection.cursor(), connection.dialect)
    session.info[_CURSOR_KEY] = (session.get_transaction(), cursor)
    return cursor


_CURSOR_KEY = "guild_fastsql_cursor"
