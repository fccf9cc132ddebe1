"""The search index over studios, patents, achievements and courseware, and challenges.

One row per searchable thing: its text normalised (NFKC, lower case) and that text's tokens,
every character and every pair of neighbouring characters, space-separated. A query term
matches a row whose tokens hold all of the term's (a fast, engine-side filter) and whose text
holds the term itself (the exact check), so both engines answer every query alike; Chinese
needs the pairs, since most of its words are two characters (焊接, 电工) and a trigram index
cannot find them.

The engine-specific index is not a model: on SQLite an FTS5 table over the tokens kept in step
by triggers, on PostgreSQL a GIN index over the tokens as an array. `ENGINE_OBJECTS` names them
for Alembic's comparison, which cannot model them.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import DDL, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from guild.extensions import db, enum_type
from guild.timeutil import utcnow


class SearchKind(StrEnum):
    """What a search result is."""

    STUDIO = "studio"
    PATENT = "patent"
    ACHIEVEMENT = "achievement"
    COURSEWARE = "courseware"
    CHALLENGE = "challenge"  # the challenge board's own search; not in the studios' search


class SearchEntry(db.Model):
    """One searchable thing's title, normalised text and tokens."""

    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        Index("ix_search_entries_kind_published_on", "kind", "published_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SearchKind] = mapped_column(enum_type(SearchKind))
    object_id: Mapped[int]
    # A challenge posted by an enterprise has no studio.
    studio_id: Mapped[int | None] = mapped_column(
        ForeignKey("studios.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)  # title and body, normalised: what terms must be in
    tokens: Mapped[str] = mapped_column(Text)  # characters and pairs of the text, space-separated
    published_on: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


FTS_TABLE = "search_fts"
TOKENS_INDEX = "ix_search_entries_tokens"
# The FTS5 table's own shadow tables come with it; Alembic must leave all of these alone.
ENGINE_OBJECTS = frozenset(
    {FTS_TABLE, *(f"{FTS_TABLE}_{part}" for part in ("data", "idx", "docsize", "config"))}
    | {TOKENS_INDEX}
)

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(tokens, content='search_entries',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN"
    " INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);"
    " END",
    "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);"
    " INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
)
SQLITE_DROP = ("DROP TABLE IF EXISTS search_fts",)
POSTGRESQL_CREATE = (
    f"CREATE INDEX {TOKENS_INDEX} ON search_entries USING gin (string_to_array(tokens, ' '))",
)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: leave out the search index's engine-specific objects."""
    return name not in ENGINE_OBJECTS


for statement in SQLITE_CREATE:
    event.listen(SearchEntry.__table__, "after_create", DDL(statement).execute_if(dialect="sqlite"))
for statement in POSTGRESQL_CREATE:
    event.listen(
        SearchEntry.__table__, "after_create", DDL(statement).execute_if(dialect="postgresql")
    )
for statement in SQLITE_DROP:
    event.listen(SearchEntry.__table__, "before_drop", DDL(statement).execute_if(dialect="sqlite"))
