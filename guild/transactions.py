"""Transactions that will write: on SQLite they take the write lock when they begin.

A deferred SQLite transaction that reads and then writes fails at once with "database is
locked" when another connection wrote in between, whatever the busy timeout: WAL cannot
upgrade a stale read snapshot. BEGIN IMMEDIATE takes the write lock first, so concurrent
writers queue on the busy timeout instead. PostgreSQL ignores the option.
"""

from flask import request

from guild.extensions import db

WRITER_OPTION = "guild_writer"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def begin_writing() -> None:
    """Begin the session's transaction as a writer, unless it has already begun."""
    if not db.session().in_transaction():
        db.session.connection(execution_options={WRITER_OPTION: True})


def begin_writing_on_unsafe_methods() -> None:
    """Requests that may change data begin as writers (a before_request hook)."""
    if request.method in UNSAFE_METHODS:
        begin_writing()
