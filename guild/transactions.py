"""Transactions that will write: on SQLite they take the write lock when they begin.

A deferred SQLite transaction that reads and then writes fails at once with "database is
locked" when another connection wrote in between, whatever the busy timeout: WAL cannot
upgrade a stale read snapshot. BEGIN IMMEDIATE takes the write lock first, so concurrent
writers queue on the busy timeout instead. PostgreSQL ignores the option.
"""

import sqlite3
import time

from flask import request

from guild.extensions import db

WRITER_OPTION = "guild_writer"
BUSY_TIMEOUT_MS = 10_000  # SQLite: how long a statement waits for a lock before failing
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def begin_writing() -> None:
    """Begin the session's transaction as a writer, unless it has already begun."""
    if not db.session().in_transaction():
        db.session.connection(execution_options={WRITER_OPTION: True})


def begin_writing_on_unsafe_methods() -> None:
    """Requests that may change data begin as writers (a before_request hook)."""
    if request.method in UNSAFE_METHODS:
        begin_writing()


def begin_immediate(connection: sqlite3.Connection, patience: float = 10.0) -> None:
    """BEGIN IMMEDIATE on SQLite, waiting for the write lock in short naps.

    SQLite's own busy handler sleeps 1, 2, 5, 10 … ms between tries: a writer that waits
    for a lock held a millisecond sleeps past its release while the other workers idle.
    """
    connection.execute("PRAGMA busy_timeout=0")
    try:
        deadline, nap = time.monotonic() + patience, 0.00005
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
            time.sleep(nap)
            nap = min(nap * 2, 0.002)
    finally:
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
